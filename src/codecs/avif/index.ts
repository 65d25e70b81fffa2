/**
 * AVIF (Pillow's AvifImagePlugin, libavif): the header from the ISOBMFF boxes (./parse.ts), the
 * mode as Pillow gives it (`RGBA` when an alpha image is present, `L` for a monochrome AV1
 * stream, else `RGB`), `irot`/`imir` reported as the EXIF orientation (Pillow does not rotate
 * AVIF pixels), `icc_profile`, `exif`, `xmp`, and per frame `timestamp` and `duration`.
 *
 * Pixels: imarray's native decoder (`native.ts` + `dav1d.c`, the default where the native kernel
 * has it: prebuilt for linux-x64/arm64): dav1d decodes the AV1 samples parse.ts finds and libyuv
 * converts them as Pillow's libavif does: every fixture and frame equals Pillow 12.3. Elsewhere,
 * with `backend: 'js'`, or for what the native decoder does not convert (more than 8 bits, grid
 * images, premultiplied alpha): libavif compiled to WebAssembly (@jsquash/avif: libavif 1.0 with
 * dav1d), whose own YUV -> RGB conversion is within 2 (4:2:0) or 1 (4:4:4) of Pillow's (grey
 * and alpha exact; test/codecs/avif holds the bounds), first frame of a sequence only.
 */
import { DecodeError, TruncatedImageError, UnidentifiedImageError, UnsupportedError } from '../../core/errors.js';
import type { Input } from '../../core/input.js';
import { allocate, type ArrayOf, type Mode } from '../../core/modes.js';
import type { ImageInfo } from '../../core/types.js';
import { shuffle } from '../../pixels/pack.js';
import type { Codec, Decoding, Header, OpenOptions } from '../codec.js';
import { exifOrientation, exifWithOrientation, newExifWithOrientation } from '../shared/exif.js';
import { emscriptenCodec, type RgbaImage } from '../shared/emscripten.js';
import { AvifFormatError, isAvif, parseAvif, type AvifHeader } from './parse.js';
import { nativeAvif } from '../../kernels/native.js';
import { chooseBackend } from '../sharp.js';
import { decodeWithNative } from './native.js';

interface AvifModule { decode(data: Uint8Array, bitDepth: 8): RgbaImage | null }
const libavif = emscriptenCodec<AvifModule>('@jsquash/avif/codec/dec/avif_dec.wasm', () => import('@jsquash/avif/codec/dec/avif_dec.js'));

/** _avif.c's irot_imir_to_exif_orientation. */
export function orientationOf(rotation: number, mirror: number): number {
  const imir = mirror >= 0;
  const axis = mirror === 1;
  if (rotation === 1) return imir ? (axis ? 7 : 5) : 8;
  if (rotation === 2) return imir ? (axis ? 4 : 2) : 3;
  if (rotation === 3) return imir ? (axis ? 5 : 7) : 6;
  if (imir) return axis ? 2 : 4;
  return 1;
}

/** Pillow's `_open` info: the ICC profile, XMP, and EXIF carrying the irot/imir orientation. */
function infoOf(h: AvifHeader): ImageInfo {
  const info: ImageInfo = {};
  if (h.icc !== undefined) info.icc_profile = h.icc;
  if (h.xmp !== undefined) info.xmp = h.xmp;
  let exif = h.exif;
  const o = orientationOf(h.rotation, h.mirror);
  if (o !== 1 || exif !== undefined) {
    const original = exif === undefined ? 1 : exifOrientation(exif) ?? 1;
    if (o !== original) exif = exif === undefined ? newExifWithOrientation(o) : exifWithOrientation(exif, o);
  }
  if (exif !== undefined) info.exif = exif;
  return info;
}

async function decodeFrame(bytes: Uint8Array, h: AvifHeader, mode: Mode, into: ArrayOf<Mode> | undefined, name: string): Promise<ArrayOf<Mode>> {
  const module = await libavif.get();
  libavif.clearMessages();
  let out: RgbaImage | null;
  try {
    out = module.decode(bytes, 8);
  } catch (e) {
    libavif.reset();
    out = null;
    if (!h.truncated) throw new DecodeError(`Failed to decode frame 0 of ${name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (out === null || out.width !== h.width || out.height !== h.height) {
    const why = `libavif returned ${out === null ? 'nothing' : `${out.width}x${out.height}`}, the header says ${h.width}x${h.height}`;
    if (h.truncated) throw new TruncatedImageError(`image file is truncated: ${name}: the file ends inside its last box and ${why}`);
    throw new DecodeError(`Failed to decode frame 0 of ${name}: ${why}`);
  }
  const pixels = h.width * h.height;
  const storage = (into ?? allocate(mode, h.width, h.height)) as Uint8Array;
  const rgba = new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.length);
  shuffle(4, mode === 'RGBA' ? [0, 1, 2, 3] : mode === 'RGB' ? [0, 1, 2] : [0])(rgba, 0, storage, 0, pixels);
  return storage;
}

export const avifCodec = {
  format: 'AVIF',
  description: 'AVIF, still and sequences (dav1d + libyuv as Pillow\'s libavif converts; WebAssembly libavif: first frame, colour within 2 of Pillow)',
  extensions: ['.avif', '.avifs'],
  mimeTypes: ['image/avif'],
  backends: ['native', 'js'],
  modes: ['RGB', 'RGBA', 'L'],
  fuzz: { cases: 100, minSeeds: 10, truncation: ['avif/hopper.avif'], cuts: 60 },
  accept: isAvif,
  async open(input: Input, options: Required<OpenOptions>, name: string): Promise<Decoding> {
    const s = await input.bytes();
    let h: AvifHeader;
    try {
      h = parseAvif(s);
    } catch (e) {
      if (e instanceof AvifFormatError && /the file is cut/.test(e.message)) throw new TruncatedImageError(`image file is truncated: ${name}: ${e.message}`, { cause: e });
      if (e instanceof AvifFormatError) throw new UnidentifiedImageError(`cannot identify image file ${name}: ${e.message}`, { cause: e });
      throw e;
    }
    if (h.width === 0 || h.height === 0) throw new UnidentifiedImageError(`cannot identify image file ${name}: size ${h.width}x${h.height}`);
    const mode: Mode = h.alpha ? 'RGBA' : h.monochrome ? 'L' : 'RGB';
    const info = infoOf(h);
    const header: Header = { format: 'AVIF', mode, width: h.width, height: h.height, info, nFrames: h.frames };
    let frame = 0;
    const native = nativeAvif();
    const chosen = await chooseBackend(avifCodec.backends, options.backend, name, native !== null);
    return {
      header,
      offThread: chosen === 'native',
      async load({ into } = {}) {
        let out = chosen === 'native' && native !== null ? await decodeWithNative(native, h, mode, frame, name, into) : null;
        if (out === null) {
          // the WebAssembly libavif: what the native decoder does not convert, or backend 'js'
          if (frame > 0) throw new UnsupportedError(`${name}: frame ${frame} of an AVIF image sequence (the WebAssembly decoder reads the first frame only)`);
          out = await decodeFrame(s, h, mode, into, name);
        }
        const [pts, duration] = h.timing[frame] ?? [0, 1];
        info.timestamp = Math.round((1000 * pts) / h.timescale);
        info.duration = Math.round((1000 * duration) / h.timescale);
        return out;
      },
      seek(index: number): Promise<Header> {
        frame = index;
        return Promise.resolve({ ...header, info });
      },
      close: () => input.close(),
    };
  },
} satisfies Codec;
