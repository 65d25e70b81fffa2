/**
 * The bitmap header as Pillow's `BmpImageFile._bitmap` reads it (shared by BMP, DIB and the
 * BMP entries of ICO/CUR): header sizes 12 (OS/2 1.x) and 40/52/56/64/108/124, bit depths
 * 1/4/8/16/24/32, bitfields masks (Pillow's supported layouts only), RLE4/RLE8, and Pillow's
 * palette rule: a 2-colour black/white or a full grey-ramp palette makes mode `1` or `L`.
 */
import { TruncatedImageError, UnidentifiedImageError, UnsupportedError } from '../../core/errors.js';
import { u16le, u32le } from '../../core/bytes.js';
import type { Mode } from '../../core/modes.js';
import type { ImageInfo, Palette } from '../../core/types.js';

export const RAW = 0;
export const RLE8 = 1;
export const RLE4 = 2;
export const BITFIELDS = 3;

const BIT2MODE: Readonly<Record<number, [Mode, string]>> = {
  1: ['P', 'P;1'], 4: ['P', 'P;4'], 8: ['P', 'P'], 16: ['RGB', 'BGR;15'], 24: ['RGB', 'BGR'], 32: ['RGB', 'BGRX'],
};

/** Pillow's MASK_MODES: (bits, masks) -> rawmode. */
const MASK_MODES: Readonly<Record<string, string>> = {
  '32 ff0000 ff00 ff 0': 'BGRX',
  '32 ff000000 ff0000 ff00 0': 'XBGR',
  '32 ff000000 ff00 ff 0': 'BGXR',
  '32 ff000000 ff0000 ff00 ff': 'ABGR',
  '32 ff ff00 ff0000 ff000000': 'RGBA',
  '32 ff0000 ff00 ff ff000000': 'BGRA',
  '32 ff000000 ff00 ff ff0000': 'BGAR',
  '32 0 0 0 0': 'BGRA',
  '24 ff0000 ff00 ff': 'BGR',
  '16 f800 7e0 1f': 'BGR;16',
  '16 7c00 3e0 1f': 'BGR;15',
};

export interface Bitmap {
  mode: Mode;
  rawmode: string;
  width: number;
  height: number;
  bits: number;
  compression: number;
  /** Rows stored last row first (Pillow's direction -1). */
  bottomUp: boolean;
  /** Bytes per stored row (raw data). */
  stride: number;
  /** Where the pixel data starts. */
  dataOffset: number;
  /** The file's palette entry count (for P: Pillow refuses more than 256 at load). */
  colors: number;
  palette?: Palette;
  info: ImageInfo;
}

/**
 * Parses a bitmap header at `at` of `s` (which must hold the header, masks and palette: see
 * `bitmapBytesNeeded`). `offset` is the file header's pixel-data offset (0 for DIB/ICO: the
 * data follows the palette), `cur32` the 32-bit CUR case (raw BGRA, mode RGBA).
 */
