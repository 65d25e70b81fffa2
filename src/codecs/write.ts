/**
 * `encode`/`save`: the writer comes from the registry (a codec's `writer`), by name or by the
 * file extension. Modes a writer takes after a conversion (Pillow's rules, e.g. P -> RGB for
 * JPEG) are converted first; modes it refuses raise UnsupportedError. docs/formats.md lists
 * what each writer keeps.
 */
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { UnsupportedError, checkKeys, invalidArgument } from '../core/errors.js';
import type { Raster } from '../core/types.js';
import { convert } from '../pixels/convert/index.js';
import ndarray from 'ndarray';
import { isPackedStorage, packedData } from '../core/ndarray.js';
import type { EncodeOptions, Writer } from './codec.js';
import { WRITERS, writerForExtension, type EncodeFormat } from './registry.js';

/**
 * A format to write: a writer's name (`'png'`, `'jpeg'`), or Pillow's format name in any case
 * (`img.format`: `'PNG'`, `'JPEG'`; `'JPG'` too).
 */
export type WriteFormat = EncodeFormat | Uppercase<EncodeFormat> | (string & Record<never, never>);

function writerOf(format: WriteFormat): Writer {
  const name = typeof format === 'string' ? format.toLowerCase().replace(/^jpg$/, 'jpeg') : undefined;
  const w = name === undefined ? undefined : WRITERS.get(name);
  if (w === undefined) throw invalidArgument('format', `a writable format (${[...WRITERS.keys()].map((k) => `'${k}'`).join(', ')}, any case)`, format);
  return w;
}

/** Encodes a raster as `format` file bytes (the writer's options are checked first). */
export async function encodeRaster(r: Raster, format: WriteFormat, options: EncodeOptions = {}): Promise<Buffer> {
  const writer = writerOf(format);
  if (typeof options !== 'object' || options === null) throw invalidArgument('options', 'an object', options);
  checkKeys('encode', options, ['quality', 'compressionLevel', 'compressLevel']);
  const to = writer.modes.has(r.mode) ? r.mode : writer.convertFirst?.(r.mode, r.info);
  if (to === undefined) throw new UnsupportedError(`cannot write mode ${r.mode} as ${String(format).toUpperCase()}`);
  writer.checkOptions?.(options);
  let src: Raster = to === r.mode ? r : convert(r, to);
  if (!isPackedStorage(src.pixels)) src = { ...src, pixels: ndarray(packedData(src.pixels), src.pixels.shape.slice()) };
  const bytes = await writer.write(src, options);
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The writer's name for a file name, from its extension (`.png`, `.jpg`...). */
export function formatForPath(path: string): EncodeFormat {
  const ext = extname(path).toLowerCase();
  const name = writerForExtension(ext);
  if (name === undefined) throw invalidArgument('path', `a file name ending in a writable extension, or a format`, path);
  return name;
}

/** Saves a raster to `path`; the format comes from the extension unless given. */
export async function saveRaster(r: Raster, path: string, format?: WriteFormat | null, options?: EncodeOptions): Promise<void> {
  await writeFile(path, await encodeRaster(r, format ?? formatForPath(path), options));
}
