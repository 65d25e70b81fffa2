/**
 * The TIFF compressions imarray does not decode in TypeScript, through sharp's libtiff (the
 * library Pillow itself hands them to): JPEG (YCbCr to RGB in libjpeg, as Pillow asks with
 * JPEGCOLORMODE_RGB), YCbCr data libtiff reads as RGBA, CCITT RLE / Group 3 / Group 4 (1-bit).
 * sharp's libtiff has no old-style JPEG, LZMA, Zstd or WebP codec: those raise UnsupportedError. The page's pixels come back in sharp's band layout and are checked
 * against the mode Pillow's table gave; bilevel values become 0/1.
 */
import { DecodeError, TruncatedImageError } from '../../core/errors.js';
import { bandCount, type ArrayOf, type Mode } from '../../core/modes.js';
import { loadSharp } from '../sharp.js';
import type { Layout } from './layout.js';

/** Compressions handed to sharp (libtiff). */
export const SHARP_COMPRESSIONS = new Set([2, 3, 4, 7]);

const firstLine = (msg: string): string => msg.split('\n')[0] ?? msg;

/** Page `page` of the TIFF in `s` (its bytes, or the file's path: libtiff reads it itself), decoded by sharp at its stored size, in Pillow's layout for `l.mode`. */
export async function decodeTiffWithSharp(s: Uint8Array | string, page: number, l: Layout, loadTruncated: boolean, name: string): Promise<ArrayOf<Mode>> {
  const sharp = await loadSharp();
  let pipeline = sharp(s, { page, ignoreIcc: true, failOn: loadTruncated ? 'none' : 'error', limitInputPixels: false });
  if (l.mode === 'CMYK') pipeline = pipeline.pipelineColourspace('cmyk').toColourspace('cmyk');
  else if (l.mode === '1' || l.mode === 'L') pipeline = pipeline.toColourspace('b-w');
  let data: Buffer;
  let channels: number;
  let width: number;
  let height: number;
  try {
    const out = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    ({ data } = out);
    ({ channels, width, height } = out.info);
  } catch (e) {
    const msg = firstLine(e instanceof Error ? e.message : String(e));
    if (/premature end|truncated|read error/i.test(msg)) throw new TruncatedImageError(`image file is truncated: ${name}: ${msg}`, { cause: e });
    throw new DecodeError(`decoder error -2: ${name}: ${msg}`, { cause: e });
  }
  const bands = bandCount(l.mode);
  if (width !== l.width || height !== l.height || channels !== bands) {
    throw new DecodeError(`${name}: libtiff gave ${width}x${height}x${channels} for a ${l.width}x${l.height} ${l.mode} page`);
  }
  const px = new Uint8Array(data.buffer, data.byteOffset, data.length);
  if (l.mode === '1') for (let i = 0; i < px.length; i++) px[i] = px[i] >= 128 ? 1 : 0;
  return px;
}
