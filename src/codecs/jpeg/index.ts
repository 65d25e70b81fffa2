/**
 * JPEG and MPO (each frame of an MPO is the JPEG at its MP index offset, reached by `seek`).
 * `open` parses the header in TypeScript (`header.ts`); `load` hands the bytes to one of three
 * back-ends: imarray's own libjpeg-turbo decoder (`native.ts` + `turbo.c`, the default where
 * the native kernel has it: prebuilt for linux-x64/arm64), sharp (`sharp.ts`, libvips' libjpeg-turbo,
 * the default elsewhere) or MozJPEG in WebAssembly (`wasm.ts`, `backend: 'js'`, or automatically
 * when neither native one loads). All equal Pillow on 8-bit Huffman RGB / grey files; the wasm
 * one has no CMYK or arithmetic decoding (docs/formats.md, "PNG, JPEG and the back-ends").
 */
import type { Codec, Decoding, OpenOptions } from '../codec.js';
import { parsePrefix, type Input } from '../../core/input.js';
import { parseJpegHeader, type JpegHeader } from './header.js';
import { DecodeError } from '../../core/errors.js';
import { decodeWithSharp } from './sharp.js';
import { chooseBackend } from '../sharp.js';
import { jpegWriter } from './write.js';
import { decodeWithWasm } from './wasm.js';
import { reorderPixels } from '../../pixels/pack.js';
import { nativeJpeg } from '../../kernels/native.js';
import { decodeWithNative, type JpegTarget } from './native.js';
import type { Mode } from '../../core/modes.js';

/** Reads a growing prefix until the marker walk reaches SOS. */
function readHeader(input: Input, name: string): Promise<JpegHeader> {
  return parsePrefix(input, 65536, 4, (head, complete) => parseJpegHeader(head, complete, name));
}

/** Pillow's raw mode for a JPEG of this mode: every 4-component JPEG is read as Adobe's inverted CMYK. */
const rawmodeOf = (h: JpegHeader): JpegTarget['rawmode'] => (h.mode === 'CMYK' ? 'CMYK;I' : h.mode === 'L' ? 'L' : 'RGB');
const fullSize = (h: JpegHeader): JpegTarget => ({ rawmode: rawmodeOf(h), scale: 1, width: h.width, height: h.height });

/**
 * JpegImageFile.draft: `L` or `YCbCr` from an RGB file's raw mode, and the largest DCT scale
 * 1/s (s = 8, 4, 2, 1) with `w // size[0]` and `h // size[1]` both at least s; the size
 * libjpeg then gives is `ceil(w / s)` x `ceil(h / s)`.
 */
function draftTarget(h: JpegHeader, mode: Mode | null, size: readonly [number, number] | null): JpegTarget {
  const rawmode = h.mode === 'RGB' && (mode === 'L' || mode === 'YCbCr') ? mode : rawmodeOf(h);
  let s: JpegTarget['scale'] = 1;
  if (size !== null) {
    const scale = Math.min(Math.floor(h.width / size[0]), Math.floor(h.height / size[1]));
    s = ([8, 4, 2, 1] as const).find((x) => scale >= x) ?? 1;
  }
  return { rawmode, scale: s, width: Math.ceil(h.width / s), height: Math.ceil(h.height / s) };
}

/** The frame's bytes: in memory, or (a file) as a path for a back-end that reads it itself. */
interface Source { whole(): Promise<string | Uint8Array>; bytes(): Promise<Uint8Array> }

/**
 * `order` (RGB files, imread's `order: 'BGR'`): the native back-end writes BGR itself; the wasm
 * back-end packs its RGBA output in that order (the pass it makes anyway); sharp's buffer is
 * permuted in place, so there is still one pixel allocation, but one more pass over it.
 * `into` (a batch slot): only the native back-end decodes into it; the others return their own.
 */
async function decode(source: Source, h: JpegHeader, options: Required<OpenOptions>, name: string, order?: readonly number[], into?: Uint8Array, drafted?: JpegTarget): Promise<Uint8Array> {
  const { backend, loadTruncated } = options;
  const native = nativeJpeg();
  const chosen = await chooseBackend(jpegCodec.backends, backend, name, native !== null);
  if (chosen === 'native' && native !== null) {
    return decodeWithNative(native, await source.bytes(), h, drafted ?? fullSize(h), loadTruncated, name, order, into);
  }
  if (drafted !== undefined) throw new Error(`internal: a drafted JPEG decoded by ${chosen}`);
  const src = await source.whole(); // a path stays a path: sharp reads the file itself
  if (chosen === 'js') return decodeWithWasm(src, h, loadTruncated, name, order);
  const data = await decodeWithSharp(src, h, loadTruncated, name);
  if (order !== undefined) reorderPixels(3, order)(data, 0, h.width * h.height, 3);
  return data;
}

