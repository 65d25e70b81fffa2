/**
 * QOI's op stream -> RGB or RGBA pixels, as Pillow's `QoiDecoder` reads it: the previous pixel
 * starts as (0, 0, 0, 255); QOI_OP_INDEX of a slot never written gives (0, 0, 0, 0); runs do
 * not update the index; decoding stops when the image is full (the 8-byte end marker is not
 * required). Returns the number of pixels written (fewer than the image: the data ended).
 */
export function decodeQoi(src: Uint8Array, start: number, out: Uint8Array, bands: 3 | 4): number {
  const index = new Uint8Array(64 * 4); // RGBA per slot
  const written = new Uint8Array(64); // Pillow's dict: a slot never set reads as (0, 0, 0, 0)
  const total = out.length / bands;
  let r = 0, g = 0, b = 0, a = 255;
  let p = start;
  let n = 0;
  const end = src.length;
  while (n < total) {
    if (p >= end) return n;
    const byte = src[p++];
    if (byte === 0xfe) {
      if (p + 3 > end) return n;
      r = src[p]; g = src[p + 1]; b = src[p + 2];
      p += 3;
    } else if (byte === 0xff) {
      if (p + 4 > end) return n;
      r = src[p]; g = src[p + 1]; b = src[p + 2]; a = src[p + 3];
      p += 4;
    } else {
      const op = byte >> 6;
      if (op === 0) {
        const slot = byte & 63;
        if (written[slot] === 1) {
          r = index[slot * 4]; g = index[slot * 4 + 1]; b = index[slot * 4 + 2]; a = index[slot * 4 + 3];
        } else {
          r = 0; g = 0; b = 0; a = 0;
        }
      } else if (op === 1) {
        r = (r + ((byte >> 4) & 3) - 2) & 255;
        g = (g + ((byte >> 2) & 3) - 2) & 255;
        b = (b + (byte & 3) - 2) & 255;
      } else if (op === 2) {
        if (p >= end) return n;
        const second = src[p++];
        const dg = (byte & 63) - 32;
        r = (r + dg + ((second >> 4) & 15) - 8) & 255;
        g = (g + dg) & 255;
        b = (b + dg + (second & 15) - 8) & 255;
      } else {
        const run = Math.min((byte & 63) + 1, total - n);
        for (let i = 0; i < run; i++, n++) {
          const o = n * bands;
          out[o] = r; out[o + 1] = g; out[o + 2] = b;
          if (bands === 4) out[o + 3] = a;
        }
        continue;
      }
    }
    const slot = ((r * 3 + g * 5 + b * 7 + a * 11) % 64) * 4;
    index[slot] = r; index[slot + 1] = g; index[slot + 2] = b; index[slot + 3] = a;
    written[slot >> 2] = 1;
    const o = n * bands;
    out[o] = r; out[o + 1] = g; out[o + 2] = b;
    if (bands === 4) out[o + 3] = a;
    n++;
  }
  return n;
}
