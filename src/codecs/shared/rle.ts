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
