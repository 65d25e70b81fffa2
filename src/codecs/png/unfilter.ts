/**
 * PNG row unfiltering (PNG spec 9.2): one small typed-array loop per filter type, in place.
 * `row[ro .. ro+n)` holds the filtered bytes; `prev` is the previous unfiltered row of the
 * same pass, or null for the first row. Uint8Array stores wrap mod 256, so no `& 255`.
 */
import { DecodeError } from '../../errors.js';

function sub(row: Uint8Array, ro: number, n: number, bpp: number): void {
  for (let i = ro + bpp, end = ro + n; i < end; i++) row[i] += row[i - bpp];
}

function up(row: Uint8Array, ro: number, prev: Uint8Array, po: number, n: number): void {
  for (let i = 0; i < n; i++) row[ro + i] += prev[po + i];
}

function average(row: Uint8Array, ro: number, prev: Uint8Array | null, po: number, n: number, bpp: number): void {
  if (prev === null) {
    for (let i = ro + bpp, end = ro + n; i < end; i++) row[i] += row[i - bpp] >> 1;
    return;
  }
  for (let i = 0; i < bpp; i++) row[ro + i] += prev[po + i] >> 1;
  for (let i = bpp; i < n; i++) row[ro + i] += (row[ro + i - bpp] + prev[po + i]) >> 1;
}

function paeth(row: Uint8Array, ro: number, prev: Uint8Array, po: number, n: number, bpp: number): void {
  for (let i = 0; i < bpp; i++) row[ro + i] += prev[po + i];
  for (let i = bpp; i < n; i++) {
    const a = row[ro + i - bpp];
    const b = prev[po + i];
    const c = prev[po + i - bpp];
    const pa = b > c ? b - c : c - b;
    const pb = a > c ? a - c : c - a;
    const t = a + b - c - c;
    const pc = t < 0 ? -t : t;
    row[ro + i] += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
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
