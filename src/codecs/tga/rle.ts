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
  let x = 0;
  let rows = 0;
  let p = start;
  const emit = (): boolean => {
    const y = bottomUp ? height - 1 - rows : rows;
    unpack(row, 0, out, y * width * bands, width, bands);
    x = 0;
    return ++rows >= height;
  };
  while (p < src.length) {
    const h = src[p];
    const n = depth * ((h & 0x7f) + 1);
    if ((h & 0x80) !== 0) {
      if (p + 1 + depth > src.length) break;
      if (x + n > rowBytes) throw new DecodeError(`buffer overrun when reading image file ${name}: a run crosses row ${rows} at offset ${p}`);
      for (let i = 0; i < n; i += depth) row.set(src.subarray(p + 1, p + 1 + depth), x + i);
      p += 1 + depth;
      x += n;
      if (x >= rowBytes && emit()) return rows;
    } else {
      if (p + 1 + n > src.length) break;
      let from = p + 1;
      let left = n;
      p += 1 + n;
      while (left > 0) {
        const take = Math.min(left, rowBytes - x);
        row.set(src.subarray(from, from + take), x);
        x += take;
        from += take;
        left -= take;
        if (x >= rowBytes && emit()) return rows;
      }
    }
  }
  return rows;
}
