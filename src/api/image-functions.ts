/**
 * The function forms of Image operations (`convert(img, 'L')`, `tobytes(img, 'BGR')`,
 * `encode(img, 'png')`...): each takes a loaded Image and runs the pixel operation on its
 * raster (src/pixels, src/codecs/write.ts).
 */
import type { Image } from '../image.js';
import { fromRaster } from '../image.js';
import type { Mode } from '../core/modes.js';
import { convert as convertRaster, type ConvertOptions } from '../pixels/convert/index.js';
import { RawEncoder, encodeInto as encodeRasterInto, tobytes as rasterTobytes } from '../pixels/encoder.js';
import { encodeRaster, saveRaster } from '../codecs/write.js';
import type { EncodeFormat } from '../codecs/registry.js';
import type { WriteFormat } from '../codecs/write.js';
import type { EncodeOptions } from '../codecs/codec.js';

export type { ConvertOptions, EncodeFormat, EncodeOptions, WriteFormat };
export { RawEncoder };

/**
 * Pillow `img.convert(mode)` of a loaded image: a new image in one allocation, bit-exact.
 * @example
 * const gray = convert(await img.load(), 'L');
 */
export function convert<N extends Mode>(img: Image, mode?: N, options?: ConvertOptions): Image<N> {
  return fromRaster(convertRaster(img._raster('convert'), mode, options));
}

/**
 * Pillow `img.tobytes('raw', rawmode)`: one allocation of the exact size, no join.
 * @example
 * const bgra = tobytes(img, 'BGRA'); // Uint8Array, 4 bytes a pixel
 */
export function toBytes(img: Image, rawmode?: string, options?: ConvertOptions): Uint8Array {
  return rasterTobytes(img._raster('tobytes'), rawmode, options);
}

/** @deprecated Pillow's spelling of `toBytes`. */
export const tobytes = toBytes;

/**
 * Pillow's `Image._getencoder('raw', rawmode)`: yields the raw bytes in blocks of whole rows.
 * @example
 * for (const block of encoder(img, 'BGR').encode(65536)) socket.write(block);
 */
export function encoder(img: Image, rawmode?: string, options?: ConvertOptions): RawEncoder {
  return new RawEncoder(img._raster('tobytes'), rawmode, options);
}

/**
 * Fills `dest` with the image encoded as `rawmode` (default: its own); returns the byte count.
 * @example
 * const n = encodeInto(img, sharedBuffer, 'RGB');
 */
export function encodeInto(img: Image, dest: ArrayBufferView | ArrayBufferLike, rawmode?: string, options?: ConvertOptions): number {
  return encodeRasterInto(img._raster('tobytes'), dest, rawmode, options);
}

/**
 * The file bytes of a loaded image in a writable format (the formats table lists them).
 * @example
 * const png = await encode(img, 'png', { compressionLevel: 9 });
 */
export function encode(img: Image, format: WriteFormat, options?: EncodeOptions): Promise<Buffer> {
  return encodeRaster(img._raster('encode'), format, options);
}

/**
 * Saves a loaded image; the format comes from the extension unless given.
 * @example
 * await save(img, 'out.jpg', undefined, { quality: 90 });
 */
export function save(img: Image, path: string, format?: WriteFormat | null, options?: EncodeOptions): Promise<void> {
  return saveRaster(img._raster('save'), path, format, options);
}
