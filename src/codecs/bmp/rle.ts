/**
 * Pillow 12's BmpRleDecoder: RLE8 / RLE4 runs, absolute runs (word-aligned on the file
 * position), end of line (pads the row), end of bitmap, and delta (zeros for the pixels
 * skipped, Pillow >= 10.2). Returns one index byte a pixel, rows in file order, as the Python
 * decoder's buffer: it may end short (then the image is truncated) or run past the image.
 */
export function decodeBmpRle(src: Uint8Array, start: number, fileOffset: number, width: number, height: number, rle4: boolean): { data: Uint8Array; length: number } {
  const dest = width * height;
  // the buffer grows as Pillow's bytearray does, bounded by the input (at most 255 pixels per
  // input byte for runs; a delta adds at most 255 + 255 rows, once per 4 input bytes)
  let data = new Uint8Array(Math.min(dest + width + 256, 1 << 16));
  let len = 0;
  const room = (n: number): void => {
    if (len + n <= data.length) return;
    const next = new Uint8Array(Math.max(len + n, data.length * 2));
    next.set(data.subarray(0, len));
    data = next;
  };
  let x = 0;
  let p = start;
  while (len < dest) {
    if (p + 2 > src.length) break;
    let count = src[p];
    const byte = src[p + 1];
    p += 2;
    if (count !== 0) {
      if (x + count > width) count = Math.max(0, width - x);
      room(count);
      if (rle4) {
        for (let i = 0; i < count; i++) data[len++] = i % 2 === 0 ? byte >> 4 : byte & 15;
      } else {
        data.fill(byte, len, len + count);
        len += count;
      }
      x += count;
    } else if (byte === 0) {
      const pad = (width - (len % width)) % width;
      room(pad);
      data.fill(0, len, len + pad);
      len += pad;
      x = 0;
    } else if (byte === 1) {
      break;
    } else if (byte === 2) {
      if (p + 2 > src.length) break;
      const n = src[p] + src[p + 1] * width;
      p += 2;
      // a delta past the image only adds rows that are never used
      const add = Math.min(n, dest - len + width);
      room(add);
      data.fill(0, len, len + add);
      len += add;
      x = len % width;
    } else {
      const want = Math.min(dest - len, byte);
      const byteCount = rle4 ? Math.ceil(want / 2) : want;
      const got = Math.min(byteCount, src.length - p);
      room(rle4 ? got * 2 : got);
      if (rle4) {
        for (let i = 0; i < got; i++) {
          data[len++] = src[p + i] >> 4;
          if (i * 2 + 1 < want) data[len++] = src[p + i] & 15;
        }
      } else {
        data.set(src.subarray(p, p + got), len);
        len += got;
      }
      p += got;
      if (got < byteCount || len === dest) break;
      x += byte;
      if ((fileOffset + p) % 2 !== 0) p++;
    }
  }
  return { data, length: len };
}
