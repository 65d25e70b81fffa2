/**
 * TIFF pixel data into the image's one allocation, on the two paths Pillow takes:
 * - uncompressed: Pillow's own raw decoder, tile by tile (strips are tiles as wide as the
 *   image), with the file's rawmode and Pillow's strides (`rawTiles`, run by the shared
 *   raw tile decoder);
 * - LZW, Deflate, PackBits: what Pillow's TiffDecode.c does with libtiff (`decodeLibtiffLike`):
 *   each strip or tile decompressed whole, the predictor undone, samples swapped to host
 *   order, then rows unpacked with the fill-order-1 rawmode (16-bit `N` rawmodes read as
 *   little-endian), planar data band by band, with libtiff's and Pillow's size checks.
 */
import { DecodeError, TruncatedImageError, UnsupportedError } from '../../core/errors.js';
import { bandCount, type ArrayOf, type Mode } from '../../core/modes.js';
import { transientBytes, type ByteSource } from '../../core/input.js';
import type { RawTile } from '../shared/tile.js';
import { unpacker, type Unpacker } from '../../pixels/unpack.js';
import { deflateInto, floatPredictor, horizontalPredictor, lzmaDecode, lzwDecode, packBitsDecode, reverseBits, StripError, swapSamples } from './decompress.js';
import { TAG, type Layout } from './layout.js';
import type { Ifd } from './ifd.js';

/** 8-bit modes whose chunky rows (uncompressed or decompressed) are the output's packed rows as they are. */
export const AS_STORED = new Set(['L', 'P', 'LA', 'RGB', 'RGBA', 'CMYK']);

/** Compressions decoded here (the rest go to sharp or are unsupported). */
export const LOSSLESS = new Set([5, 8, 32946, 32773]);
/** LZMA (34925): decoded like the others by liblzma in the native kernel, where it is built. */
export const LZMA = 34925;

/** Pillow's raw tiles for an uncompressed IFD (its `_setup` tile loop); `undefined` offsets: unknown data organization. */
export function rawTiles(ifd: Ifd, l: Layout, name: string): RawTile[] {
  const tiled = !ifd.has(TAG.stripOffsets) && ifd.has(TAG.tileOffsets);
  if (!ifd.has(TAG.stripOffsets) && !tiled) throw new DecodeError(`unknown data organization: ${name} has neither strip nor tile offsets`);
  let offsets = ifd.numbers(tiled ? TAG.tileOffsets : TAG.stripOffsets) ?? [];
  let w = l.width;
  let h = ifd.number(TAG.rowsPerStrip, l.height);
  if (tiled) {
    if (!ifd.isInteger(TAG.tileWidth) || !ifd.isInteger(TAG.tileLength)) throw new DecodeError(`Invalid tile dimensions in ${name}`);
    w = ifd.number(TAG.tileWidth, 0);
    h = ifd.number(TAG.tileLength, 0);
  }
  if (w <= 0 || h <= 0) throw new DecodeError(`Invalid tile dimensions ${w}x${h} in ${name}`);
  if (w === l.width && h === l.height && l.planar !== 2) offsets = offsets.slice(-1);
  const bandsCount = bpsCount(l);
  const bitsSum = l.bitsPerSample.reduce((a, b) => a + b, 0);
  const tiles: RawTile[] = [];
  let x = 0;
  let y = 0;
  let layer = 0;
  for (const offset of offsets) {
    let stride = x + w > l.width ? (w * bitsSum) / 8 : 0;
    let rawmode = l.rawmode;
    if (l.planar === 2) {
      rawmode = l.rawmode[layer] ?? '';
      stride /= bandsCount;
    }
    const box = [x, y, Math.min(x + w, l.width), Math.min(y + h, l.height)] as const;
    tiles.push({ offset, rawmode, box, ...(Math.trunc(stride) > 0 ? { stride: Math.trunc(stride) } : {}) });
    x += w;
    if (x >= l.width) {
      x = 0;
      y += h;
      if (y >= l.height) {
        y = 0;
        layer++;
      }
    }
  }
  // Pillow's ImageFile.load decodes tiles in file order
  return tiles.sort((a, b) => a.offset - b.offset);
}

