/**
 * `backends()`: which decoders and kernels this process runs, and why not the others: sharp
 * (native libvips) for the formats that use it, the optional native kernel, and the
 * WebAssembly SIMD kernels. `imarray --version` prints it.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { CODECS } from '../codecs/registry.js';
import type { Codec } from '../codecs/codec.js';
import { loadSharp } from '../codecs/sharp.js';
import { NATIVE_PATHS, nativeAvif, nativeDeflate, nativeJ2k, nativeJpeg, nativeKernel, nativeLzma, nativeOrigin } from '../kernels/native.js';
import { resampleSimdAvailable } from '../pixels/resize/accelerated.js';

/** One implementation: whether it runs here, and if not, why. */
export interface BackendStatus {
  available: boolean;
  /** What runs (e.g. the native kernel's CPU path, sharp's libvips version), or why it does not. */
  detail: string;
}

/** What `backends()` reports: the versions, and each back-end's status. */
export interface BackendsReport {
  /** imarray's version (package.json). */
  version: string;
  /** Node's version, platform and architecture. */
  runtime: string;
  /** sharp (libvips): the default decoder of JPEG and the only one of WebP. */
  sharp: BackendStatus;
  /** The optional native kernel (byte permutes, page prefaulting): prebuilt (linux-x64/arm64) or built with a C compiler by scripts/build-native.mjs. */
  native: BackendStatus;
  /** imarray's own libjpeg-turbo JPEG decoder, part of the native kernel where it was built with it. */
  nativeJpeg: BackendStatus;
  /** imarray's own OpenJPEG JPEG 2000 decoder, part of the native kernel where it was built with it. */
  nativeJpeg2000: BackendStatus;
  /** imarray's own dav1d + libyuv AVIF decoder, part of the native kernel where it was built with it. */
  nativeAvif: BackendStatus;
  /** liblzma for LZMA-compressed TIFF, part of the native kernel where it was built with it. */
  nativeLzma: BackendStatus;
  /** libdeflate for Deflate-compressed TIFF strips, part of the native kernel where it was built with it (else node:zlib inflates them). */
  nativeDeflate: BackendStatus;
  /** WebAssembly SIMD (PNG unfilter, resampling, CHW planes, permutes without the native kernel). */
  wasmSimd: BackendStatus;
  /** Per format: its decoders, the one `backend: 'auto'` picks first, and whether each runs here. */
  formats: { format: string; decoders: string[]; auto: string }[];
}

const require = createRequire(import.meta.url);

/**
 * Reports which back-ends run in this process and why the others do not.
 * @example
 * const b = await backends();
 * if (!b.sharp.available) console.warn(`JPEG decodes in WebAssembly: ${b.sharp.detail}`);
 */
export async function backends(): Promise<BackendsReport> {
  const pkg = require('../../package.json') as { version: string };
  const sharp: BackendStatus = await loadSharp().then(
    (s) => ({ available: true, detail: `sharp ${s.versions.sharp ?? '?'}, libvips ${s.versions.vips}` }),
    (e: unknown) => ({ available: false, detail: `sharp cannot load: ${e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e)}` }),
  );
  const nk = nativeKernel();
  const origin = nativeOrigin();
  const present = NATIVE_PATHS.filter((p) => existsSync(new URL(`../../${p}`, import.meta.url)));
  const why = process.env.IMARRAY_NATIVE === '0' ? 'switched off (IMARRAY_NATIVE=0)'
    : present.length > 0 ? `present but does not load on this machine (${origin.failures.join('; ') || present.join(', ')})`
    : `not built: no prebuilt kernel for ${process.platform}-${process.arch} (node node_modules/imarray/scripts/build-native.mjs builds one with a C compiler)`;
  const native: BackendStatus = nk !== null ? { available: true, detail: `${nk.kernel} (${origin.path})` } : { available: false, detail: why };
  /** A library linked into the native kernel: its version, or why it is not there and what runs instead. */
  const library = (lib: { version: string } | null, name: string, fetch: string, instead: string): BackendStatus => (lib !== null
    ? { available: true, detail: `${name} ${lib.version} (${origin.path})` }
    : { available: false, detail: nk === null && origin.path === '' ? why : `the native kernel was built without ${name} (scripts/fetch-sources.sh, ${fetch}then \`npm run native\`); ${instead}` });
  const nativeJpegStatus = library(nativeJpeg(), 'libjpeg-turbo', '', 'JPEG decodes through sharp');
  const nativeJ2kStatus = library(nativeJ2k(), 'OpenJPEG', '', 'JPEG 2000 decodes in WebAssembly (1 and 3 components)');
  const avif = nativeAvif();
  const nativeAvifStatus = library(avif === null ? null : { version: `${avif.version} + libyuv` }, 'dav1d', 'meson, ', 'AVIF decodes in WebAssembly (colour within 2 of Pillow, first frame of sequences)');
  const nativeLzmaStatus = library(nativeLzma(), 'liblzma', '', 'LZMA-compressed TIFF raises UnsupportedError');
  const nativeDeflateStatus = library(nativeDeflate(), 'libdeflate', '', 'Deflate TIFF strips inflate through node:zlib');
  const simd = resampleSimdAvailable();
  const wasmSimd: BackendStatus = { available: simd, detail: simd ? 'WebAssembly SIMD' : 'this engine has no WebAssembly SIMD: the JavaScript kernels run' };
  const formats = CODECS.map((c: Codec) => {
    const decoders = [...(c.backends ?? ['js'])];
    // the native decoder of each format that has one: OpenJPEG for JPEG 2000, dav1d for AVIF, libjpeg-turbo for JPEG
    const native = c.format === 'JPEG2000' ? nativeJ2kStatus : c.format === 'AVIF' ? nativeAvifStatus : nativeJpegStatus;
    const runs = { native: native.available, sharp: sharp.available, js: true };
    const auto = decoders.find((d) => runs[d]) ?? 'none';
    return { format: c.format, decoders, auto };
  });
  return { version: pkg.version, runtime: `node ${process.version} ${process.platform}-${process.arch}`, sharp, native, nativeJpeg: nativeJpegStatus, nativeJpeg2000: nativeJ2kStatus, nativeAvif: nativeAvifStatus, nativeLzma: nativeLzmaStatus, nativeDeflate: nativeDeflateStatus, wasmSimd, formats };
}
