/**
 * Pillow's raw packers (libImaging/Pack.c) for imarray's packed storage: how `tobytes(rawmode)`
 * lays out a row. A packer is `(src, si, dst, di, n)`: `n` pixels from element `si` of the
 * mode's storage into bytes of `dst` from `di`. Multi-byte storage is little-endian (x86,
 * arm64), which is also what Pillow's `I`, `F` and `I;16` raw modes are.
 */
import type { Mode } from '../core/modes.js';
import type { TypedArray } from '../core/ndarray.js';
import { muldiv255 } from './convert/kernels.js';
import { simdPermute } from '../kernels/swizzle.js';

export type Packer = (src: TypedArray, si: number, dst: Uint8Array, di: number, n: number) => void;

export interface PackerInfo {
  /** Bits per pixel in the output. Rows are padded to whole bytes (bit-packed modes). */
  bits: number;
  pack: Packer;
}

/** Output channel: a source band index, or a constant byte. */
type Channel = number | { fill: number };
const ZERO = { fill: 0 };
const FULL = { fill: 255 };

/** Packers that are a plain copy of the storage bytes (the encoder runs them in one block). */
export const IDENTITY = new WeakSet<Packer>();

/**
 * RGB -> BGR four pixels at a time: three little-endian 32-bit words in, three out
 * (`w0 = R0 G0 B0 R1`, `w1 = G1 B1 R2 G2`, `w2 = B2 R3 G3 B3`). Faster than the byte loop in V8 (docs/internals.md).
 * Returns the pixels done (0 when either side is not 4-byte aligned).
 */
function swapRB3(src: Uint8Array, si: number, dst: Uint8Array, di: number, n: number): number {
  const sb = src.byteOffset + si;
  const db = dst.byteOffset + di;
  if (sb % 4 !== 0 || db % 4 !== 0) return 0;
  const words = (n >> 2) * 3;
  const a = new Uint32Array(src.buffer, sb, words);
  const b = new Uint32Array(dst.buffer, db, words);
  for (let i = 0; i < words; i += 3) {
    const w0 = a[i];
    const w1 = a[i + 1];
    const w2 = a[i + 2];
    b[i] = ((w0 >>> 16) & 0xff) | (w0 & 0xff00) | ((w0 & 0xff) << 16) | ((w1 & 0xff00) << 16);
    b[i + 1] = (w1 & 0xff) | ((w0 >>> 24) << 8) | ((w2 & 0xff) << 16) | (w1 & 0xff000000);
    b[i + 2] = ((w1 >>> 16) & 0xff) | ((w2 >>> 24) << 8) | (w2 & 0xff0000) | ((w2 & 0xff00) << 16);
  }
  return (n >> 2) * 4;
}

/** RGBA -> BGRA, one 32-bit word per pixel. */
function swapRB4(src: Uint8Array, si: number, dst: Uint8Array, di: number, n: number): number {
  const sb = src.byteOffset + si;
  const db = dst.byteOffset + di;
  if (sb % 4 !== 0 || db % 4 !== 0) return 0;
  const a = new Uint32Array(src.buffer, sb, n);
  const b = new Uint32Array(dst.buffer, db, n);
  for (let i = 0; i < n; i++) {
    const w = a[i];
    b[i] = (w & 0xff00ff00) | ((w >>> 16) & 0xff) | ((w & 0xff) << 16);
  }
  return n;
}

/** The scalar R <-> B swap: 32-bit words where both sides are 4-byte aligned, bytes for the rest. */
export function swapRB(bands: 3 | 4): Packer {
  const fast = bands === 3 ? swapRB3 : swapRB4;
  return (src, si, dst, di, n) => {
    const done = src instanceof Uint8Array ? fast(src, si, dst, di, n) : 0;
    for (let i = done, s = si + done * bands, o = di + done * bands; i < n; i++, s += bands, o += bands) {
      dst[o] = src[s + 2];
      dst[o + 1] = src[s + 1];
      dst[o + 2] = src[s];
      if (bands === 4) dst[o + 3] = src[s + 3];
    }
  };
}

/** An in-place band permutation of `n` pixels at `d`, `step` bytes apart (`step` = bands: packed). */
export type Reorder = (buf: Uint8Array, d: number, n: number, step: number) => void;

/**
 * Pixel `p` becomes `[p[perm[0]], p[perm[1]], ...]` in place: the decoders' `order` (imread's
 * RGB -> BGR). Packed runs take the WebAssembly SIMD kernel (safe in place: each block is
 * copied into the kernel's memory before any byte is written back); others, and engines
 * without SIMD, read a whole pixel before writing it.
 */
export function reorderPixels(bands: 3 | 4, perm: readonly number[]): Reorder {
  const simd = simdPermute(bands, perm);
  const [a = 0, b = 1, c = 2, e = 3] = perm;
  return (buf, d, n, step) => {
    if (simd !== undefined && step === bands) {
      simd(buf, d, buf, d, n);
      return;
    }
    const px = [0, 0, 0, 0];
    for (let i = 0, o = d; i < n; i++, o += step) {
      px[0] = buf[o];
      px[1] = buf[o + 1];
      px[2] = buf[o + 2];
      if (bands === 4) px[3] = buf[o + 3];
      buf[o] = px[a];
      buf[o + 1] = px[b];
      buf[o + 2] = px[c];
      if (bands === 4) buf[o + 3] = px[e];
    }
  };
}

