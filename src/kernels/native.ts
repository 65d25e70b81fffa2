/**
 * Loading imarray's optional native kernel (kernels/swizzle.c, with the libjpeg-turbo JPEG
 * decoder codecs/jpeg/turbo.c and the OpenJPEG decoder codecs/jpeg2000/openjpeg.c linked in
 * where their sources were at hand): built into
 * build/native/<platform>-<arch>/imarray.node by scripts/build-native.mjs (`npm run setup` in the repository),
 * or shipped prebuilt in prebuilds/<platform>-<arch>/imarray.node (linux-x64, linux-arm64).
 * A local build comes first. It is optional the way ws's bufferutil is: where there is none
 * (no prebuilt for the platform and no C compiler) or it will not load, this returns null and
 * callers keep their WebAssembly / JavaScript kernels and sharp.
 * `IMARRAY_NATIVE=0` in the environment switches it off (read once, at first use).
 */
import { implementation } from './choose.js';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { isMainThread } from 'node:worker_threads';

export interface NativeKernel {
  /** Which vector code this CPU runs: 'avx512vbmi', 'avx2', 'ssse3', 'neon' or 'scalar'. */
  kernel: string;
  /** The same as a number: 3 AVX-512 VBMI, 2 AVX2, 1 SSSE3 / NEON, 0 scalar. */
  level: number;
  /**
   * `n` pixels of `perm.length` (3 or 4) bytes: output byte c = input byte perm[c], from byte
   * `si` of `src` to byte `di` of `dst` (the same bytes in place, or no overlap). Throws a
   * TypeError / RangeError on anything else, never reads or writes out of range. `maxLevel`
   * (tests) caps the kernel used, so each one can be checked on a CPU that has a better one.
   */
  permute(src: Uint8Array, si: number, dst: Uint8Array, di: number, n: number, perm: Uint8Array, maxLevel?: number): void;
  /** Maps in the pages of a fresh buffer in one system call (Linux 5.14+); false where it could not. Bytes unchanged. */
  prefault(buf: Uint8Array): boolean;
  /** The libjpeg-turbo decoder, where it was linked in (codecs/jpeg/turbo.c). */
  jpeg?: NativeJpeg;
  /** The OpenJPEG decoder, where it was linked in (codecs/jpeg2000/openjpeg.c). */
  j2k?: NativeJ2k;
  /** The dav1d + libyuv AVIF decoder, where it was linked in (codecs/avif/dav1d.c). */
  avif?: NativeAvif;
  /** liblzma for LZMA-compressed TIFF, where it was linked in (codecs/tiff/lzma.c). */
  lzma?: NativeLzma;
  /** TIFF LZW (codecs/tiff/strips.c): the bytes written to `dst`; throws (code IMARRAY_LZW) on a corrupt table. */
  lzw?: StripDecoder;
  /** TIFF PackBits (codecs/tiff/strips.c): the bytes written to `dst`. */
  packbits?: StripDecoder;
  /** libdeflate for Deflate TIFF strips, where it was linked in (codecs/tiff/deflate.c): the bytes written, or -1 where zlib must decide. */
  deflate?: StripDecoder & { version: string };
}

/** One .xz stream (a TIFF strip or tile) into `dst`: the bytes written; throws (code IMARRAY_LZMA) on corrupt data. */
export interface NativeLzma {
  version: string;
  decodeSync(src: Uint8Array, dst: Uint8Array): number;
}

/**
 * What a native AVIF decode reports (codecs/avif/dav1d.c): `ok`, or `unsupported` (a picture
 * this decoder does not convert: the caller falls back) or a failure, with why in `message`.
 */
export interface NativeAvifResult {
  ok: boolean;
  unsupported: boolean;
  message: string;
}

/**
 * dav1d decodes `colour` (AV1 samples, in order; the last picture is the frame) and `alpha`;
 * libyuv converts as Pillow's libavif does, into `dst` from `dstOffset`: `format` 0 L, 1 RGB,
 * 2 RGBA. `mc`/`cp`: the container's nclx matrix coefficients and primaries, or -1 for the AV1
 * sequence header's. `threads`: dav1d's.
 */
