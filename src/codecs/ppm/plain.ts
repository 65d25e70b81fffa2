/**
 * Pillow's PpmPlainDecoder (P1/P2/P3, ASCII samples) and PpmDecoder (binary samples with a
 * maxval other than 255, or 65535 for grey): samples scaled to the mode's range with Python's
 * `round` (halves to even). Both write straight into the image's storage and return how many
 * elements they filled; a bad token throws DecodeError naming it.
 */
import { DecodeError } from '../../core/errors.js';
import type { TypedArray } from '../../core/ndarray.js';
import { isSpace } from './header.js';
import { pyRound } from '../../core/numbers.js';


/** The data with `#` comments removed (through the CR or LF that ends each), as Pillow's `_ignore_comments`. */
function withoutComments(src: Uint8Array, start: number): Uint8Array {
  const out = new Uint8Array(src.length - start);
  let o = 0;
  for (let p = start; p < src.length; p++) {
    if (src[p] === 0x23) {
      while (p < src.length && src[p] !== 0x0a && src[p] !== 0x0d) p++;
      continue;
    }
    out[o++] = src[p];
  }
  return out.subarray(0, o);
}

/** P1: every non-space byte is a pixel, '0' white (1) and '1' black (0). */
export function decodePlainBitmap(src: Uint8Array, start: number, out: TypedArray, name: string): number {
  const data = withoutComments(src, start);
  let n = 0;
  for (let p = 0; p < data.length && n < out.length; p++) {
    const c = data[p];
    if (isSpace(c)) continue;
    if (c !== 0x30 && c !== 0x31) throw new DecodeError(`${name}: invalid token for this mode: ${JSON.stringify(String.fromCharCode(c))}`);
    out[n++] = c === 0x30 ? 1 : 0;
  }
  return n;
}

/** P2/P3: decimal tokens up to `maxval`, scaled to `outMax` (255, or 65535 for mode I). */
export function decodePlainSamples(src: Uint8Array, start: number, out: TypedArray, maxval: number, outMax: number, name: string): number {
  const data = withoutComments(src, start);
  let n = 0;
  let p = 0;
  while (n < out.length) {
    while (p < data.length && isSpace(data[p])) p++;
    if (p >= data.length) break;
    const t0 = p;
    let value = 0;
    let digits = true; // the common case, parsed without making a string
    while (p < data.length && !isSpace(data[p])) {
      const c = data[p++];
      if (c >= 0x30 && c <= 0x39) value = value * 10 + (c - 0x30);
      else digits = false;
    }
    if (p - t0 > 10) throw new DecodeError(`${name}: token too long found in data: ${String.fromCharCode(...data.subarray(t0, t0 + 11))}`);
    if (!digits) {
      // Python's int(): a sign, digits, single underscores between digits
      const token = String.fromCharCode(...data.subarray(t0, p));
      if (!/^[+-]?\d+(_\d+)*$/.test(token)) throw new DecodeError(`${name}: invalid literal in data: ${token}`);
      value = Number(token.replace(/_/g, ''));
    }
    if (value < 0) throw new DecodeError(`${name}: channel value is negative: ${value}`);
    if (value > maxval) throw new DecodeError(`${name}: channel value too large for this mode: ${value}`);
    out[n++] = pyRound((value / maxval) * outMax);
  }
  return n;
}

/** Binary samples of 1 byte (maxval < 256) or 2 big-endian bytes, scaled to `outMax`, clamped. */
export function decodeScaledSamples(src: Uint8Array, start: number, out: TypedArray, maxval: number, outMax: number, bands: number): number {
  const wide = maxval >= 256;
  const size = wide ? 2 : 1;
  // Pillow reads whole pixels: a trailing partial pixel is dropped
  const pixels = Math.min(out.length / bands, Math.floor((src.length - start) / (size * bands)));
  const n = pixels * bands;
  for (let i = 0, p = start; i < n; i++, p += size) {
    const v = wide ? (src[p] << 8) | src[p + 1] : src[p];
    out[i] = Math.min(outMax, pyRound((v / maxval) * outMax));
  }
  return n;
}
