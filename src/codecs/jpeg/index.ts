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
import { decodeWithNative } from './native.js';

/** Reads a growing prefix until the marker walk reaches SOS. */
function readHeader(input: Input, name: string): Promise<JpegHeader> {
  return parsePrefix(input, 65536, 4, (head, complete) => parseJpegHeader(head, complete, name));
}

/** The frame's bytes: in memory, or (a file) as a path for a back-end that reads it itself. */
interface Source { whole(): Promise<string | Uint8Array>; bytes(): Promise<Uint8Array> }

/**
 * `order` (RGB files, imread's `order: 'BGR'`): the native back-end writes BGR itself; the wasm
 * back-end packs its RGBA output in that order (the pass it makes anyway); sharp's buffer is
 * permuted in place, so there is still one pixel allocation, but one more pass over it.
 * `into` (a batch slot): only the native back-end decodes into it; the others return their own.
 */
async function decode(source: Source, h: JpegHeader, options: Required<OpenOptions>, name: string, order?: readonly number[], into?: Uint8Array): Promise<Uint8Array> {
  const { backend, loadTruncated } = options;
  const native = nativeJpeg();
  const chosen = await chooseBackend(jpegCodec.backends, backend, name, native !== null);
  if (chosen === 'native' && native !== null) {
    const rawmode = h.mode === 'CMYK' ? 'CMYK;I' : h.mode === 'L' ? 'L' : 'RGB';
    return decodeWithNative(native, await source.bytes(), h, { rawmode, scale: 1, width: h.width, height: h.height }, loadTruncated, name, order, into);
  }
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
    let frame: { h: JpegHeader; bytes?: Uint8Array } = { h };
    const decoding: Decoding = {
      header,
      reorders: h.mode === 'RGB',
      async load({ order, into } = {}) {
        const fh = frame.h;
        if (order !== undefined && (fh.mode !== 'RGB' || order.length !== 3)) throw new Error(`internal: band order for a ${fh.mode} JPEG`);
        const slot = into instanceof Uint8Array ? into : undefined;
        const bytes = frame.bytes;
        const source: Source = bytes === undefined ? input : { whole: () => Promise.resolve(bytes), bytes: () => Promise.resolve(bytes) };
        return decode(source, fh, options, name, order, slot);
      },
      close: () => input.close(),
    };
    const offsets = h.frameOffsets;
    if (offsets !== undefined) {
      // MpoImageFile.seek: the JPEG at the frame's offset, its header read as Pillow's _open reads it
      decoding.seek = async (index: number) => {
        if (index === 0) {
          frame = { h };
          return header;
        }
        const all = await input.bytes();
        const at = offsets[index] ?? -1;
        if (at < 0 || at + 4 > all.length) throw new DecodeError(`No data found for frame ${index} of ${name} (offset ${at}, file of ${all.length} bytes)`, { offset: Math.max(0, at) });
        const bytes = all.subarray(at);
        if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new DecodeError(`${name}: MPO frame ${index} at offset ${at} is not a JPEG`, { offset: at });
        const fh = parseJpegHeader(bytes, true, `${name} frame ${index}`);
        frame = { h: fh, bytes };
        return { format: h.format, mode: fh.mode, width: fh.width, height: fh.height, info: fh.info, nFrames: h.nFrames };
      };
    }
    return decoding;
  },
} satisfies Codec;
