/**
 * WebP back-end 2 (`backend: 'js'`, or when sharp cannot load): libwebp's still-image decoder
 * compiled to WebAssembly (@jsquash/webp, from Squoosh). It decodes to RGBA with libwebp's
 * defaults, as Pillow's decoder does, and equals Pillow on every still fixture; it has no
 * animation decoder, so animated files raise UnsupportedError here.
 *
 * The module writes RGBA into its own heap and copies it out; we pack that into the image's
 * storage (RGB drops the fourth byte, as Pillow's RGBX rawmode does). After any failure the
 * instance is dropped and the next decode gets a fresh one.
 */
import { DecodeError, UnsupportedError } from '../../core/errors.js';
import { shuffle } from '../../pixels/pack.js';
import { emscriptenCodec, type RgbaImage } from '../shared/emscripten.js';
import type { WebpHeader } from './parse.js';

interface WebpModule { decode(data: Uint8Array): RgbaImage | null }

const libwebp = emscriptenCodec<WebpModule>('@jsquash/webp/codec/dec/webp_dec.wasm', () => import('@jsquash/webp/codec/dec/webp_dec.js'));

/** The still image of `bytes` as packed RGB or RGBA (`bands`), bands in `order` when given. */
export async function decodeWebpWithWasm(bytes: Uint8Array, h: WebpHeader, bands: 3 | 4, name: string, order?: readonly number[]): Promise<Uint8Array> {
  if (h.durations.length > 1) throw new UnsupportedError(`${name}: animated WebP needs the sharp backend (the WebAssembly decoder reads still images)`);
  const module = await libwebp.get();
  libwebp.clearMessages();
  let out: RgbaImage | null;
  try {
    out = module.decode(bytes);
  } catch (e) {
    libwebp.reset(); // the module's state after an abort is unknown: start a fresh one
    throw new DecodeError(`failed to decode WebP file ${name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (out === null || out.width !== h.width || out.height !== h.height) {
    throw new DecodeError(`failed to decode WebP file ${name}: decoder returned ${out === null ? 'nothing' : `${String(out.width)}x${String(out.height)}`}, header says ${h.width}x${h.height}`);
  }
  const pixels = h.width * h.height;
  const storage = new Uint8Array(pixels * bands);
  shuffle(4, order ?? (bands === 3 ? [0, 1, 2] : [0, 1, 2, 3]))(new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.length), 0, storage, 0, pixels);
  return storage;
}
