/**
 * Pixel kernels of Pillow's conversions (libImaging/Convert.c), rewritten for imarray's
 * packed storage (Pillow pads 3-band pixels to 4 bytes; we don't, so the byte walks differ
 * but every formula is Pillow's). A kernel is a small pure function
 * `(src, si, dst, di, n)`: convert `n` pixels starting at element `si` of `src` into `dst`
 * from element `di`. Kernels are chosen once per image (src/pixels/convert/plan.ts) and run per
 * block of rows. Mode `1` is stored as 0/1 (numpy's bool view); Pillow's 0/255 bytes only
 * appear in raw output.
 */
import type { TypedArray } from '../../core/ndarray.js';

export type Kernel = (src: TypedArray, si: number, dst: TypedArray, di: number, n: number) => void;

/** Pillow's fixed-point luma: `(R*19595 + G*38470 + B*7471 + 0x8000) >> 16` (Convert.c L24). */
export function l24(r: number, g: number, b: number): number {
  return (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
}

/** Pillow's integer luma x1000 (Convert.c `L`), used for thresholds, dithering and F. */
export function l1000(r: number, g: number, b: number): number {
  return r * 299 + g * 587 + b * 114;
}

/** `MULDIV255(a, b)`: a*b/255 rounded, Pillow's integer form. */
export function muldiv255(a: number, b: number): number {
  const t = a * b + 128;
  return ((t >> 8) + t) >> 8;
}

function clip8(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : v;
}

// ---- mode 1 (stored 0/1) ------------------------------------------------------------------

/** One band in, `bands` out: v -> (v, v, v[, 255]) after `map`. */
function grayTo(bands: 1 | 3 | 4, map: (v: number) => number, alpha = 255): Kernel {
  if (bands === 1) {
    return (src, si, dst, di, n) => {
      for (let i = 0; i < n; i++) dst[di + i] = map(src[si + i]);
    };
  }
  if (bands === 3) {
    return (src, si, dst, di, n) => {
      for (let i = 0, o = di; i < n; i++, o += 3) {
        const v = map(src[si + i]);
        dst[o] = v;
        dst[o + 1] = v;
        dst[o + 2] = v;
      }
    };
  }
  return (src, si, dst, di, n) => {
    for (let i = 0, o = di; i < n; i++, o += 4) {
      const v = map(src[si + i]);
      dst[o] = v;
      dst[o + 1] = v;
      dst[o + 2] = v;
      dst[o + 3] = alpha;
    }
  };
}

const bitValue = (v: number): number => (v !== 0 ? 255 : 0);
const same = (v: number): number => v;
/** `i2l` / `i2rgb`: clamp to 0..255. */
const clampI = (v: number): number => (v <= 0 ? 0 : v >= 255 ? 255 : v);
/** `f2l`: clamp, then C's truncating float -> uint8 (NaN falls to 0 as on x86). */
const clampF = (v: number): number => (v <= 0 ? 0 : v >= 255 ? 255 : v > 0 ? Math.trunc(v) : 0);
/** `I16L_L` / `I16_RGB`: any high byte -> 255 (a clamp, not a shift). */
const clamp16 = (v: number): number => (v > 255 ? 255 : v);

/** 1 -> L, I, F: 0 or 255. */
export const bit2l = grayTo(1, bitValue);
export const bit2rgb = grayTo(3, bitValue);
export const bit2rgba = grayTo(4, bitValue);
/** 1 -> LA: (v, 255) (Pillow's bit2rgb into LA's L,L,L,A storage). */
export const bit2la: Kernel = (src, si, dst, di, n) => {
  for (let i = 0, o = di; i < n; i++, o += 2) {
    dst[o] = src[si + i] !== 0 ? 255 : 0;
    dst[o + 1] = 255;
  }
};
export const bit2cmyk: Kernel = (src, si, dst, di, n) => {
  dst.fill(0, di, di + n * 4);
  for (let i = 0, o = di + 3; i < n; i++, o += 4) dst[o] = src[si + i] !== 0 ? 0 : 255;
};

// ---- L ------------------------------------------------------------------------------------

/** `l2bit` (dither NONE): `>= 128` -> 1. */
export const l2bit = grayTo(1, (v) => (v >= 128 ? 1 : 0));
export const l2rgb = grayTo(3, same);
export const l2rgba = grayTo(4, same);
/** L -> I, F, I;16; I;16 -> I, F; I -> F: the same value in the target type (float32 rounds as C). */
export const widen = grayTo(1, same);
export const l2la: Kernel = (src, si, dst, di, n) => {
  for (let i = 0, o = di; i < n; i++, o += 2) {
    dst[o] = src[si + i];
    dst[o + 1] = 255;
  }
};
export const l2cmyk: Kernel = (src, si, dst, di, n) => {
  dst.fill(0, di, di + n * 4);
  for (let i = 0, o = di + 3; i < n; i++, o += 4) dst[o] = 255 - src[si + i];
};

// ---- LA -----------------------------------------------------------------------------------

export const la2l: Kernel = (src, si, dst, di, n) => {
  for (let i = 0, s = si; i < n; i++, s += 2) dst[di + i] = src[s];
};
/** LA -> RGB / RGBA (`la2rgb`: alpha kept when the target has one). */
function la2colour(bands: 3 | 4): Kernel {
  return (src, si, dst, di, n) => {
    for (let i = 0, s = si, o = di; i < n; i++, s += 2, o += bands) {
      const v = src[s];
      dst[o] = v;
      dst[o + 1] = v;
      dst[o + 2] = v;
      if (bands === 4) dst[o + 3] = src[s + 1];
    }
  };
}
export const la2rgb = la2colour(3);
export const la2rgba = la2colour(4);
export const la2cmyk: Kernel = (src, si, dst, di, n) => {
  dst.fill(0, di, di + n * 4);
  for (let i = 0, s = si, o = di + 3; i < n; i++, s += 2, o += 4) dst[o] = 255 - src[s];
};

// ---- I, F, I;16 ---------------------------------------------------------------------------

export const i2l = grayTo(1, clampI);
export const i2rgb = grayTo(3, clampI);
export const i2rgba = grayTo(4, clampI);
export const f2l = grayTo(1, clampF);
/** `f2i`: C truncation; out of range and NaN give INT_MIN as x86's cvttss2si does. */
export const f2i = grayTo(1, (v) => (v >= -2147483648 && v < 2147483648 ? Math.trunc(v) : -2147483648));
/** `I_I16L`: CLIP16. */
export const i2i16 = grayTo(1, (v) => (v <= 0 ? 0 : v >= 65535 ? 65535 : v));
export const i16l = grayTo(1, clamp16);
export const i16rgb = grayTo(3, clamp16);

// ---- RGB / RGBA / RGBX (stride 3 or 4) ----------------------------------------------------

/** RGB-family -> one band `map(r, g, b)`. */
function rgbTo1(stride: 3 | 4, map: (r: number, g: number, b: number) => number): Kernel {
  return (src, si, dst, di, n) => {
    for (let i = 0, s = si; i < n; i++, s += stride) dst[di + i] = map(src[s], src[s + 1], src[s + 2]);
  };
}
export const rgb2l = (stride: 3 | 4): Kernel => rgbTo1(stride, l24);
/** `rgb2bit` (dither NONE): `L >= 128000`. */
export const rgb2bit = (stride: 3 | 4): Kernel => rgbTo1(stride, (r, g, b) => (l1000(r, g, b) >= 128000 ? 1 : 0));
/** `rgb2f`: `(float)L / 1000.0F` (float32 division; the store rounds the double exactly). */
export const rgb2f = (stride: 3 | 4): Kernel => rgbTo1(stride, (r, g, b) => Math.fround(l1000(r, g, b)) / 1000);
/** `rgb2la` / `rgba2la`: (L24, 255) or (L24, A). */
export function rgb2la(stride: 3 | 4, keepAlpha: boolean): Kernel {
  return (src, si, dst, di, n) => {
    for (let i = 0, s = si, o = di; i < n; i++, s += stride, o += 2) {
      dst[o] = l24(src[s], src[s + 1], src[s + 2]);
      dst[o + 1] = keepAlpha ? src[s + 3] : 255;
    }
  };
}
/** RGB-family reshuffle: copies R, G, B; the 4th output byte is `fill` (or source alpha). */
export function rgbTo(stride: 3 | 4, bands: 3 | 4, fill: number | 'alpha'): Kernel {
  if (stride === 3 && bands === 3) return (src, si, dst, di, n) => { dst.set(src.subarray(si, si + n * 3), di); };
  return (src, si, dst, di, n) => {
    for (let i = 0, s = si, o = di; i < n; i++, s += stride, o += bands) {
      dst[o] = src[s];
      dst[o + 1] = src[s + 1];
      dst[o + 2] = src[s + 2];
      if (bands === 4) dst[o + 3] = fill === 'alpha' ? src[s + 3] : fill;
    }
  };
}
/** `rgb2cmyk`: 255 - x, K = 0 (no undercolour removal). */
export function rgb2cmyk(stride: 3 | 4): Kernel {
  return (src, si, dst, di, n) => {
    for (let i = 0, s = si, o = di; i < n; i++, s += stride, o += 4) {
      dst[o] = 255 - src[s];
      dst[o + 1] = 255 - src[s + 1];
      dst[o + 2] = 255 - src[s + 2];
      dst[o + 3] = 0;
    }
  };
}
/** `cmyk2rgb`: `nk - MULDIV255(c, nk)`, nk = 255 - K. */
export function cmyk2rgb(bands: 3 | 4): Kernel {
  return (src, si, dst, di, n) => {
    for (let i = 0, s = si, o = di; i < n; i++, s += 4, o += bands) {
      const nk = 255 - src[s + 3];
      dst[o] = clip8(nk - muldiv255(src[s], nk));
      dst[o + 1] = clip8(nk - muldiv255(src[s + 1], nk));
      dst[o + 2] = clip8(nk - muldiv255(src[s + 2], nk));
      if (bands === 4) dst[o + 3] = 255;
    }
  };
}

// ---- P (through a 256-entry RGBA table) ---------------------------------------------------

/** P -> `bands`-band output from a table of `bands` values per palette index. */
export function lookup(table: Uint8Array | Float32Array | Int32Array, bands: number): Kernel {
  if (bands === 1) {
    return (src, si, dst, di, n) => {
      for (let i = 0; i < n; i++) dst[di + i] = table[src[si + i]];
    };
  }
  return (src, si, dst, di, n) => {
    for (let i = 0, o = di; i < n; i++, o += bands) {
      const e = src[si + i] * bands;
      for (let b = 0; b < bands; b++) dst[o + b] = table[e + b];
    }
  };
}

// ---- transparency (ImagingConvertTransparent) ---------------------------------------------

/**
 * `rgbT2a` after the base kernel: output pixels (or, `fromSource`, source pixels) equal to
 * the transparent colour get alpha 0. Pillow compares the 4-byte internal pixel with
 * (r & 255, g & 255, b & 255, 255), which is what `key` holds here.
 */
export function withTransparency(
  base: Kernel,
  outBands: 2 | 4,
  key: readonly [number, number, number],
  fromSource?: 3,
): Kernel {
  const [r, g, b] = key;
  return (src, si, dst, di, n) => {
    base(src, si, dst, di, n);
    for (let i = 0, o = di, s = si; i < n; i++, o += outBands, s += 3) {
      let hit: boolean;
      if (fromSource === 3) hit = src[s] === r && src[s + 1] === g && src[s + 2] === b;
      else if (outBands === 4) hit = dst[o] === r && dst[o + 1] === g && dst[o + 2] === b && dst[o + 3] === 255;
      else hit = dst[o] === r && r === g && g === b && dst[o + 1] === 255;
      if (hit) dst[o + outBands - 1] = 0;
    }
  };
}

// ---- Floyd-Steinberg to 1 (Convert.c `tobilevel`) -----------------------------------------

/**
 * Pillow's integer error diffusion to mode 1, for L (`stride` 1) or RGB-family sources
 * (`L / 1000`, truncating). Stateful across rows: make one per image, feed rows in order.
 */
export function bilevelDither(width: number, stride: 1 | 3 | 4): Kernel {
  const errors = new Int32Array(width + 1);
  return (src, si, dst, di, n) => {
    for (let row = 0; row < n; row += width) {
      let l = 0;
      let l0 = 0;
      let l1 = 0;
      let x = 0;
      for (; x < width; x++) {
        const s = si + (row + x) * stride;
        const v = stride === 1 ? src[s] : ((src[s] * 299 + src[s + 1] * 587 + src[s + 2] * 114) / 1000) | 0;
        l = clip8(v + (((l + errors[x + 1]) / 16) | 0));
        const out = l > 128 ? 255 : 0;
        dst[di + row + x] = out === 255 ? 1 : 0;
        l -= out;
        const l2 = l;
        const d2 = l + l;
        l += d2;
        errors[x] = l + l0;
        l += d2;
        l0 = l + l1;
        l1 = l2;
        l += d2;
      }
      errors[x] = l0;
    }
  };
}

// ---- premultiplied alpha (LA <-> La, RGBA <-> RGBa) ----------------------------------------

/** Convert.c `rgbA2rgba` / `lA2la`: every colour band times alpha, `MULDIV255`. */
export function premultiply(bands: 2 | 4): Kernel {
  return (src, si, dst, di, n) => {
    for (let i = 0, s = si, o = di; i < n; i++, s += bands, o += bands) {
      const a = src[s + bands - 1] ?? 0;
      for (let b = 0; b < bands - 1; b++) dst[o + b] = muldiv255(src[s + b] ?? 0, a);
      dst[o + bands - 1] = a;
    }
  };
}

/** Convert.c `rgba2rgbA` / `la2lA`: `255 * c / alpha` truncated and clipped; alpha 0 and 255 copy. */
export function unpremultiply(bands: 2 | 4): Kernel {
  return (src, si, dst, di, n) => {
    for (let i = 0, s = si, o = di; i < n; i++, s += bands, o += bands) {
      const a = src[s + bands - 1] ?? 0;
      for (let b = 0; b < bands - 1; b++) {
        const c = src[s + b] ?? 0;
        dst[o + b] = a === 255 || a === 0 ? c : clip8(Math.trunc((255 * c) / a));
      }
      dst[o + bands - 1] = a;
    }
  };
}
