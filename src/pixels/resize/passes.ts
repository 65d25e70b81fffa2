/**
 * The two passes of Pillow's convolution resampling (libImaging/Resample.c), in JavaScript:
 * the reference every accelerated kernel is tested against. Rows are packed, `bands`
 * elements a pixel. 8-bit storage uses 22-bit integer weights (accumulator starts at
 * 2^21, result `clip8(ss >> 22)`); I;16 rounds doubles and clips to 16 bits; I rounds
 * doubles (`ROUND_UP`); F stores doubles as float32. Each output element sums its taps in
 * order, so the JavaScript and C results are the same numbers.
 */
import type { TypedArray } from '../../core/ndarray.js';
import { PRECISION_BITS, type Coefficients } from './coefficients.js';

/** How a storage type is resampled: integer 8-bit weights, or doubles with a store rule. */
export type SampleKind = 'u8' | 'u16' | 'i32' | 'f32';

export function sampleKind(data: TypedArray): SampleKind {
  if (data instanceof Uint8Array) return 'u8';
  if (data instanceof Uint16Array) return 'u16';
  if (data instanceof Int32Array) return 'i32';
  return 'f32';
}

const HALF = 1 << (PRECISION_BITS - 1);

/** C's `ROUND_UP`: `(int)(f + 0.5)` for f >= 0, `(int)(f - 0.5)` otherwise. */
function roundUp(f: number): number {
  return Math.trunc(f >= 0 ? f + 0.5 : f - 0.5);
}

function clip16(v: number): number {
  return v < 0 ? 0 : v > 65535 ? 65535 : v;
}

/** Stores one double accumulator the way Resample.c does for `kind` (not used for u8). */
function storeRule(kind: SampleKind): (v: number) => number {
  if (kind === 'u16') return (v) => clip16(roundUp(v));
  if (kind === 'i32') return roundUp;
  return (v) => v;
}

/** One output pixel of the horizontal pass: the taps from `s` (its first source element) into `dst[d..]`. */
type PixelKernel = (src: TypedArray, s: number, n: number, k0: number, dst: TypedArray, d: number) => void;

/** The horizontal pass's per-pixel kernel for `kind` and `bands`, chosen once per pass. */
function pixelKernel(kind: SampleKind, bands: number, weights: Float64Array, fixed: Int32Array | undefined): PixelKernel {
  if (kind === 'u8' && fixed !== undefined) {
    if (bands === 1) {
      return (src, s, n, k0, dst, d) => {
        let ss = HALF;
        for (let x = 0; x < n; x++) ss += (src[s + x] ?? 0) * (fixed[k0 + x] ?? 0);
        dst[d] = clip8(ss);
      };
    }
    if (bands === 3) {
      return (src, s, n, k0, dst, d) => {
        let s0 = HALF, s1 = HALF, s2 = HALF;
        for (let x = 0, p = s; x < n; x++, p += 3) {
          const k = fixed[k0 + x] ?? 0;
          s0 += (src[p] ?? 0) * k;
          s1 += (src[p + 1] ?? 0) * k;
          s2 += (src[p + 2] ?? 0) * k;
        }
        dst[d] = clip8(s0);
        dst[d + 1] = clip8(s1);
        dst[d + 2] = clip8(s2);
      };
    }
    if (bands === 4) {
      return (src, s, n, k0, dst, d) => {
        let s0 = HALF, s1 = HALF, s2 = HALF, s3 = HALF;
        for (let x = 0, p = s; x < n; x++, p += 4) {
          const k = fixed[k0 + x] ?? 0;
          s0 += (src[p] ?? 0) * k;
          s1 += (src[p + 1] ?? 0) * k;
          s2 += (src[p + 2] ?? 0) * k;
          s3 += (src[p + 3] ?? 0) * k;
        }
        dst[d] = clip8(s0);
        dst[d + 1] = clip8(s1);
        dst[d + 2] = clip8(s2);
        dst[d + 3] = clip8(s3);
      };
    }
    return (src, s, n, k0, dst, d) => {
      for (let b = 0; b < bands; b++) {
        let ss = HALF;
        for (let x = 0, p = s + b; x < n; x++, p += bands) ss += (src[p] ?? 0) * (fixed[k0 + x] ?? 0);
        dst[d + b] = clip8(ss);
      }
    };
  }
  const store = storeRule(kind);
  return (src, s, n, k0, dst, d) => {
    for (let b = 0; b < bands; b++) {
      let ss = 0;
      for (let x = 0, p = s + b; x < n; x++, p += bands) ss += (src[p] ?? 0) * (weights[k0 + x] ?? 0);
      dst[d + b] = store(ss);
    }
  };
}