/** Pillow's `bps_count`: colour samples of the photometric interpretation plus the extra samples. */
function bpsCount(l: Layout): number {
  const base = l.photometric === 2 || l.photometric === 6 || l.photometric === 8 ? 3 : l.photometric === 5 ? 4 : 1;
  return base + l.extraSamples.length;
}

/** The rawmode Pillow gives libtiff's rows: `;16B` / `;16L` / `I;16` become native (`N`), here little-endian. */
function libtiffRawmode(l: Layout): string {
  const r = l.rawmode;
  if (r === 'I;16' || r === 'I;16B') return 'I;16';
  if (r.endsWith(';16B') || r.endsWith(';16L')) return `${r.slice(0, -1)}L`;
  return r;
}

interface Geometry {
  readonly tiled: boolean;
  readonly tileWidth: number;
  readonly tileHeight: number;
  readonly offsets: readonly number[];
  readonly counts: readonly number[] | undefined;
}

function geometry(ifd: Ifd, l: Layout, name: string): Geometry {
  const tiled = ifd.has(TAG.tileWidth) && ifd.has(TAG.tileOffsets);
  if (tiled) {
    const tw = ifd.number(TAG.tileWidth, 0);
    const th = ifd.number(TAG.tileLength, 0);
    if (tw <= 0 || th <= 0) throw new DecodeError(`decoder error -2: ${name}: tile size ${tw}x${th}`);
    return { tiled, tileWidth: tw, tileHeight: th, offsets: ifd.numbers(TAG.tileOffsets) ?? [], counts: ifd.numbers(TAG.tileByteCounts) };
  }
  if (!ifd.has(TAG.stripOffsets)) throw new DecodeError(`decoder error -2: ${name} has no strip offsets`);
  let rps = ifd.number(TAG.rowsPerStrip, l.height);
  if (rps === 0xffffffff || rps === 0 || rps > l.height) rps = l.height;
  return { tiled, tileWidth: l.width, tileHeight: rps, offsets: ifd.numbers(TAG.stripOffsets) ?? [], counts: ifd.numbers(TAG.stripByteCounts) };
}

