/**
 * Pillow's TgaRleDecode.c: packets of `depth` bytes a pixel into a row buffer, each full row
 * unpacked into the image (rows bottom-up or top-down). A run may not cross a row (Pillow:
 * "buffer overrun", a DecodeError); a literal packet may, its rest starting the next rows.
 * Returns the rows written.
 */
import { DecodeError } from '../../core/errors.js';
import type { TypedArray } from '../../core/ndarray.js';
import type { Unpacker } from '../../pixels/unpack.js';

export function decodeTgaRle(src: Uint8Array, start: number, depth: number, rowBytes: number, unpack: Unpacker, out: TypedArray, width: number, height: number, bands: number, bottomUp: boolean, name: string): number {
  const row = new Uint8Array(rowBytes);
  const end = src.length;
  let x = 0;
  let rows = 0;
  let p = start;
  while (p < end) {
    const h = src[p];
    const n = depth * ((h & 0x7f) + 1);
    if ((h & 0x80) !== 0) {
      if (p + 1 + depth > end) break;
      if (x + n > rowBytes) throw new DecodeError(`buffer overrun when reading image file ${name}: a run crosses row ${rows} at offset ${p}`);
      if (depth === 1) row.fill(src[p + 1], x, x + n);
      else for (let i = x, stop = x + n; i < stop; i += depth) for (let k = 0; k < depth; k++) row[i + k] = src[p + 1 + k];
      p += 1 + depth;
      x += n;
    } else {
      if (p + 1 + n > end) break;
      let from = p + 1;
      p += 1 + n;
      if (x + n <= rowBytes) {
        // the usual case: the packet ends inside the row
        for (let k = 0; k < n; k++) row[x + k] = src[from + k];
        x += n;
      } else {
        // a literal packet may run on into the next rows (TgaRleDecode.c's extra bytes)
        let left = n;
        while (left > 0) {
          const take = Math.min(left, rowBytes - x);
          row.set(src.subarray(from, from + take), x);
          x += take;
          from += take;
          left -= take;
          if (x < rowBytes) break;
          unpack(row, 0, out, (bottomUp ? height - 1 - rows : rows) * width * bands, width, bands);
          x = 0;
          if (++rows >= height) return rows;
        }
        continue;
      }
    }
    if (x >= rowBytes) {
      unpack(row, 0, out, (bottomUp ? height - 1 - rows : rows) * width * bands, width, bands);
      x = 0;
      if (++rows >= height) return rows;
    }
  }
  return rows;
}
