/**
 * JPEG back-end 1 (default): sharp / libvips, which bundles libjpeg-turbo's decoder (ISLOW
 * IDCT, fancy upsampling), the same as Pillow's. With Pillow's settings (ICC profile NOT
 * applied, source colourspace kept, EXIF orientation NOT applied) the output equals Pillow's
 * value for value. sharp allocates the result itself and hands it over without a copy; that
 * buffer becomes the image's storage: one pixel allocation, no copy.
 */
import { loadSharp } from '../sharp.js';
import type { OutputInfo } from 'sharp';
import { DecodeError, TruncatedImageError, UnidentifiedImageError } from '../../core/errors.js';
import type { JpegHeader } from './header.js';

const firstLine = (msg: string): string => msg.split('\n')[0] ?? msg;

export async function decodeWithSharp(src: string | Uint8Array, h: JpegHeader, loadTruncated: boolean, name: string): Promise<Uint8Array> {
  const sharp = await loadSharp();
  let pipeline = sharp(src, {
    ignoreIcc: true,
    failOn: loadTruncated ? 'none' : 'truncated',
    limitInputPixels: false, // imarray's own bomb check ran at open()
  });
  if (h.mode === 'L') pipeline = pipeline.toColourspace('b-w');
  else if (h.mode === 'CMYK') pipeline = pipeline.pipelineColourspace('cmyk').toColourspace('cmyk');
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await pipeline.raw().toBuffer({ resolveWithObject: true });
  } catch (e) {
    const msg = firstLine(e instanceof Error ? e.message : String(e));
    if (/premature end|truncated/i.test(msg)) throw new TruncatedImageError(`image file is truncated: ${name}: ${msg}`, { cause: e });
    if (/unsupported|not a known|bad input/i.test(msg)) throw new UnidentifiedImageError(`cannot identify image file ${name}: ${msg}`, { cause: e });
    throw new DecodeError(`broken data stream when reading image file ${name}: ${msg}`, { cause: e });
  }
  const { data, info } = out;
  const bands = h.mode === 'L' ? 1 : h.mode === 'RGB' ? 3 : 4;
  if (info.width !== h.width || info.height !== h.height || info.channels !== bands) {
    throw new DecodeError(`${name}: decoder returned ${info.width}x${info.height}x${info.channels}, header says ${h.width}x${h.height}x${bands}`);
  }
  // Pillow reads every 4-component JPEG as Adobe-inverted CMYK (rawmode CMYK;I); libvips
  // inverts them all the same way, with or without an APP14 marker (tested both).
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
}
