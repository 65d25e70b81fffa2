/**
 * PNG row unfiltering (PNG spec 9.2): one small typed-array loop per filter type, in place.
 * `row[ro .. ro+n)` holds the filtered bytes; `prev` is the previous unfiltered row of the
 * same pass, or null for the first row. Uint8Array stores wrap mod 256, so no `& 255`.
 */
import { DecodeError } from '../../core/errors.js';

function sub(row: Uint8Array, ro: number, n: number, bpp: number): void {
  for (let i = ro + bpp, end = ro + n; i < end; i++) row[i] += row[i - bpp];
}

function up(row: Uint8Array, ro: number, prev: Uint8Array, po: number, n: number): void {
  for (let i = 0; i < n; i++) row[ro + i] += prev[po + i];
}

/**
 * Average and Paeth run one channel at a time with the left (`a`) and upper-left (`c`)
 * neighbours carried in locals: two loads per byte instead of four. The first pixel falls
 * out of the same loop (a = c = 0 gives Paeth's `b` and Average's `b >> 1`).
 */
function average(row: Uint8Array, ro: number, prev: Uint8Array | null, po: number, n: number, bpp: number): void {
  for (let ch = 0; ch < bpp; ch++) {
    let a = 0;
    const end = ro + n;
    if (prev === null) {
      for (let i = ro + ch; i < end; i += bpp) row[i] = a = (row[i] + (a >> 1)) & 255;
    } else {
      for (let i = ro + ch, j = po + ch; i < end; i += bpp, j += bpp) row[i] = a = (row[i] + ((a + prev[j]) >> 1)) & 255;
    }
  }
}

/**
 * Paeth with a branchless predictor choice: on photographic data the three-way choice is
 * unpredictable, and mispredicted branches cost more than the masks (docs/internals.md).
 * a is chosen iff pa <= pb && pa <= pc, else b iff pb <= pc, else c (PNG spec 9.4).
 */
function paeth(row: Uint8Array, ro: number, prev: Uint8Array, po: number, n: number, bpp: number): void {
  for (let ch = 0; ch < bpp; ch++) {
    let a = 0;
    let c = 0;
    for (let i = ro + ch, j = po + ch, end = ro + n; i < end; i += bpp, j += bpp) {
      const b = prev[j];
      const pa = Math.abs(b - c);
      const pb = Math.abs(a - c);
      const pc = Math.abs(a + b - c - c);
      const notA = ((pb - pa) | (pc - pa)) >> 31; // -1 when pb < pa or pc < pa
      const notB = (pc - pb) >> 31; // -1 when pc < pb
      a = (row[i] + ((a & ~notA) | (((b & ~notB) | (c & notB)) & notA))) & 255;
      row[i] = a;
      c = b;
    }
  }
}

/** Undoes filter `type` on one row. Throws DecodeError for an unknown filter type. */
export function unfilterRow(
  type: number,
  row: Uint8Array,
  ro: number,
  prev: Uint8Array | null,
  po: number,
  n: number,
  bpp: number,
  where: () => string,
): void {
  switch (type) {
    case 0:
      return;
    case 1:
      sub(row, ro, n, bpp);
      return;
    case 2:
      if (prev !== null) up(row, ro, prev, po, n);
      return;
    case 3:
      average(row, ro, prev, po, n, bpp);
      return;
    case 4:
      if (prev === null) sub(row, ro, n, bpp);
      else paeth(row, ro, prev, po, n, bpp);
      return;
    default:
      throw new DecodeError(`broken data stream when reading image file: unknown PNG filter type ${type} (${where()})`);
  }
}