export const jpegCodec = {
  format: 'JPEG',
  description: "JPEG and MPO, every frame (libjpeg-turbo: imarray's own build or sharp's; MozJPEG in WebAssembly)",
  extensions: ['.jpg', '.jpeg', '.jpe', '.jfif', '.mpo'],
  mimeTypes: ['image/jpeg', 'image/mpo'],
  modes: ['L', 'RGB', 'CMYK'],
  backends: ['native', 'sharp', 'js'],
  writer: { name: 'jpeg' as const, writer: jpegWriter },
  fuzz: {
    cases: 800,
    minSeeds: 30,
    truncation: ['jpeg/hopper.jpg', 'jpeg/hopper_gray.jpg', 'jpeg/pil_sample_cmyk.jpg', 'jpeg/testimgint.jpg', 'jpeg/frame_size.mpo'],
    cuts: 150, // each cut is a full sharp decode
  },
  accept: (p) => p[0] === 0xff && p[1] === 0xd8 && p[2] === 0xff,
  async open(input: Input, options: Required<OpenOptions>, name: string): Promise<Decoding> {
    const h = await readHeader(input, name);
    const header = { format: h.format, mode: h.mode, width: h.width, height: h.height, info: h.info, nFrames: h.nFrames };
    // the frame being read: frame 0 is the whole input; an MPO frame is the JPEG at its offset
    // (drafted: what draft() configured for this frame)
    let frame: { h: JpegHeader; bytes?: Uint8Array; drafted?: JpegTarget } = { h };
    const runsNative = () => nativeJpeg() !== null && (options.backend === 'auto' || options.backend === 'native');
    const decoding: Decoding = {
      header,
      // the native decoder runs on Node's thread pool (decode(), not decodeSync, on the main thread)
      get offThread() {
        return runsNative();
      },
      get reorders() {
        return (frame.drafted?.rawmode ?? frame.h.mode) === 'RGB';
      },
      async load({ order, into } = {}) {
        const { h: fh, drafted } = frame;
        if (order !== undefined && ((drafted?.rawmode ?? fh.mode) !== 'RGB' || order.length !== 3)) throw new Error(`internal: band order for a ${fh.mode} JPEG`);
        const slot = into instanceof Uint8Array ? into : undefined;
        const bytes = frame.bytes;
        const source: Source = bytes === undefined ? input : { whole: () => Promise.resolve(bytes), bytes: () => Promise.resolve(bytes) };
        return decode(source, fh, options, name, order, slot, drafted);
      },
      // Pillow's draft, where the native decoder runs (libjpeg's scaling and colour spaces;
      // sharp's shrink-on-load and MozJPEG's build give other pixels): null elsewhere and on
      // a second call (Pillow's decoderconfig guard)
      draft(mode, size) {
        if (!runsNative() || frame.drafted !== undefined) return null;
        const t = draftTarget(frame.h, mode, size);
        frame = { ...frame, drafted: t };
        return { mode: t.rawmode === 'CMYK;I' ? 'CMYK' : t.rawmode, width: t.width, height: t.height, scale: t.scale };
      },
      close: () => input.close(),
    };
    const offsets = h.frameOffsets;
    if (offsets !== undefined) {
      // MpoImageFile.seek: the JPEG at the frame's offset, its header read as Pillow's _open
      // reads it, into the info it had (Pillow never clears it): the old exif dropped, the
      // frame's keys (mp, exif, xmp...) over the rest, and its MP header's file offset as
      // `mpoffset` (which Pillow removes only at open)
      let info = header.info;
      decoding.seek = async (index: number) => {
        let fh = h;
        let bytes: Uint8Array | undefined;
        let at = 0;
        if (index !== 0) {
          const all = await input.bytes();
          at = offsets[index] ?? -1;
          if (at < 0 || at + 4 > all.length) throw new DecodeError(`No data found for frame ${index} of ${name} (offset ${at}, file of ${all.length} bytes)`, { offset: Math.max(0, at) });
          bytes = all.subarray(at);
          if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new DecodeError(`${name}: MPO frame ${index} at offset ${at} is not a JPEG`, { offset: at });
          fh = parseJpegHeader(bytes, true, `${name} frame ${index}`);
        }
        const kept = { ...info };
        delete kept.exif;
        info = { ...kept, ...fh.info };
        if (fh.mpOffset !== undefined) info.mpoffset = at + fh.mpOffset;
        frame = bytes === undefined ? { h } : { h: fh, bytes };
        return { format: h.format, mode: fh.mode, width: fh.width, height: fh.height, info, nFrames: h.nFrames };
      };
    }
    return decoding;
  },
} satisfies Codec;
