/**
 * Run-length schemes shared by several formats, each decoding straight into the caller's
 * buffer and returning how far it got (so a codec can report truncation with offsets):
 * PackBits (TIFF, PSD, IFF) and the packet RLE of TGA (and others with a 1-bit run flag).
 */

export interface RleProgress {
  /** Input bytes consumed. */
  readonly read: number;
  /** Output bytes written. */
  readonly written: number;
}

/** PackBits: n < 128 copies n + 1 bytes, n > 128 repeats the next byte 257 - n times, 128 is skipped. */
export function unpackBits(src: Uint8Array, so: number, out: Uint8Array, o: number, count: number): RleProgress {
  let p = so;
  let w = o;
  const stop = Math.min(out.length, o + count);
  while (w < stop && p < src.length) {
    const n = src[p++];
    if (n < 128) {
      const len = Math.min(n + 1, stop - w, src.length - p);
      out.set(src.subarray(p, p + len), w);
      p += n + 1;
      w += len;
    } else if (n > 128) {
      if (p >= src.length) break;
      const len = Math.min(257 - n, stop - w);
      out.fill(src[p++], w, w + len);
      w += len;
    }
  }
  return { read: Math.min(p, src.length) - so, written: w - o };
}

/**
 * Packet RLE with `pixelBytes`-byte pixels: a header byte with the high bit set repeats the
 * next pixel `(h & 127) + 1` times, otherwise `h + 1` literal pixels follow (TGA). Packets may
 * cross rows, as Pillow's TGA RLE decoder allows.
 */
export function unpackPackets(src: Uint8Array, so: number, out: Uint8Array, o: number, count: number, pixelBytes: number): RleProgress {
  let p = so;
  let w = o;
  const stop = Math.min(out.length, o + count);
  while (w < stop && p < src.length) {
    const h = src[p++];
    const n = ((h & 127) + 1) * pixelBytes;
    if ((h & 128) !== 0) {
      if (p + pixelBytes > src.length) break;
      for (let k = 0; k < n && w < stop; k++) out[w++] = src[p + (k % pixelBytes)];
      p += pixelBytes;
    } else {
      const len = Math.min(n, stop - w, src.length - p);
      out.set(src.subarray(p, p + len), w);
      p += len;
      w += len;
      if (len < n && w < stop) break;
    }
  }
  return { read: p - so, written: w - o };
}