export function parseBitmap(s: Uint8Array, at: number, offset: number, cur32: boolean, name: string): Bitmap {
  const short = (): never => {
    throw new TruncatedImageError(`Truncated File Read: ${name}: the bitmap header at offset ${at} is cut short`);
  };
  if (s.length < at + 4) short();
  const headerSize = u32le(s, at);
  const h = at + 4;
  let width: number;
  let height: number;
  let bits: number;
  let compression = RAW;
  let colors = 0;
  let padding: number;
  let bottomUp = true;
  let pos = at + headerSize; // the file position after the header (masks and palette follow)
  const info: ImageInfo = {};
  let masks: number[] | undefined;
  if (headerSize === 12) {
    if (s.length < h + 8) short();
    width = u16le(s, h);
    height = u16le(s, h + 2);
    bits = u16le(s, h + 6);
    padding = 3;
  } else if ([40, 52, 56, 64, 108, 124].includes(headerSize)) {
    if (s.length < at + headerSize) short();
    const yFlip = s[h + 7] === 0xff;
    bottomUp = !yFlip;
    width = u32le(s, h);
    height = yFlip ? 2 ** 32 - u32le(s, h + 4) : u32le(s, h + 4);
    bits = u16le(s, h + 10);
    compression = u32le(s, h + 12);
    colors = u32le(s, h + 28);
    padding = 4;
    info.dpi = [u32le(s, h + 20) / 39.3701, u32le(s, h + 24) / 39.3701];
    if (compression === BITFIELDS) {
      if (headerSize - 4 >= 48) {
        masks = [u32le(s, h + 36), u32le(s, h + 40), u32le(s, h + 44), headerSize - 4 >= 52 ? u32le(s, h + 48) : 0];
      } else {
        if (s.length < pos + 12) short();
        masks = [u32le(s, pos), u32le(s, pos + 4), u32le(s, pos + 8), 0];
        pos += 12;
      }
    }
  } else {
    throw new UnsupportedError(`Unsupported BMP header type (${headerSize}) in ${name}`);
  }
  if (width === 0 || height === 0) throw new UnidentifiedImageError(`cannot identify image file ${name}: size ${width}x${height}`);
  if (colors === 0) colors = 2 ** bits;
  let dataOffset = offset;
  if (offset === 14 + headerSize && bits <= 8) dataOffset += padding * colors;
  if (!Object.hasOwn(BIT2MODE, bits)) throw new UnsupportedError(`Unsupported BMP pixel depth (${bits}) in ${name}`);
  let [mode, rawmode] = BIT2MODE[bits];
  if (compression === BITFIELDS) {
    const m = masks ?? [0, 0, 0, 0];
    const key = `${bits} ${(bits === 32 ? m : m.slice(0, 3)).map((v) => v.toString(16)).join(' ')}`;
    if (!(bits === 32 || bits === 24 || bits === 16) || !Object.hasOwn(MASK_MODES, key)) {
      throw new UnsupportedError(`Unsupported BMP bitfields layout in ${name}`);
    }
    rawmode = MASK_MODES[key];
    if (bits === 32 && rawmode.includes('A')) mode = 'RGBA';
  } else if (compression === RAW) {
    if (bits === 32 && cur32) [rawmode, mode] = ['BGRA', 'RGBA'];
  } else if (compression !== RLE8 && compression !== RLE4) {
    throw new UnsupportedError(`Unsupported BMP compression (${compression}) in ${name}`);
  }
  const bitmap: Bitmap = { mode, rawmode, width, height, bits, compression, bottomUp, stride: Math.floor((width * bits + 31) / 32) * 4, dataOffset, colors, info };
  if (mode === 'P') {
    if (!(colors > 0 && colors <= 65536)) throw new UnsupportedError(`Unsupported BMP Palette size (${colors}) in ${name}`);
    const pal = s.subarray(pos, Math.min(s.length, pos + padding * colors));
    pos += pal.length;
    let grey = true;
    for (let i = 0; i < colors && grey; i++) {
      const v = colors === 2 ? (i === 0 ? 0 : 255) : i & 255;
      const o = i * padding;
      if (o + 3 > pal.length || pal[o] !== v || pal[o + 1] !== v || pal[o + 2] !== v) grey = false;
    }
    if (grey) {
      bitmap.mode = colors === 2 ? '1' : 'L';
      bitmap.rawmode = bitmap.mode;
    } else {
      const n = Math.floor(pal.length / padding);
      const rgb = new Uint8Array(n * 3);
      for (let i = 0; i < n; i++) {
        rgb[i * 3] = pal[i * padding + 2];
        rgb[i * 3 + 1] = pal[i * padding + 1];
        rgb[i * 3 + 2] = pal[i * padding];
      }
      bitmap.palette = { mode: 'RGB', colors: rgb };
    }
  }
  if (dataOffset === 0) bitmap.dataOffset = pos;
  info.compression = compression;
  return bitmap;
}

/** Bytes from the start of the input a header at `at` needs (header, masks, the largest palette). */
export function bitmapBytesNeeded(s: Uint8Array, at: number): number {
  if (s.length < at + 4) return at + 4;
  const size = u32le(s, at);
  if (size > 1024) return at + 4;
  return at + size + 12 + 4 * 65536;
}
