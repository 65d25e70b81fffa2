/**
 * Writing images: PNG and JPEG through sharp (libvips), from the image's storage with no
 * intermediate copy when it is contiguous. Mode handling follows Pillow where sharp can:
 * L / LA / RGB / RGBA as they are, I;16 as 16-bit grey PNG, JPEG quality 75 with 4:2:0 like
 * Pillow's defaults. Where sharp cannot write what Pillow writes, the pixels are kept but the
 * file differs (README "Formats"): mode 1 is written as 8-bit grey 0/255, P as RGB / RGBA.
 * Modes Pillow also refuses (RGBA/LA as JPEG, I/F as PNG here) raise UnsupportedError.
 */
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { UnsupportedError, invalidArgument } from '../core/errors.js';
import type { Image } from '../image.js';
import { bandCount, type Mode } from '../core/modes.js';
import { loadSharp } from './jpeg/sharp.js';

export type EncodeFormat = 'png' | 'jpeg';
export interface EncodeOptions {
  /** JPEG quality 1-100 (Pillow's default 75). */
  quality?: number;
  /** PNG zlib level 0-9 (Pillow's default 6). */
  compressLevel?: number;
}

const WRITABLE: Record<EncodeFormat, ReadonlySet<Mode>> = {
  png: new Set<Mode>(['1', 'L', 'LA', 'P', 'RGB', 'RGBA', 'I;16']),
  jpeg: new Set<Mode>(['1', 'L', 'P', 'RGB']),
};

/** Encodes a loaded image as PNG or JPEG bytes. */
export async function encode(img: Image, format: EncodeFormat, options: EncodeOptions = {}): Promise<Buffer> {
  if (format !== 'png' && format !== 'jpeg') throw invalidArgument('format', "'png' or 'jpeg'", format);
  if (!WRITABLE[format].has(img.mode)) throw new UnsupportedError(`cannot write mode ${img.mode} as ${format.toUpperCase()}`);
  const quality = options.quality ?? 75;
  const level = options.compressLevel ?? 6;
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw invalidArgument('options.quality', 'an integer 1-100', quality);
  if (!Number.isInteger(level) || level < 0 || level > 9) throw invalidArgument('options.compressLevel', 'an integer 0-9', level);
  let src: Image = img;
  if (img.mode === '1') src = await img.convert('L');
  else if (img.mode === 'P') src = await img.convert(img.info.transparency !== undefined && format === 'png' ? 'RGBA' : 'RGB');
  const data = src._storage();
  const sixteen = src.mode === 'I;16';
  const channels = bandCount(src.mode);
  const sharp = await loadSharp().catch((e: unknown) => {
    throw new UnsupportedError('encode: needs sharp, which cannot load here', { cause: e });
  });
  let pipeline = sharp(data, {
    raw: { width: src.width, height: src.height, channels: channels as 1 | 2 | 3 | 4, ...(sixteen ? { depth: 'ushort' as const } : {}) },
  });
  if (sixteen) pipeline = pipeline.toColourspace('grey16');
  else if (channels <= 2) pipeline = pipeline.toColourspace('b-w');
  pipeline = format === 'png' ? pipeline.png({ compressionLevel: level }) : pipeline.jpeg({ quality, chromaSubsampling: '4:2:0' });
  return pipeline.toBuffer();
}

/** Saves to `path`; the format comes from the extension (.png, .jpg, .jpeg) unless given. */
export async function save(img: Image, path: string, format?: EncodeFormat, options?: EncodeOptions): Promise<void> {
  const ext = extname(path).toLowerCase();
  const fmt = format ?? (ext === '.png' ? 'png' : ext === '.jpg' || ext === '.jpeg' ? 'jpeg' : undefined);
  if (fmt === undefined) throw invalidArgument('path', 'a .png / .jpg / .jpeg name, or a format', path);
  await writeFile(path, await encode(img, fmt, options));
}
