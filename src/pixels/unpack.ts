/**
 * Row unpackers: unfiltered PNG bytes -> pixels of the Pillow mode (Pillow's Unpack.c
 * rawmodes). Each is `(src, so, dst, d, n, step)`: `n` pixels from `src[so..]` into `dst`
 * starting at element `d`, `step` elements between pixels (bands for a packed row, more for
 * Adam7 scatter). One unpacker is chosen per image.
 */
import type { Rawmode } from '../codecs/png/layouts.js';

export type Unpacker = (src: Uint8Array, so: number, dst: Uint8Array | Uint16Array, d: number, n: number, step: number) => void;

function bits(depth: number, scale: number): Unpacker {
  const perByte = 8 / depth;
  const mask = (1 << depth) - 1;
  return (src, so, dst, d, n, step) => {
    for (let i = 0; i < n; i++) {
      const byte = src[so + Math.floor(i / perByte)];
      const shift = 8 - depth * ((i % perByte) + 1);
      dst[d + i * step] = ((byte >> shift) & mask) * scale;
    }
  };
}

function copyBands(bands: number): Unpacker {
  return (src, so, dst, d, n, step) => {
    for (let i = 0; i < n; i++) {
      const s = so + i * bands;
      const o = d + i * step;
      for (let c = 0; c < bands; c++) dst[o + c] = src[s + c];
    }
  };
}

/** 16-bit big-endian samples: keep the high byte (Pillow truncates, it does not round). */
function highBytes(bands: number): Unpacker {
  return (src, so, dst, d, n, step) => {
    for (let i = 0; i < n; i++) {
      const s = so + i * bands * 2;
      const o = d + i * step;
      for (let c = 0; c < bands; c++) dst[o + c] = src[s + 2 * c];
    }
  };
}

const i16b: Unpacker = (src, so, dst, d, n, step) => {
  for (let i = 0; i < n; i++) dst[d + i * step] = (src[so + 2 * i] << 8) | src[so + 2 * i + 1];
};

/** 16-bit grey+alpha -> RGBA (L, L, L, A), high bytes. */
const la16: Unpacker = (src, so, dst, d, n, step) => {
  for (let i = 0; i < n; i++) {
    const l = src[so + 4 * i];
    const o = d + i * step;
    dst[o] = l;
    dst[o + 1] = l;
    dst[o + 2] = l;
    dst[o + 3] = src[so + 4 * i + 2];
  }
};

export const UNPACKERS: Record<Rawmode, Unpacker> = {
  '1': bits(1, 1), // mode 1 as 0/1
  'L;2': bits(2, 0x55),
  'L;4': bits(4, 0x11),
  L: copyBands(1),
  'I;16B': i16b,
  RGB: copyBands(3),
  'RGB;16B': highBytes(3),
  'P;1': bits(1, 1),
  'P;2': bits(2, 1),
  'P;4': bits(4, 1),
  P: copyBands(1),
  LA: copyBands(2),
  'LA;16B': la16,
  RGBA: copyBands(4),
  'RGBA;16B': highBytes(4),
};

/** Rawmodes whose unfiltered bytes ARE the output pixels (unfilter straight into the array). */
export const IDENTITY_RAWMODES: ReadonlySet<Rawmode> = new Set<Rawmode>(['L', 'P', 'RGB', 'LA', 'RGBA']);