/** 3 or 4 output bytes per pixel, each a source band. */
export function permuteLoop(bands: number, idx: readonly number[]): Packer {
  if (idx.length === 3) {
    const [a, b, c] = idx as [number, number, number];
    return (src, si, dst, di, n) => {
      for (let i = 0, s = si, o = di; i < n; i++, s += bands, o += 3) {
        dst[o] = src[s + a];
        dst[o + 1] = src[s + b];
        dst[o + 2] = src[s + c];
      }
    };
  }
  const [a, b, c, d] = idx as [number, number, number, number];
  return (src, si, dst, di, n) => {
    for (let i = 0, s = si, o = di; i < n; i++, s += bands, o += 4) {
      dst[o] = src[s + a];
      dst[o + 1] = src[s + b];
      dst[o + 2] = src[s + c];
      dst[o + 3] = src[s + d];
    }
  };
}

/** Byte shuffle from `bands`-byte pixels: out channel j = src band spec[j] (or a constant). */
export function shuffle(bands: number, spec: readonly Channel[]): Packer {
  const out = spec.length;
  if (spec.every((c, j) => c === j) && out === bands) {
    const copy: Packer = (src, si, dst, di, n) => { dst.set(src.subarray(si, si + n * bands), di); };
    IDENTITY.add(copy);
    return copy;
  }
  const idx = spec.map((c) => (typeof c === 'number' ? c : -1));
  const fill = spec.map((c) => (typeof c === 'number' ? 0 : c.fill));
  if ((bands === 3 || bands === 4) && out === bands && idx.every((v) => v >= 0)) {
    // A permutation within the pixel (RGB -> BGR, RGBA -> BGRA...): WebAssembly SIMD on bytes.
    const simd = simdPermute(bands, idx);
    const swapsRB = idx[0] === 2 && idx[1] === 1 && idx[2] === 0 && (bands === 3 || idx[3] === 3);
    const scalar = swapsRB ? swapRB(bands) : permuteLoop(bands, idx);
    if (simd === undefined) return scalar;
    return (src, si, dst, di, n) => {
      if (src instanceof Uint8Array) simd(src, si, dst, di, n);
      else scalar(src, si, dst, di, n);
    };
  }
  if ((out === 3 || out === 4) && idx.every((v) => v >= 0)) return permuteLoop(bands, idx);
  return (src, si, dst, di, n) => {
    for (let i = 0, s = si, o = di; i < n; i++, s += bands, o += out) {
      for (let j = 0; j < out; j++) dst[o + j] = idx[j] >= 0 ? src[s + idx[j]] : fill[j];
    }
  };
}

/** 1/2/4-bit packing, MSB first (`pack1`, `packP2`, `packP4`), or LSB first; `test` picks the bits. */
function bitPack(bits: 1 | 2 | 4, map: (v: number) => number, lsbFirst = false): Packer {
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  return (src, si, dst, di, n) => {
    let o = di;
    for (let i = 0; i < n; i += perByte) {
      let byte = 0;
      const m = Math.min(perByte, n - i);
      for (let j = 0; j < m; j++) {
        const v = map(src[si + i + j]) & mask;
        byte |= lsbFirst ? v << (j * bits) : v << (8 - bits * (j + 1));
      }
      dst[o++] = byte;
    }
  };
}

/** Bytes of typed storage, copied as they are (little-endian). */
const copyBytes: Packer = (src, si, dst, di, n) => {
  const bpe = src.BYTES_PER_ELEMENT;
  dst.set(new Uint8Array(src.buffer, src.byteOffset + si * bpe, n * bpe), di);
};
IDENTITY.add(copyBytes);
/** One 16-bit value per pixel, big-endian, after `map` (I;16B). */
function be16(map: (v: number) => number): Packer {
  return (src, si, dst, di, n) => {
    for (let i = 0, o = di; i < n; i++, o += 2) {
      const v = map(src[si + i]);
      dst[o] = v >> 8;
      dst[o + 1] = v & 255;
    }
  };
}
const bgra: Packer = shuffle(4, [2, 1, 0, 3]);

const P = (bits: number, pack: Packer): PackerInfo => ({ bits, pack });
const nonzero = (v: number) => (v !== 0 ? 1 : 0);
const zero = (v: number) => (v === 0 ? 1 : 0);

