/**
 * ICO and CUR (Pillow 12's IcoImagePlugin and CurImagePlugin). ICO: the largest entry (the
 * lowest colour depth among equal sizes, Pillow's sort); a PNG entry keeps its PNG mode (our PNG
 * decoder), a BMP entry becomes `RGBA` with its AND mask (or, at 32 bits, its alpha bytes) as
 * alpha. CUR: the first entry larger than the others in both sides; 1-bit and grey cursors are
 * `LA` (XOR bitmap with the AND mask as alpha, Pillow >= 12.3), others keep the bitmap's mode.
 */
import ndarray from 'ndarray';
import { TruncatedImageError, UnidentifiedImageError } from '../../core/errors.js';
import { u16le, u32le } from '../../core/bytes.js';
import { Input } from '../../core/input.js';
import { checkDecompressionBomb } from '../../core/limits.js';
import { shapeOf, type ArrayOf, type Mode } from '../../core/modes.js';
import type { ImageInfo, Raster } from '../../core/types.js';
import { convert } from '../../pixels/convert/index.js';
import { unpacker } from '../../pixels/unpack.js';
import type { Codec, Decoding, Header, LoadOptions, OpenOptions } from '../codec.js';
import { pngCodec } from '../png/index.js';
import { PNG_SIGNATURE } from '../png/chunks.js';
import { loadBitmap } from '../bmp/index.js';
import { parseBitmap, type Bitmap } from '../bmp/header.js';

interface Entry { width: number; height: number; bpp: number; depth: number; size: number; offset: number }

/** Pillow's IcoFile directory: entries sorted by colour depth, then by area, largest first. */
function directory(s: Uint8Array, name: string): Entry[] {
  const n = u16le(s, 4);
  const entries: Entry[] = [];
  for (let i = 0; i < n; i++) {
    const e = 6 + 16 * i;
    if (e + 16 > s.length) throw new TruncatedImageError(`Truncated File Read: ${name}: icon directory entry ${i} at offset ${e}`);
    const width = s[e] || 256;
    const height = s[e + 1] || 256;
    const colors = s[e + 2];
    const bpp = u16le(s, e + 6);
    entries.push({ width, height, bpp, depth: bpp || (colors !== 0 ? Math.ceil(Math.log2(colors)) : 0) || 256, size: u32le(s, e + 8), offset: u32le(s, e + 12) });
  }
  entries.sort((a, b) => a.depth - b.depth);
  entries.sort((a, b) => b.width * b.height - a.width * a.height);
  return entries;
}

const isPng = (s: Uint8Array, at: number): boolean => PNG_SIGNATURE.every((b, i) => s[at + i] === b);

/** A 1-byte-per-pixel mask from rows of `rawmode` bits/bytes, bottom-up (Pillow's frombuffer with orientation -1). */
function readMask(s: Uint8Array, at: number, width: number, height: number, rawmode: '1;I' | 'L', stride: number, skip = 0, step = 1): Uint8Array | undefined {
  const need = rawmode === 'L' ? width * height * step : stride * height;
  if (at + need > s.length) return undefined;
  const mask = new Uint8Array(width * height);
  for (let r = 0; r < height; r++) {
    const y = height - 1 - r;
    if (rawmode === 'L') for (let x = 0; x < width; x++) mask[y * width + x] = s[at + (r * width + x) * step + skip];
    else unpacker('1', '1;I')!.unpack(s, at + r * stride, mask, y * width, width, 1);
  }
  if (rawmode === '1;I') for (let i = 0; i < mask.length; i++) mask[i] *= 255;
  return mask;
}

function raster<M extends Mode>(mode: M, width: number, height: number, data: ArrayOf<M>, b?: Bitmap): Raster<M> {
  return { mode, width, height, info: {}, palette: b?.palette, pixels: ndarray(data, shapeOf(mode, width, height)) };
}

/** Pillow's IcoFile.frame for a BMP entry: the DIB's top half, converted to RGBA with the mask as alpha. */
async function loadIcoBitmap(s: Uint8Array, e: Entry, b: Bitmap, name: string, loadTruncated: boolean): Promise<Uint8Array> {
  const half = { ...b, height: Math.floor(b.height / 2) };
  const px = await loadBitmap(Input.from(s), half, undefined, name, loadTruncated);
  let mask: Uint8Array | undefined;
  if (e.bpp === 32) {
    mask = readMask(s, b.dataOffset, half.width, half.height, 'L', 0, 3, 4);
  } else {
    const w32 = Math.ceil(half.width / 32) * 32;
    const total = (w32 * half.height) / 8;
    mask = readMask(s, e.offset + e.size - total, half.width, half.height, '1;I', w32 / 8);
  }
  if (mask === undefined && !loadTruncated) throw new TruncatedImageError(`image file is truncated: ${name}: the icon's mask ends past the file`);
  const rgba = convert(raster(half.mode, half.width, half.height, px, b), 'RGBA').pixels.data;
  if (mask !== undefined) for (let i = 0; i < mask.length; i++) rgba[i * 4 + 3] = mask[i];
  return rgba;
}