export interface NativeAvif {
  version: string;
  decode(colour: readonly Uint8Array[], alpha: readonly Uint8Array[] | null, dst: Uint8Array, dstOffset: number, width: number, height: number, format: number, mc: number, cp: number, threads: number): Promise<NativeAvifResult>;
  decodeSync(colour: readonly Uint8Array[], alpha: readonly Uint8Array[] | null, dst: Uint8Array, dstOffset: number, width: number, height: number, format: number, mc: number, cp: number, threads: number): NativeAvifResult;
}

/**
 * What a native JPEG 2000 decode reports (codecs/jpeg2000/openjpeg.c): `ok` false is Pillow's
 * "broken data stream", with why in `message`; the `tiles` decoded before it are in `dst`.
 */
export interface NativeJ2kResult {
  ok: boolean;
  message: string;
  tiles: number;
}

/**
 * Pillow's Jpeg2KDecode.c over the file's bytes. `codec`: 0 a J2K codestream, 1 JP2. `mode`:
 * 0 L, 1 P, 2 PA, 3 I;16, 4 LA, 5 RGB, 6 RGBA, 7 CMYK (Pillow's mode, chosen from the header),
 * written packed into `dst` from `dstOffset` (zeroed by the caller: what no tile covers stays 0).
 * `reduce`/`layers`: Pillow's. `threads`: OpenJPEG's code-block threads (the same samples).
 */
export interface NativeJ2k {
  version: string;
  decode(src: Uint8Array, dst: Uint8Array, dstOffset: number, width: number, height: number, codec: number, mode: number, reduce: number, layers: number, threads: number): Promise<NativeJ2kResult>;
  decodeSync(src: Uint8Array, dst: Uint8Array, dstOffset: number, width: number, height: number, codec: number, mode: number, reduce: number, layers: number, threads: number): NativeJ2kResult;
}

/** What a native JPEG decode reports (codecs/jpeg/turbo.c). */
export interface NativeJpegResult {
  width: number;
  height: number;
  /** The data ended early and libjpeg finished the image as Pillow's LOAD_TRUNCATED_IMAGES does. */
  truncated: boolean;
  /** libjpeg's warnings (corrupt data it skipped), and the first one's text. */
  warnings: number;
  warning: string;
}

/**
 * Output colour spaces: 0 L (JCS_GRAYSCALE), 1 RGB, 2 BGR (JCS_EXT_BGR), 3 CMYK inverted
 * (Pillow's CMYK;I), 4 YCbCr. `scale`: 1, 2, 4 or 8 (DCT scaling, Pillow's draft). `strict`:
 * fail at the end of the data (code IMARRAY_JPEG_TRUNCATED) instead of finishing the image.
 */
export interface NativeJpeg {
  version: string;
  decode(src: Uint8Array, dst: Uint8Array, dstOffset: number, space: number, scale: number, strict: boolean): Promise<NativeJpegResult>;
  decodeSync(src: Uint8Array, dst: Uint8Array, dstOffset: number, space: number, scale: number, strict: boolean): NativeJpegResult;
}

/**
 * From this size up glibc's malloc always maps fresh pages (this is its largest mmap threshold on
 * 64-bit), so a new array's every page faults on first write; smaller arrays usually reuse
 * heap pages that are already mapped, where the call would only cost time.
 */
const PREFAULT_MIN = 32 * 2 ** 20;

/**
 * Before writing a large array imarray has just allocated: map its pages in one call rather
 * than one fault per 4 KB page during the write (docs/internals.md has the measurement). A no-op
 * without the native kernel.
 */