/** Pillow's `packers[]` table (the rows imarray's storage modes can reach). */
export const PACKERS: Partial<Record<Mode, Record<string, PackerInfo>>> = {
  '1': {
    '1': P(1, bitPack(1, nonzero)),
    '1;I': P(1, bitPack(1, zero)),
    '1;R': P(1, bitPack(1, nonzero, true)),
    '1;IR': P(1, bitPack(1, zero, true)),
    L: P(8, (src, si, dst, di, n) => { for (let i = 0; i < n; i++) dst[di + i] = src[si + i] !== 0 ? 255 : 0; }),
  },
  L: {
    L: P(8, shuffle(1, [0])),
    'L;16': P(16, shuffle(1, [ZERO, 0])),
    'L;16B': P(16, shuffle(1, [0, ZERO])),
  },
  LA: { LA: P(16, shuffle(2, [0, 1])) },
  La: { La: P(16, shuffle(2, [0, 1])) },
  PA: { PA: P(16, shuffle(2, [0, 1])) },
  P: {
    P: P(8, shuffle(1, [0])),
    'P;1': P(1, bitPack(1, nonzero)),
    'P;2': P(2, bitPack(2, (v) => v)),
    'P;4': P(4, bitPack(4, (v) => v)),
  },
  RGB: {
    RGB: P(24, shuffle(3, [0, 1, 2])),
    RGBX: P(32, shuffle(3, [0, 1, 2, FULL])),
    RGBA: P(32, shuffle(3, [0, 1, 2, FULL])),
    XRGB: P(32, shuffle(3, [ZERO, 0, 1, 2])),
    BGR: P(24, shuffle(3, [2, 1, 0])),
    BGRX: P(32, shuffle(3, [2, 1, 0, ZERO])),
    XBGR: P(32, shuffle(3, [ZERO, 2, 1, 0])),
    R: P(8, shuffle(3, [0])), G: P(8, shuffle(3, [1])), B: P(8, shuffle(3, [2])),
  },
  RGBA: {
    RGBA: P(32, shuffle(4, [0, 1, 2, 3])),
    RGB: P(24, shuffle(4, [0, 1, 2])),
    BGR: P(24, shuffle(4, [2, 1, 0])),
    BGRA: P(32, bgra),
    ABGR: P(32, shuffle(4, [3, 2, 1, 0])),
    BGRa: P(32, (src, si, dst, di, n) => {
      for (let i = 0, s = si, o = di; i < n; i++, s += 4, o += 4) {
        const a = src[s + 3];
        dst[o] = muldiv255(src[s + 2], a);
        dst[o + 1] = muldiv255(src[s + 1], a);
        dst[o + 2] = muldiv255(src[s], a);
        dst[o + 3] = a;
      }
    }),
    R: P(8, shuffle(4, [0])), G: P(8, shuffle(4, [1])), B: P(8, shuffle(4, [2])), A: P(8, shuffle(4, [3])),
  },
  RGBa: { RGBa: P(32, shuffle(4, [0, 1, 2, 3])), BGRa: P(32, bgra), aBGR: P(32, shuffle(4, [3, 2, 1, 0])) },
  RGBX: {
    RGBX: P(32, shuffle(4, [0, 1, 2, 3])),
    RGB: P(24, shuffle(4, [0, 1, 2])),
    BGR: P(24, shuffle(4, [2, 1, 0])),
    BGRX: P(32, shuffle(4, [2, 1, 0, ZERO])),
    XBGR: P(32, shuffle(4, [ZERO, 2, 1, 0])),
    R: P(8, shuffle(4, [0])), G: P(8, shuffle(4, [1])), B: P(8, shuffle(4, [2])), X: P(8, shuffle(4, [3])),
  },
  CMYK: {
    CMYK: P(32, shuffle(4, [0, 1, 2, 3])),
    'CMYK;I': P(32, (src, si, dst, di, n) => { for (let i = 0; i < n * 4; i++) dst[di + i] = 255 - src[si + i]; }),
    C: P(8, shuffle(4, [0])), M: P(8, shuffle(4, [1])), Y: P(8, shuffle(4, [2])), K: P(8, shuffle(4, [3])),
  },
  YCbCr: { YCbCr: P(24, shuffle(3, [0, 1, 2])), Y: P(8, shuffle(3, [0])), Cb: P(8, shuffle(3, [1])), Cr: P(8, shuffle(3, [2])) },
  LAB: { LAB: P(24, shuffle(3, [0, 1, 2])) },
  HSV: { HSV: P(24, shuffle(3, [0, 1, 2])), H: P(8, shuffle(3, [0])), S: P(8, shuffle(3, [1])), V: P(8, shuffle(3, [2])) },
  I: {
    I: P(32, copyBytes),
    'I;16B': P(16, be16((v) => (v <= 0 ? 0 : v > 65535 ? 65535 : v))),
  },
  F: { F: P(32, copyBytes) },
  'I;16': { 'I;16': P(16, copyBytes), 'I;16B': P(16, be16((v) => v)) },
};

/** Pillow's `ImagingFindPacker`. */
export function findPacker(mode: Mode, rawmode: string): PackerInfo | undefined {
  const table = PACKERS[mode];
  return table !== undefined && Object.hasOwn(table, rawmode) ? table[rawmode] : undefined;
}

/** Every raw mode some storage mode packs to. */
export const RAWMODES: ReadonlySet<string> = new Set(Object.values(PACKERS).flatMap((t) => Object.keys(t)));