/** What Pillow + libtiff give for an LZW / Deflate / PackBits IFD, into `out` (the stored size, before orientation). */
export function decodeLibtiffLike(s: ByteSource, ifd: Ifd, l: Layout, out: ArrayOf<Mode>, loadTruncated: boolean, name: string): void {
  const broken = (why: string): never => {
    throw new DecodeError(`decoder error -2: ${name}: ${why}`);
  };
  const mode = l.mode;
  const bands = bandCount(mode);
  const planes = l.planar === 2 && bands > 1 ? bands : 1;
  const bits = l.bitsPerSample[0];
  const rawmode = libtiffRawmode(l);
  const info = unpacker(mode, rawmode);
  if (info === undefined) throw new UnsupportedError(`${name}: no unpacker from raw mode ${rawmode} to mode ${mode}`);
  let unpackers: Unpacker[] = [info.unpack];
  if (planes > 1) {
    if (bits !== 8 && bits !== 16) broken(`Invalid value for bits per sample: ${bits}`);
    unpackers = Array.from({ length: planes }, (_, c) => planeBand(c, bits));
  }
  const g = geometry(ifd, l, name);
  const samplesInRow = l.planar === 2 ? 1 : l.samplesPerPixel;
  const sampleBits = l.bitsPerSample.reduce((a, b) => a + b, 0) / l.bitsPerSample.length;
  const scanline = Math.ceil((g.tileWidth * sampleBits * samplesInRow) / 8);
  const unpackerRow = Math.ceil(((g.tiled ? g.tileWidth : l.width) * info.bits) / planes / 8);
  if (g.tiled) {
    if (scanline * g.tileHeight > Math.floor((Math.floor((g.tileHeight * info.bits) / planes) + 7) / 8) * g.tileWidth) broken('tile size larger than the unpacker expects');
  } else if (scanline * g.tileHeight > unpackerRow * g.tileHeight || unpackerRow > scanline) {
    broken(`strip size ${scanline * g.tileHeight} does not match the ${rawmode} rows`);
  }
  const predictor = ifd.number(TAG.predictor, 1);
  if (predictor !== 1 && predictor !== 2 && predictor !== 3) broken(`"Predictor" value ${predictor} not supported`);
  const across = Math.ceil(l.width / g.tileWidth);
  const down = Math.ceil(l.height / g.tileHeight);
  const perPlane = across * down;
  // strips whose rows are the output's rows as they are: decompressed straight into the output
  const direct = !g.tiled && planes === 1 && out instanceof Uint8Array && rawmode === mode && AS_STORED.has(mode) && l.bitsPerSample.every((b) => b === 8) && scanline === l.width * bands && out.length === scanline * l.height;
  const buf = new Uint8Array(direct ? 0 : scanline * g.tileHeight);
  const compression = l.compression;
  for (let ty = 0; ty < down; ty++) {
    for (let plane = 0; plane < planes; plane++) {
      for (let tx = 0; tx < across; tx++) {
        const index = ty * across + tx + plane * perPlane;
        const rows = g.tiled ? g.tileHeight : Math.min(g.tileHeight, l.height - ty * g.tileHeight);
        const want = rows * scanline;
        if (index >= g.offsets.length) broken(`${g.tiled ? 'tile' : 'strip'} ${index} of ${g.offsets.length}`);
        const at = g.offsets[index];
        const count = g.counts?.[index] ?? s.length - at;
        if (count === 0) broken(`${g.tiled ? 'tile' : 'strip'} ${index} has no data`);
        if (at + count > s.length || at > s.length) {
          const cut = `${g.tiled ? 'tile' : 'strip'} ${index} (${count} bytes at offset ${at}) ends after the file (${s.length} bytes)`;
          if (!loadTruncated) throw new TruncatedImageError(`image file is truncated: ${name}: ${cut}`);
          return;
        }
        let raw = transientBytes(s, at, at + count);
        if (l.fillOrder === 2) raw = reverseBits(raw);
        const rowAt = ty * g.tileHeight * scanline;
        const target: Uint8Array = direct ? out.subarray(rowAt, rowAt + want) : buf.subarray(0, want);
        let got: number;
        try {
          if (compression === 5) got = lzwDecode(raw, target);
          else if (compression === 32773) got = packBitsDecode(raw, target);
          else if (compression === LZMA) got = lzmaDecode(raw, target);
          else got = deflateInto(raw, target);
          if (got < want) broken(`Not enough data in ${g.tiled ? 'tile' : 'strip'} ${index} (${got} of ${want} bytes)`);
          if (predictor === 2) horizontalPredictor(target, scanline, rows, bits, samplesInRow, l.littleEndian);
          if (predictor === 3) floatPredictor(target, scanline, rows, bits, samplesInRow);
        } catch (e) {
          if (e instanceof StripError) broken(e.message);
          throw e;
        }
        if (!l.littleEndian && predictor !== 3 && (bits === 16 || bits === 24 || bits === 32 || bits === 64)) swapSamples(target, bits);
        const x = tx * g.tileWidth;
        const y = ty * g.tileHeight;
        const w = Math.min(g.tileWidth, l.width - x);
        const h = Math.min(g.tileHeight, l.height - y);
        if (direct) continue;
        const unpack = unpackers[plane];
        for (let r = 0; r < h; r++) unpack(target, r * scanline, out, ((y + r) * l.width + x) * bands, w, bands);
      }
    }
  }
  // Pillow: RGBa stored in planes is un-premultiplied after the planes are in
  if (planes > 3 && mode === 'RGBA' && (l.extraSamples[0] === 0 || l.extraSamples[0] === 1)) {
    const rgba = unpacker('RGBA', 'RGBa');
    if (rgba !== undefined) {
      const px = out as Uint8Array;
      rgba.unpack(px.slice(), 0, px, 0, l.width * l.height, 4);
    }
  }
}

/** Pillow's planar unpackers (RGBA mode's `R`, `G`...; `R;16N` takes the high byte of a host-order sample): band `c` only. */
function planeBand(c: number, bits: number): Unpacker {
  const size = bits / 8;
  const hi = size - 1;
  return (src, so, dst, d, n, step) => {
    for (let i = 0; i < n; i++) dst[d + i * step + c] = src[so + i * size + hi];
  };
}
