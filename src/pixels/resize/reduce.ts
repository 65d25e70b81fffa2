/**
 * Pillow's `Image.reduce` (libImaging/Reduce.c): the mean of each `xscale` x `yscale` block
 * of an integer box, partial blocks at the right and bottom edges averaged over what they
 * hold. 8-bit: `((sum + n / 2) * m) >> 24` with `m = (uint32)(float)(2^32 / (256 n))`
 * (a float32 quotient, as C computes it); I and F: the double sum times `1.0 / n`, I rounded
 * with `ROUND_UP`. The double sums add in Reduce.c's order (pairs of rows by pairs of columns, each group summed in float32 for F).
 */
import type { TypedArray } from '../../core/ndarray.js';

function multiplier8(n: number): number {
  return Math.trunc(Math.fround(Math.fround(2 ** 32) / Math.fround(256 * n)));
}

function roundUp(f: number): number {
  return Math.trunc(f >= 0 ? f + 0.5 : f - 0.5);
}

/**
 * The Reduce.c sum of the block `[xf, xf + nx) x [yf, yf + ny)` of one band, in its order:
 * pairs of rows, pairs of columns; for float32 storage each group of up to four adds in float32.
 */
function blockSum(src: TypedArray, row: number, bands: number, b: number, xf: number, nx: number, yf: number, ny: number, f32: boolean): number {
  const p = (y: number, x: number) => src[(y * row) + x * bands + b] ?? 0;
  const add = f32 ? (a: number, c: number) => Math.fround(a + c) : (a: number, c: number) => a + c;
  let ss = 0;
  let yy = yf;
  for (; yy < yf + ny - 1; yy += 2) {
    let xx = xf;
    for (; xx < xf + nx - 1; xx += 2) ss += add(add(add(p(yy, xx), p(yy, xx + 1)), p(yy + 1, xx)), p(yy + 1, xx + 1));
    if (nx & 1) ss += add(p(yy, xx), p(yy + 1, xx));
  }
  if (ny & 1) {
    let xx = xf;
    for (; xx < xf + nx - 1; xx += 2) ss += add(p(yy, xx), p(yy, xx + 1));
    if (nx & 1) ss += p(yy, xx);
  }
  return ss;
}

/** The Corners sum: plain row-major order over the edge block. */
function edgeSum(src: TypedArray, row: number, bands: number, b: number, xf: number, nx: number, yf: number, ny: number): number {
  let ss = 0;
  for (let yy = yf; yy < yf + ny; yy++) {
    for (let xx = xf; xx < xf + nx; xx++) ss += src[yy * row + xx * bands + b] ?? 0;
  }
  return ss;
}

/**
 * Reduces packed `src` (`inW` wide, `bands` elements a pixel; 8-bit, int32 or float32) over
 * the integer box `[x0, y0, x1, y1]` by `[xscale, yscale]` into `dst`, of size
 * `ceil(boxW / xscale)` x `ceil(boxH / yscale)`.
 */
export function reduceInto(
  src: TypedArray, inW: number, bands: number, box: readonly [number, number, number, number],
  xscale: number, yscale: number, dst: TypedArray,
): void {
  const [x0, y0, x1, y1] = box;
  const bw = x1 - x0;
  const bh = y1 - y0;
  const outW = Math.ceil(bw / xscale);
  const outH = Math.ceil(bh / yscale);
  const row = inW * bands;
  if (src instanceof Uint8Array) {
    // Integer sums: the order does not matter, so whole rows accumulate per block column.
    const sums = new Float64Array(outW * bands);
    for (let y = 0; y < outH; y++) {
      const yf = y0 + y * yscale;
      const ny = Math.min(yscale, y1 - yf);
      sums.fill(0);
      for (let yy = yf; yy < yf + ny; yy++) {
        let s = yy * row + x0 * bands;
        for (let x = 0; x < outW; x++) {
          const nx = Math.min(xscale, x1 - (x0 + x * xscale));
          const o = x * bands;
          for (let i = 0; i < nx; i++) {
            for (let b = 0; b < bands; b++) sums[o + b] = (sums[o + b] ?? 0) + (src[s++] ?? 0);
          }
        }
      }
      for (let x = 0; x < outW; x++) {
        const n = Math.min(xscale, x1 - (x0 + x * xscale)) * ny;
        const m = multiplier8(n);
        const half = Math.trunc(n / 2);
        for (let b = 0; b < bands; b++) {
          const i = x * bands + b;
          dst[y * outW * bands + i] = Math.floor((((sums[i] ?? 0) + half) * m) / 2 ** 24);
        }
      }
    }
    return;
  }
  const f32 = src instanceof Float32Array;
  const fullX = Math.floor(bw / xscale);
  const fullY = Math.floor(bh / yscale);
  for (let y = 0; y < outH; y++) {
    const yf = y0 + y * yscale;
    const ny = Math.min(yscale, y1 - yf);
    for (let x = 0; x < outW; x++) {
      const xf = x0 + x * xscale;
      const nx = Math.min(xscale, x1 - xf);
      const n = nx * ny;
      const edge = x >= fullX || y >= fullY;
      for (let b = 0; b < bands; b++) {
        const ss = edge ? edgeSum(src, row, bands, b, xf, nx, yf, ny) : blockSum(src, row, bands, b, xf, nx, yf, ny, f32);
        const v = ss * (1 / n);
        dst[(y * outW + x) * bands + b] = f32 ? v : roundUp(v);
      }
    }
  }
}
