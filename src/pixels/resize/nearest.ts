/**
 * Pillow's NEAREST resize, which is not a filter but an affine scan (libImaging/Geometry.c):
 * `ImagingScaleAffine` for every mode but I;16 walks the source coordinate by adding the
 * step (`xo += a0`), so the picks are those of the accumulated double, not of `x * scale`;
 * I;16 goes through the generic transform, which computes `a0 * (x + 0.5) + a2` per pixel.
 * Output pixels whose source falls outside the image are 0.
 */
import type { TypedArray } from '../../core/ndarray.js';

/** C's `COORD`: -1 for negative coordinates, else truncation. */
function coord(v: number): number {
  return v < 0 ? -1 : Math.trunc(v);
}

/** Source index of each output index, or -1 (outside). */
function picks(inSize: number, outSize: number, origin: number, step: number, accumulate: boolean): Int32Array {
  const out = new Int32Array(outSize);
  let xo = origin + step * 0.5;
  for (let x = 0; x < outSize; x++) {
    const xin = coord(accumulate ? xo : step * (x + 0.5) + origin);
    out[x] = xin >= 0 && xin < inSize ? xin : -1;
    xo += step;
  }
  return out;
}

/**
 * Resizes packed `src` (`inW` x `inH`, `bands` elements a pixel) to `dst` (`outW` x `outH`)
 * over the box `[x0, y0, x1, y1]` (C floats). `accumulate`: the scale path (all modes but I;16).
 */
export function nearestResize(
  src: TypedArray, si: number, inW: number, inH: number, bands: number,
  dst: TypedArray, outW: number, outH: number, box: readonly [number, number, number, number], accumulate: boolean,
): void {
  const [bx0, by0, bx1, by1] = box.map(Math.fround) as [number, number, number, number];
  const xs = picks(inW, outW, bx0, Math.fround(bx1 - bx0) / outW, accumulate);
  const ys = picks(inH, outH, by0, Math.fround(by1 - by0) / outH, accumulate);
  const rowIn = inW * bands;
  let d = 0;
  for (let y = 0; y < outH; y++) {
    const yi = ys[y] ?? -1;
    if (yi < 0) {
      dst.fill(0, d, d + outW * bands);
      d += outW * bands;
      continue;
    }
    const row = si + yi * rowIn;
    for (let x = 0; x < outW; x++) {
      const xi = xs[x] ?? -1;
      if (xi < 0) {
        for (let b = 0; b < bands; b++) dst[d++] = 0;
        continue;
      }
      const s = row + xi * bands;
      for (let b = 0; b < bands; b++) dst[d++] = src[s + b] ?? 0;
    }
  }
}
