/**
 * Pillow's "raw" decoder: rows of a raw layout at a file offset, unpacked straight into the
 * image's one allocation. The core of BMP, TGA, PNM, SGI, ICO and other uncompressed formats:
 * a codec names the offset, the rawmode (pixels/unpack.ts), the stride between rows and the
 * row order (bottom-up for BMP and most TGA), and this walks the input's blocks, unpacking
 * each row as its bytes arrive (a row split across blocks is gathered into one small buffer).
 */
import { TruncatedImageError, UnsupportedError } from '../../core/errors.js';
import type { Input } from '../../core/input.js';
import { bandCount, type Mode } from '../../core/modes.js';
import type { TypedArray } from '../../core/ndarray.js';
import type { Box } from '../../core/types.js';
import { rowBytes, unpacker } from '../../pixels/unpack.js';

export interface RawTile {
  /** Byte offset of the first stored row in the input. */
  readonly offset: number;
  /** Pillow's rawmode of the stored rows ('BGR', 'P;4', 'I;16B'...). */
  readonly rawmode: string;
  /** Bytes from one stored row to the next; default the packed row (Pillow's stride 0). */
  readonly stride?: number;
  /** Rows stored last row first (Pillow's orientation -1). */
  readonly bottomUp?: boolean;
  /** The part of the image the tile covers; default all of it. */
  readonly box?: Box;
}

/** Where the decoded rows go: the image's packed storage and its size. */
export interface TileTarget {
  readonly out: TypedArray;
  readonly mode: Mode;
  readonly width: number;
  readonly height: number;
}

/**
 * Decodes `tile` from `input` into `target`. Returns the number of rows written; fewer than the
 * tile's rows means the input ended: TruncatedImageError, unless `loadTruncated` (Pillow's
 * LOAD_TRUNCATED_IMAGES: the rest stays 0).
 */
export async function decodeRawTile(input: Input, tile: RawTile, target: TileTarget, name: string, loadTruncated: boolean): Promise<number> {
  const { out, info, tileWidth, rows, packed, skipBytes, bands, rowStart } = plan(tile, target, name);
  let r = 0;
  const partial = new Uint8Array(packed);
  let have = 0; // bytes of row r gathered in `partial`
  let skip = 0; // padding bytes still to pass after the previous row
  if (rows > 0 && packed > 0) {
    for await (const block of input.blocks(tile.offset)) {
      let p = 0;
      while (p < block.length && r < rows) {
        if (skip > 0) {
          const n = Math.min(skip, block.length - p);
          skip -= n;
          p += n;
          continue;
        }
        if (have === 0 && block.length - p >= packed) {
          info.unpack(block, p, out, rowStart(r), tileWidth, bands);
          p += packed;
        } else {
          const n = Math.min(packed - have, block.length - p);
          partial.set(block.subarray(p, p + n), have);
          have += n;
          p += n;
          if (have < packed) break;
          info.unpack(partial, 0, out, rowStart(r), tileWidth, bands);
          have = 0;
        }
        r++;
        skip = skipBytes;
      }
      if (r === rows) break;
    }
  } else {
    r = rows;
  }
  return finish(r, rows, tile, name, loadTruncated);
}

/** `decodeRawTile` for bytes already in memory (the whole file): rows unpacked straight from them. */
export function decodeRawTileBytes(bytes: Uint8Array, tile: RawTile, target: TileTarget, name: string, loadTruncated: boolean): number {
  const { out, info, tileWidth, rows, packed, skipBytes, bands, rowStart } = plan(tile, target, name);
  const stride = packed + skipBytes;
  let r = 0;
  if (packed > 0) {
    for (let at = tile.offset; r < rows && at + packed <= bytes.length; r++, at += stride) info.unpack(bytes, at, out, rowStart(r), tileWidth, bands);
  } else {
    r = rows;
  }
  return finish(r, rows, tile, name, loadTruncated);
}

/** The unpacker, sizes and row placement of a tile. */
function plan(tile: RawTile, target: TileTarget, name: string) {
  const { out, mode, width } = target;
  const [x0, y0, x1, y1] = tile.box ?? [0, 0, width, target.height];
  const info = unpacker(mode, tile.rawmode);
  if (info === undefined) throw new UnsupportedError(`${name}: no unpacker from raw mode ${tile.rawmode} to mode ${mode}`);
  const tileWidth = x1 - x0;
  const rows = y1 - y0;
  const packed = rowBytes(info, tileWidth);
  const stride = tile.stride ?? packed;
  // Pillow's raw decoder: a stride shorter than the row is no padding at all
  const skipBytes = Math.max(0, stride - packed);
  const bands = bandCount(mode);
  const rowStart = (r: number): number => ((tile.bottomUp === true ? y1 - 1 - r : y0 + r) * width + x0) * bands;
  return { out, info, tileWidth, rows: Math.max(0, rows), packed, skipBytes, bands, rowStart };
}

function finish(r: number, rows: number, tile: RawTile, name: string, loadTruncated: boolean): number {
  if (r < rows && !loadTruncated) {
    throw new TruncatedImageError(`image file is truncated: ${name} (${r} of ${rows} rows of raw ${tile.rawmode} data from offset ${tile.offset})`);
  }
  return r;
}
