/**
 * JPEG back-end 2 (`backend: 'js'`, or when sharp cannot load): MozJPEG's decoder compiled to
 * WebAssembly (@jsquash/jpeg, from Squoosh). MozJPEG is built on libjpeg-turbo and decodes
 * with the same ISLOW IDCT and fancy upsampling, so 8-bit Huffman RGB and grey files equal
 * Pillow's values (tested on the corpus). Its build only outputs RGBA and has no arithmetic
 * decoder, so CMYK and arithmetic-coded files raise UnsupportedError here.
 *
 * Costs: the module writes RGBA into its own heap and copies it out; we pack that into the
 * image's storage (one more pass). libjpeg's errors end in `exit()` inside the module, which
 * leaves its heap and stack in an unknown state: after any failure the instance is dropped
 * and the next decode gets a fresh one (instantiating the compiled module is cheap next to a decode).
 */
import { readFile } from 'node:fs/promises';
import { DecodeError, TruncatedImageError, UnsupportedError } from '../../core/errors.js';
import { shuffle, type Packer } from '../../pixels/pack.js';
import { emscriptenCodec, type RgbaImage } from '../shared/emscripten.js';
import type { JpegHeader } from './header.js';

interface MozJpegModule { decode(data: Uint8Array, preserveOrientation: boolean): RgbaImage | null }

/** MozJPEG's decoder; its messages are libjpeg's warnings and errors (`output_message` goes to stderr). */
const mozjpeg = emscriptenCodec<MozJpegModule>('@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm', () => import('@jsquash/jpeg/codec/dec/mozjpeg_dec.js'));

const PACK: Record<'L' | 'RGB', Packer> = { L: shuffle(4, [0]), RGB: shuffle(4, [0, 1, 2]) };

/** `order`: the RGB bands in this order (imread's `order: 'BGR'`), packed in the same pass. */
export async function decodeWithWasm(src: string | Uint8Array, h: JpegHeader, loadTruncated: boolean, name: string, order?: readonly number[]): Promise<Uint8Array> {
  if (h.mode !== 'L' && h.mode !== 'RGB') {
    throw new UnsupportedError(`${name}: ${h.mode} JPEG needs the sharp backend (the wasm decoder outputs RGB only)`);
  }
  if (h.sof >= 0xc9) {
    throw new UnsupportedError(`${name}: arithmetic-coded JPEG (SOF 0xFF${h.sof.toString(16).toUpperCase()}) needs the sharp backend`);
  }
  const bytes = typeof src === 'string' ? await readFile(src) : src; // a path: sharp would read it itself
  const module = await mozjpeg.get();
  mozjpeg.clearMessages();
  const messages = mozjpeg.messages;
  let out: RgbaImage | null;
  try {
    out = module.decode(bytes, false);
  } catch (e) {
    mozjpeg.reset(); // the module's state after exit() is unknown: start a fresh one
    const why = messages.at(-1) ?? (e instanceof Error ? e.message : 'decoder aborted');
    if (/premature end/i.test(why)) throw new TruncatedImageError(`image file is truncated: ${name}: ${why}`, { cause: e });
    throw new DecodeError(`broken data stream when reading image file ${name}: ${why}`, { cause: e });
  }
  // libjpeg's memory source inserts a fake EOI at the end of the data and warns: Pillow's
  // "image file is truncated" unless LOAD_TRUNCATED_IMAGES.
  const truncated = messages.find((m) => /premature end/i.test(m));
  if (truncated !== undefined && !loadTruncated) throw new TruncatedImageError(`image file is truncated: ${name}: ${truncated}`);
  if (out === null || out.width !== h.width || out.height !== h.height) {
    throw new DecodeError(`${name}: decoder returned ${out === null ? 'nothing' : `${String(out.width)}x${String(out.height)}`}, header says ${h.width}x${h.height}`);
  }
  const pixels = h.width * h.height;
  const storage = new Uint8Array(pixels * (h.mode === 'L' ? 1 : 3));
  const pack = order === undefined ? PACK[h.mode] : shuffle(4, order);
  pack(new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.length), 0, storage, 0, pixels);
  return storage;
}