async function openIco(input: Input, options: Required<OpenOptions>, name: string): Promise<Decoding> {
  const s = await input.bytes();
  const entries = directory(s, name);
  if (entries.length === 0) throw new UnidentifiedImageError(`cannot identify image file ${name}: no icons in the ICO file`);
  const e = entries[0];
  const info: ImageInfo = { sizes: [...new Set(entries.map((x) => `${x.width}x${x.height}`))].map((k) => k.split('x').map(Number)) };
  if (isPng(s, e.offset)) {
    const png = await pngCodec.open(Input.from(s.subarray(e.offset)), options, name);
    checkDecompressionBomb(png.header.width, png.header.height, options.maxImagePixels);
    const header: Header = { ...png.header, format: 'ICO', info: { ...png.header.info, ...info }, nFrames: 1 };
    return { header, load: (o?: LoadOptions) => png.load(o), close: () => png.close() };
  }
  const b = parseBitmap(s, e.offset, 0, false, name);
  checkDecompressionBomb(b.width, b.height, options.maxImagePixels);
  const height = Math.floor(b.height / 2);
  const header: Header = { format: 'ICO', mode: 'RGBA', width: b.width, height, info, nFrames: 1 };
  return {
    header,
    load: () => loadIcoBitmap(s, e, b, name, options.loadTruncated),
    close: () => input.close(),
  };
}

/** Pillow's CurImageFile.load_end: LA from the XOR bitmap (bottom half) under the inverted AND mask (top half). */
function cursorLA(full: Uint8Array, width: number, height: number): Uint8Array {
  const h = Math.floor(height / 2);
  const out = new Uint8Array(width * h * 2);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < width; x++) {
      const m = 255 - full[y * width + x];
      const xor = full[(y + h) * width + x];
      const o = (y * width + x) * 2;
      // Pillow's paste blend of (xor, 255) over (0, 0) with mask m
      const blend = (v: number): number => {
        const t = v * m + 128;
        return ((t >> 8) + t) >> 8;
      };
      out[o] = blend(xor);
      out[o + 1] = blend(255);
    }
  }
  return out;
}

async function openCur(input: Input, options: Required<OpenOptions>, name: string): Promise<Decoding> {
  const s = await input.bytes();
  let m = -1;
  for (let i = 0, n = u16le(s, 4); i < n; i++) {
    const e = 6 + 16 * i;
    if (e + 16 > s.length) break;
    if (m < 0 || (s[e] > s[m] && s[e + 1] > s[m + 1])) m = e;
  }
  if (m < 0) throw new UnidentifiedImageError(`cannot identify image file ${name}: No cursors were found`);
  const at = u32le(s, m + 12);
  const b = parseBitmap(s, at, 0, at === 22, name);
  const masked = b.mode === '1' || b.mode === 'L';
  const height = Math.floor(b.height / 2);
  const mode: Mode = masked ? 'LA' : b.mode;
  const header: Header = { format: 'CUR', mode, width: b.width, height, info: b.info, nFrames: 1 };
  if (b.palette !== undefined && !masked) header.palette = b.palette;
  return {
    header,
    async load() {
      if (!masked) return loadBitmap(Input.from(s), { ...b, height }, undefined, name, options.loadTruncated);
      const full = (await loadBitmap(Input.from(s), b, undefined, name, options.loadTruncated)) as Uint8Array;
      if (b.mode === '1') for (let i = 0; i < full.length; i++) full[i] *= 255;
      return cursorLA(full, b.width, b.height);
    },
    close: () => input.close(),
  };
}

export const icoCodec = {
  format: 'ICO',
  description: 'Windows icon (BMP and PNG entries; the largest one)',
  extensions: ['.ico'],
  mimeTypes: ['image/x-icon', 'image/vnd.microsoft.icon'],
  modes: ['RGBA', '1', 'L', 'LA', 'P', 'RGB', 'I;16'],
  fuzz: {
    cases: 400,
    minSeeds: 8,
    // entry count, first entry's size / colours / bpp / byte size / offset, its bitmap header size and height
    fields: [{ at: 4, bytes: 2, littleEndian: true }, { at: 6, bytes: 1 }, { at: 7, bytes: 1 }, { at: 8, bytes: 1 }, { at: 12, bytes: 2, littleEndian: true }, { at: 14, bytes: 4, littleEndian: true }, { at: 18, bytes: 4, littleEndian: true }, { at: 22, bytes: 4, littleEndian: true }, { at: 30, bytes: 4, littleEndian: true }], truncation: ['ico/hopper.ico', 'ico/python.ico'], cuts: 300 },
  accept: (p) => p.length >= 4 && p[0] === 0 && p[1] === 0 && p[2] === 1 && p[3] === 0,
  open: openIco,
} satisfies Codec;

export const curCodec = {
  format: 'CUR',
  description: 'Windows cursor (the largest entry; 1-bit and grey cursors as LA)',
  extensions: ['.cur'],
  mimeTypes: [],
  modes: ['LA', 'P', 'RGB', 'RGBA'],
  fuzz: {
    cases: 300,
    minSeeds: 3,
    fields: [{ at: 4, bytes: 2, littleEndian: true }, { at: 6, bytes: 1 }, { at: 7, bytes: 1 }, { at: 18, bytes: 4, littleEndian: true }, { at: 22, bytes: 4, littleEndian: true }, { at: 30, bytes: 4, littleEndian: true }], truncation: ['cur/deerstalker.cur'], cuts: 300 },
  accept: (p) => p.length >= 4 && p[0] === 0 && p[1] === 0 && p[2] === 2 && p[3] === 0,
  open: openCur,
} satisfies Codec;

