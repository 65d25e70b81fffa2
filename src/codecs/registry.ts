/**
 * The built-in codecs: the one list of formats. `open` tries them in order on the first 16
 * bytes (never the file extension); every other list of formats (writers, the CLI's file
 * filter, fuzz and truncation targets, the conformance harness, the README's formats table)
 * is derived from this one. Adding a format: a folder under src/codecs and one line here
 * (docs/architecture.md, "Adding a format").
 */
import type { Codec, Writer } from './codec.js';
import { jpegCodec } from './jpeg/index.js';
import { pngCodec } from './png/index.js';
import { qoiCodec } from './qoi/index.js';
import { ppmCodec } from './ppm/index.js';
import { xbmCodec } from './xbm/index.js';
import { bmpCodec, dibCodec } from './bmp/index.js';
import { tgaCodec } from './tga/index.js';
import { gifCodec } from './gif/index.js';
import { curCodec, icoCodec } from './ico/index.js';
import { pcxCodec } from './pcx/index.js';
import { psdCodec } from './psd/index.js';
import { xpmCodec } from './xpm/index.js';
import { gbrCodec } from './gbr/index.js';
import { sgiCodec } from './sgi/index.js';
import { webpCodec } from './webp/index.js';
import { tiffCodec } from './tiff/index.js';
import { jpeg2000Codec } from './jpeg2000/index.js';
import { avifCodec } from './avif/index.js';

export const CODECS = [pngCodec, jpegCodec, gifCodec, icoCodec, curCodec, qoiCodec, ppmCodec, xbmCodec, pcxCodec, psdCodec, xpmCodec, sgiCodec, bmpCodec, dibCodec, gbrCodec, webpCodec, tiffCodec, jpeg2000Codec, avifCodec, tgaCodec] as const satisfies readonly Codec[];

/** The name `encode`/`save` take for a format with a writer: `'png'`, `'jpeg'`. */
export type EncodeFormat = Extract<(typeof CODECS)[number], { writer: unknown }>['writer']['name'];

/** The codec whose `accept` takes these first bytes, if any. */
export function identify(prefix: Uint8Array): Codec | undefined {
  return CODECS.find((c: Codec) => c.accept(prefix));
}

/**
 * Every codec whose `accept` takes these bytes, in order: as in Pillow, a codec whose `open`
 * finds the file is not its format after all (UnidentifiedImageError) hands over to the next
 * (a TGA file can start like a cursor directory).
 */
export function candidates(prefix: Uint8Array): Codec[] {
  return CODECS.filter((c: Codec) => c.accept(prefix));
}

/** Writers by name. */
export const WRITERS: ReadonlyMap<string, Writer> = new Map(
  CODECS.flatMap((c: Codec) => (c.writer === undefined ? [] : [[c.writer.name, c.writer.writer] as const])),
);

/** The writer name for a file extension ('.jpg' -> 'jpeg'), if a format with a writer claims it. */
export function writerForExtension(ext: string): EncodeFormat | undefined {
  const c: Codec | undefined = CODECS.find((k: Codec) => k.writer !== undefined && k.extensions.includes(ext));
  return c?.writer?.name as EncodeFormat | undefined;
}

/** Every extension of every format (lower case, with the dot): what `imarray batch` picks up in a folder. */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set(CODECS.flatMap((c: Codec) => c.extensions));

/** Whether a file name has the extension of a format imarray reads. */
export const isImageFile = (name: string): boolean => {
  const dot = name.lastIndexOf('.');
  return dot > 0 && IMAGE_EXTENSIONS.has(name.slice(dot).toLowerCase());
};
