/**
 * Pillow's resampling filters and their coefficient tables (libImaging/Resample.c
 * `precompute_coeffs`, `normalize_coeffs_8bpc`), reproduced operation for operation: the box
 * and its width are C floats, the window and weights doubles, 8-bit weights 22-bit integers.
 */

/** Pillow's `Image.Resampling` values. */
export const Resampling = {
  NEAREST: 0,
  LANCZOS: 1,
  BILINEAR: 2,
  BICUBIC: 3,
  BOX: 4,
  HAMMING: 5,
} as const;
export type Resampling = (typeof Resampling)[keyof typeof Resampling];

/** Filter names as users write them (lower case), and Pillow's numbers. */
export type ResampleName = 'nearest' | 'box' | 'bilinear' | 'hamming' | 'bicubic' | 'lanczos';

export const RESAMPLE_NAMES: Readonly<Record<ResampleName, Resampling>> = {
  nearest: Resampling.NEAREST,
  box: Resampling.BOX,
  bilinear: Resampling.BILINEAR,
  hamming: Resampling.HAMMING,
  bicubic: Resampling.BICUBIC,
  lanczos: Resampling.LANCZOS,
};

interface Filter {
  readonly fn: (x: number) => number;
  readonly support: number;
}

const HAMMING_A = Math.fround(0.54);
const HAMMING_B = Math.fround(0.46);

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = x * Math.PI;
  return Math.sin(px) / px;
}

/** The filters of Resample.c, keyed by Resampling value (NEAREST has none: it is a scan). */
export const FILTERS: Readonly<Partial<Record<Resampling, Filter>>> = {
  [Resampling.BOX]: { support: 0.5, fn: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  [Resampling.BILINEAR]: {
    support: 1,
    fn: (x) => {
      const a = Math.abs(x);
      return a < 1 ? 1 - a : 0;
    },
  },
  [Resampling.HAMMING]: {
    support: 1,
    fn: (x) => {
      const a = Math.abs(x);
      if (a === 0) return 1;
      if (a >= 1) return 0;
      const px = a * Math.PI;
      return (Math.sin(px) / px) * (HAMMING_A + HAMMING_B * Math.cos(px));
    },
  },
  [Resampling.BICUBIC]: {
    support: 2,
    fn: (x) => {
      const a = -0.5;
      const t = Math.abs(x);
      if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
      return 0;
    },
  },
  [Resampling.LANCZOS]: { support: 3, fn: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

/** Per output pixel: the first input index, the tap count, and `ksize` weights. */
export interface Coefficients {
  readonly outSize: number;
  readonly ksize: number;
  /** `[xmin, count]` per output index. */
  readonly bounds: Int32Array;
  /** `ksize` double weights per output index (zeros past `count`). */
  readonly weights: Float64Array;
}

/** Fixed-point precision of 8-bit weights: 32 - 8 - 2 bits. */
export const PRECISION_BITS = 22;

/**
 * `precompute_coeffs`: the window and normalised weights of each of `outSize` outputs over
 * the input span `[in0, in1)` (C floats) of an `inSize` axis.
 */
export function coefficients(inSize: number, in0: number, in1: number, outSize: number, filter: Filter): Coefficients {
  const f0 = Math.fround(in0);
  const scale = Math.fround(Math.fround(in1) - f0) / outSize;
  const filterscale = scale < 1 ? 1 : scale;
  const support = filter.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Float64Array(outSize * ksize);
  const inv = 1 / filterscale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = f0 + (xx + 0.5) * scale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    const k = xx * ksize;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = filter.fn((x + xmin - center + 0.5) * inv);
      weights[k + x] = w;
      ww += w;
    }
    if (ww !== 0) for (let x = 0; x < xmax; x++) weights[k + x] = (weights[k + x] ?? 0) / ww;
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = Math.max(0, xmax);
  }
  return { outSize, ksize, bounds, weights };
}

/** `normalize_coeffs_8bpc`: the weights as 22-bit integers, rounded half away from zero. */
export function fixedWeights(c: Coefficients): Int32Array {
  const out = new Int32Array(c.weights.length);
  const one = 1 << PRECISION_BITS;
  for (let i = 0; i < out.length; i++) {
    const w = c.weights[i] ?? 0;
    out[i] = w < 0 ? Math.trunc(-0.5 + w * one) : Math.trunc(0.5 + w * one);
  }
  return out;
}