export function prefaultFresh(arr: ArrayBufferView): void {
  if (arr.byteLength < PREFAULT_MIN) return;
  nativeKernel()?.prefault(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
}

let loaded: NativeKernel | null | undefined;
let loadedFrom = '';
const failures: string[] = [];

/** Where the kernel is looked for, in order: a local build, then the package's prebuilt one. */
export const NATIVE_PATHS = ['build/native', 'prebuilds'].map((dir) => `${dir}/${process.platform}-${process.arch}/imarray.node`);

function isKernel(m: unknown): m is NativeKernel {
  return typeof m === 'object' && m !== null && 'permute' in m && typeof m.permute === 'function' && 'prefault' in m && typeof m.prefault === 'function' && 'kernel' in m && typeof m.kernel === 'string' && 'level' in m && typeof m.level === 'number';
}

/** The native kernel loaded for this process, whatever the `swizzle` choice (the JPEG decoder lives in it too). */
function loadKernel(): NativeKernel | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (process.env.IMARRAY_NATIVE === '0') return loaded;
  const require = createRequire(import.meta.url);
  for (const path of NATIVE_PATHS) {
    try {
      const m: unknown = require(`../../${path}`);
      if (isKernel(m)) {
        loaded = m;
        loadedFrom = path;
        break;
      }
      failures.push(`${path}: not imarray's kernel`);
    } catch (e) {
      // not built for this platform, or built for another libc / CPU: the next one, or the fallbacks
      if ((e as { code?: string }).code !== 'MODULE_NOT_FOUND') failures.push(`${path}: ${e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e)}`);
    }
  }
  return loaded;
}

/** The native kernel for this platform, or null (also null while `useImplementation('swizzle', 'wasm')`). */
export function nativeKernel(): NativeKernel | null {
  if (implementation('swizzle') !== 'native') return null;
  return loadKernel();
}

/** The libjpeg-turbo decoder of the native kernel, or null where it is not there. */
export function nativeJpeg(): NativeJpeg | null {
  return loadKernel()?.jpeg ?? null;
}

/**
 * The threads a native decoder with its own thread pool (OpenJPEG, dav1d) gets for one image: the
 * cores on the main thread for a megapixel or more; one for smaller images (threads started for a
 * few milliseconds of work cost more than they give, and each new thread can leave a malloc arena
 * behind) and on a batch's own thread (its siblings use the other cores).
 */
export function decoderThreads(pixels: number): number {
  return isMainThread && pixels >= 1 << 20 ? Math.min(8, availableParallelism()) : 1;
}

/** The OpenJPEG decoder of the native kernel, or null where it is not there. */
export function nativeJ2k(): NativeJ2k | null {
  return loadKernel()?.j2k ?? null;
}

/** The dav1d + libyuv AVIF decoder of the native kernel, or null where it is not there. */
export function nativeAvif(): NativeAvif | null {
  return loadKernel()?.avif ?? null;
}

/** A TIFF strip decompressor of the native kernel: the bytes it wrote to `dst`. */
export interface StripDecoder {
  decodeSync(src: Uint8Array, dst: Uint8Array): number;
}

/** The native TIFF LZW or PackBits decoder, or null (no kernel, an older one, or `useImplementation('tiffStrips', 'js')`). */
export function nativeStrips(compression: 'lzw' | 'packbits'): StripDecoder | null {
  if (implementation('tiffStrips') !== 'native') return null;
  return loadKernel()?.[compression] ?? null;
}

/** libdeflate of the native kernel, or null where it is not there (or `useImplementation('tiffStrips', 'js')`). */
export function nativeDeflate(): (StripDecoder & { version: string }) | null {
  if (implementation('tiffStrips') !== 'native') return null;
  return loadKernel()?.deflate ?? null;
}

/** liblzma of the native kernel, or null where it is not there. */
export function nativeLzma(): NativeLzma | null {
  return loadKernel()?.lzma ?? null;
}

/** Where the kernel came from (one of NATIVE_PATHS), and why the others did not load. */
export function nativeOrigin(): { path: string; failures: readonly string[] } {
  loadKernel();
  return { path: loadedFrom, failures };
}