/**
 * Horizontal pass over `rows` rows: row r of `src` starts at `si + r * srcRow` elements and
 * row r of `dst` at `di + r * c.outSize * bands`. `fixed` are the 22-bit weights (u8 only).
 */
export function horizontalPass(
  kind: SampleKind, src: TypedArray, si: number, srcRow: number, dst: TypedArray, di: number,
  rows: number, bands: number, c: Coefficients, fixed: Int32Array | undefined,
): void {
  const { outSize, ksize, bounds, weights } = c;
  const pixel = pixelKernel(kind, bands, weights, fixed);
  for (let r = 0; r < rows; r++) {
    const sRow = si + r * srcRow;
    const dRow = di + r * outSize * bands;
    for (let xx = 0; xx < outSize; xx++) {
      pixel(src, sRow + (bounds[xx * 2] ?? 0) * bands, bounds[xx * 2 + 1] ?? 0, xx * ksize, dst, dRow + xx * bands);
    }
  }
}

/** Scratch accumulators of the vertical pass, grown as needed. */
let accI = new Int32Array(0);
let accF = new Float64Array(0);

/**
 * Vertical pass: output rows `[y0, y1)` (of `c`), each `rowLen` elements, from the rows of
 * `src` starting at `si` (row `bounds` index 0 at `si`), into `dst` from `di`.
 */
export function verticalPass(
  kind: SampleKind, src: TypedArray, si: number, rowLen: number, dst: TypedArray, di: number,
  y0: number, y1: number, c: Coefficients, fixed: Int32Array | undefined,
): void {
  const { ksize, bounds, weights } = c;
  if (kind === 'u8' && fixed !== undefined) {
    if (accI.length < rowLen) accI = new Int32Array(rowLen);
    const acc = accI;
    for (let yy = y0; yy < y1; yy++) {
      const ymin = bounds[yy * 2] ?? 0;
      const n = bounds[yy * 2 + 1] ?? 0;
      acc.fill(HALF, 0, rowLen);
      for (let y = 0; y < n; y++) {
        const k = fixed[yy * ksize + y] ?? 0;
        const row = si + (ymin + y) * rowLen;
        for (let i = 0; i < rowLen; i++) acc[i] = (acc[i] ?? 0) + (src[row + i] ?? 0) * k;
      }
      const d = di + (yy - y0) * rowLen;
      for (let i = 0; i < rowLen; i++) dst[d + i] = clip8(acc[i] ?? 0);
    }
    return;
  }
  const store = storeRule(kind);
  if (accF.length < rowLen) accF = new Float64Array(rowLen);
  const acc = accF;
  for (let yy = y0; yy < y1; yy++) {
    const ymin = bounds[yy * 2] ?? 0;
    const n = bounds[yy * 2 + 1] ?? 0;
    acc.fill(0, 0, rowLen);
    for (let y = 0; y < n; y++) {
      const k = weights[yy * ksize + y] ?? 0;
      const row = si + (ymin + y) * rowLen;
      for (let i = 0; i < rowLen; i++) acc[i] = (acc[i] ?? 0) + (src[row + i] ?? 0) * k;
    }
    const d = di + (yy - y0) * rowLen;
    for (let i = 0; i < rowLen; i++) dst[d + i] = store(acc[i] ?? 0);
  }
}

/** `clip8(ss)`: `ss >> 22` clamped to 0..255. */
function clip8(ss: number): number {
  const v = ss >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}
