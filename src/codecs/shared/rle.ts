/**
 * PackBits (PSD; TIFF and IFF use it too), decoding straight into the caller's buffer and
 * returning how far it got (so a codec can report truncation with offsets). Run-length schemes
 * with format-specific row rules (BMP, TGA, SGI, PCX) stay in their codec's folder.
 */

export interface RleProgress {
  /** Input bytes consumed. */
  readonly read: number;
  /** Output bytes written. */
  readonly written: number;
}

/**
 * PackBits as Pillow's PackbitsDecode: n < 128 copies n + 1 bytes, n > 128 repeats the next
 * byte 257 - n times, 128 is skipped; a packet never spans rows (what overflows the row is
 * dropped), and a packet is taken only when all its bytes are there. Fills `rows` rows of
 * `rowBytes` from `out[o]`; `written` counts whole rows' bytes.
 */
export function unpackBitsRows(src: Uint8Array, so: number, out: Uint8Array, o: number, rowBytes: number, rows: number): RleProgress {
  let p = so;
  let y = 0;
  let x = 0;
  const end = src.length;
  while (y < rows && p < end) {
    const n = src[p];
    if (n === 128) {
      p++;
      continue;
    }
    const row = o + y * rowBytes;
    if (n > 128) {
      if (p + 2 > end) break;
      const len = Math.min(257 - n, rowBytes - x);
      out.fill(src[p + 1], row + x, row + x + len);
      x += len;
      p += 2;
    } else {
      if (p + n + 2 > end) break;
      const len = Math.min(n + 1, rowBytes - x);
      out.set(src.subarray(p + 1, p + 1 + len), row + x);
      x += len;
      p += n + 2;
    }
    if (x >= rowBytes) {
      x = 0;
      y++;
    }
  }
  return { read: p - so, written: y * rowBytes };
}
