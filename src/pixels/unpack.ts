/**
 * Pillow's Unpack.c: raw file bytes of a row -> pixels of a mode, keyed as Pillow keys them,
 * by (mode, rawmode): `unpacker('RGB', 'BGR;15')`. Every decoder that reads rows of a raw
 * layout (PNG after unfiltering, and the raw tile decoder behind BMP, TGA, PNM, ICO, SGI...)
 * takes its row kernel from here.
 *
 * An unpacker is `(src, so, dst, d, n, step)`: `n` pixels from `src[so..]` into `dst` from
 * element `d`, `step` elements between pixels (the bands for a packed row, more for Adam7's
 * scatter). Values follow imarray's storage: mode `1` is 0/1, 3-band modes are 3 elements.
 */
import type { Mode } from '../core/modes.js';
import type { TypedArray } from '../core/ndarray.js';
import { simdPermute } from '../kernels/swizzle.js';

export type Unpacker = (src: Uint8Array, so: number, dst: TypedArray, d: number, n: number, step: number) => void;

export interface UnpackerInfo {
  /** Bits of input per pixel (rows of fewer than 8 are padded to a whole byte). */
  readonly bits: number;
  readonly unpack: Unpacker;
}

/** Each byte with its bit order reversed (Pillow's BITFLIP, for FillOrder 2 data). */
const BITFLIP = Uint8Array.from({ length: 256 }, (_, b) => {
  let r = 0;
  for (let k = 0; k < 8; k++) if ((b & (1 << k)) !== 0) r |= 128 >> k;
  return r;
});

/**
 * Samples of `depth` bits (1, 2, 4 or 8), most significant bits first (or least, `lsbFirst`),
 * times `scale`, optionally inverted; `flip` reverses each byte's bits first (Pillow's `;R`).
 */
function bits(depth: number, scale: number, opts: { invert?: boolean; lsbFirst?: boolean; flip?: boolean } = {}): Unpacker {
  const perByte = 8 / depth;
  const mask = (1 << depth) - 1;
  const top = mask * scale;
  const { invert = false, lsbFirst = false, flip = false } = opts;
  return (src, so, dst, d, n, step) => {
    for (let i = 0; i < n; i++) {
      const raw = src[so + Math.floor(i / perByte)];
      const byte = flip ? BITFLIP[raw] : raw;
      const k = i % perByte;
      const shift = lsbFirst ? depth * k : 8 - depth * (k + 1);
      const v = ((byte >> shift) & mask) * scale;
      dst[d + i * step] = invert ? top - v : v;
    }
  };
}

/**
 * Whole-byte samples: output band `c` is input byte `pick[c]` of each `inBytes`-byte pixel;
 * a pick of -1 is the constant 255 (alpha of a source without one), `invert` takes 255 - v.
 */
function bytes(inBytes: number, pick: readonly number[], invert = false): Unpacker {
  const bands = pick.length;
  if (!invert && inBytes === bands && pick.every((p, i) => p === i)) {
    return (src, so, dst, d, n, step) => {
      if (step === bands && dst instanceof Uint8Array) {
        dst.set(src.subarray(so, so + n * bands), d);
        return;
      }
      for (let i = 0; i < n; i++) {
        const s = so + i * inBytes;
        const o = d + i * step;
        for (let c = 0; c < bands; c++) dst[o + c] = src[s + c];
      }
    };
  }
  const scalar: Unpacker = (src, so, dst, d, n, step) => {
    for (let i = 0; i < n; i++) {
      const s = so + i * inBytes;
      const o = d + i * step;
      for (let c = 0; c < bands; c++) {
        const p = pick[c];
        const v = p < 0 ? 255 : src[s + p];
        dst[o + c] = invert && p >= 0 ? 255 - v : v;
      }
    }
  };
  // a byte permutation of whole 3- or 4-byte pixels (BGR, BGRA, ABGR...): the SIMD permute kernel
  const permutes = !invert && inBytes === bands && (bands === 3 || bands === 4) && new Set(pick).size === bands && pick.every((p) => p >= 0 && p < bands);
  if (!permutes) return scalar;
  return (src, so, dst, d, n, step) => {
    const simd = step === bands && dst instanceof Uint8Array ? simdPermute(bands, pick) : undefined;
    if (simd !== undefined && dst instanceof Uint8Array) simd(src, so, dst, d, n);
    else scalar(src, so, dst, d, n, step);
  };
}

/** Bit layers (Pillow's `P;2L` / `P;4L`): `planes` planes of (n + 7) / 8 bytes, bit k of pixel i in plane k. */
function bitLayers(planes: number): Unpacker {
  return (src, so, dst, d, n, step) => {
    const s = Math.ceil(n / 8);
    for (let i = 0; i < n; i++) {
      const j = so + (i >> 3);
      const m = 128 >> (i & 7);
      let v = 0;
      for (let k = 0; k < planes; k++) if ((src[j + k * s] & m) !== 0) v |= 1 << k;
      dst[d + i * step] = v;
    }
  };
}

/** Line-interleaved bands (Pillow's `RGB;L`): band c of pixel i at `c * n + i`. */
function lineInterleaved(bands: number): Unpacker {
  return (src, so, dst, d, n, step) => {
    for (let i = 0; i < n; i++) for (let c = 0; c < bands; c++) dst[d + i * step + c] = src[so + c * n + i];
  };
}

/**
 * Premultiplied 8-bit colour + alpha (Pillow's `RGBa` / `BGRa`): un-premultiplied with C's
 * truncating division; `pick` are byte offsets of R, G, B, A within each `inBytes`-byte pixel
 * (the high bytes of 16-bit samples for `RGBa;16L/B`).
 */
function premultiplied(pick: readonly [number, number, number, number], inBytes = 4): Unpacker {
  return (src, so, dst, d, n, step) => {
    for (let i = 0; i < n; i++) {
      const s = so + i * inBytes;
      const o = d + i * step;
      const a = src[s + pick[3]];
      for (let c = 0; c < 3; c++) {
        const v = src[s + pick[c]];
        dst[o + c] = a === 0 ? 0 : a === 255 ? v : Math.min(255, Math.floor((v * 255) / a));
      }
      dst[o + 3] = a;
    }
  };
}

/**
 * 16-bit little-endian packed pixels (BMP/TGA 15/16-bit): each field `[shift, bits]` is scaled
 * to 8 bits as Pillow does (`v * 255 / max`, truncated); `alphaBit` a 1-bit alpha at bit 15
 * (`alphaInverted`: set means transparent, Pillow's ';15Z').
 */
function packed16(fields: readonly (readonly [number, number])[], alphaBit: boolean, scaleBy17 = false, alphaInverted = false): Unpacker {
  return (src, so, dst, d, n, step) => {
    for (let i = 0; i < n; i++) {
      const px = src[so + 2 * i] | (src[so + 2 * i + 1] << 8);
      const o = d + i * step;
      for (let c = 0; c < fields.length; c++) {
        const [shift, width] = fields[c];
        const max = (1 << width) - 1;
        const v = (px >> shift) & max;
        dst[o + c] = scaleBy17 ? v * 17 : Math.floor((v * 255) / max);
      }
      if (alphaBit) dst[o + 3] = alphaInverted ? 255 - (px >> 15) * 255 : (px >> 15) * 255;
    }
  };
}

/** The high byte of each 16-bit sample (Pillow truncates to 8 bits, it does not round): `hi` 0 big-endian, 1 little-endian. */
function highBytes(samples: number, pick: readonly number[], hi: 0 | 1): Unpacker {
  return (src, so, dst, d, n, step) => {
    for (let i = 0; i < n; i++) {
      const s = so + i * samples * 2;
      const o = d + i * step;
      for (let c = 0; c < pick.length; c++) dst[o + c] = src[s + 2 * pick[c] + hi];
    }
  };
}

/** One multi-byte number a pixel, through a DataView: u16 / i16 / i32 / f32, either byte order. */
function numbers(kind: 'u16' | 'i16' | 'i32' | 'f32', littleEndian: boolean): Unpacker {
  const size = kind === 'u16' || kind === 'i16' ? 2 : 4;
  const get = {
    u16: (v: DataView, p: number) => v.getUint16(p, littleEndian),
    i16: (v: DataView, p: number) => v.getInt16(p, littleEndian),
    i32: (v: DataView, p: number) => v.getInt32(p, littleEndian),
    f32: (v: DataView, p: number) => v.getFloat32(p, littleEndian),
  }[kind];
  return (src, so, dst, d, n, step) => {
    const view = new DataView(src.buffer, src.byteOffset + so, n * size);
    for (let i = 0; i < n; i++) dst[d + i * step] = get(view, i * size);
  };
}

/** Bytes with their bit order reversed, `bands` a pixel (Pillow's `L;R`, `RGB;R`). */
function flipped(bands: number): Unpacker {
  return (src, so, dst, d, n, step) => {
    for (let i = 0; i < n; i++) for (let c = 0; c < bands; c++) dst[d + i * step + c] = BITFLIP[src[so + i * bands + c]];
  };
}

/** 16-bit little-endian samples with each byte's bits reversed (Pillow's `I;16R`). */
const i16Flipped: Unpacker = (src, so, dst, d, n, step) => {
  for (let i = 0; i < n; i++) dst[d + i * step] = BITFLIP[src[so + 2 * i]] | (BITFLIP[src[so + 2 * i + 1]] << 8);
};

/** Packed 12-bit samples, big-endian bit order (Pillow's `I;12`, TIFF's 12-bit grey): two in three bytes. */
const i12: Unpacker = (src, so, dst, d, n, step) => {
  for (let i = 0; i < n; i++) {
    const p = so + (i >> 1) * 3;
    dst[d + i * step] = (i & 1) === 0 ? (src[p] << 4) | (src[p + 1] >> 4) : ((src[p + 1] & 0x0f) << 8) | src[p + 2];
  }
};


const RGB_PICK = [0, 1, 2] as const;
const BGR_PICK = [2, 1, 0] as const;

/** Pillow's (mode, rawmode) -> unpacker table; `bits` is the input per pixel. */
const TABLE: Record<string, UnpackerInfo> = {
  // "1": bits, white non-zero unless ;I, lsb first with ;R; ;8 is a byte a pixel
  '1 1': { bits: 1, unpack: bits(1, 1) },
  '1 1;I': { bits: 1, unpack: bits(1, 1, { invert: true }) },
  '1 1;R': { bits: 1, unpack: bits(1, 1, { lsbFirst: true }) },
  '1 1;IR': { bits: 1, unpack: bits(1, 1, { invert: true, lsbFirst: true }) },
  '1 1;8': { bits: 8, unpack: (src, so, dst, d, n, step) => { for (let i = 0; i < n; i++) dst[d + i * step] = src[so + i] > 0 ? 1 : 0; } },
  // L
  'L L;2': { bits: 2, unpack: bits(2, 0x55) },
  'L L;2I': { bits: 2, unpack: bits(2, 0x55, { invert: true }) },
  'L L;4': { bits: 4, unpack: bits(4, 0x11) },
  'L L;4I': { bits: 4, unpack: bits(4, 0x11, { invert: true }) },
  'L L;2R': { bits: 2, unpack: bits(2, 0x55, { flip: true }) },
  'L L;2IR': { bits: 2, unpack: bits(2, 0x55, { invert: true, flip: true }) },
  'L L;4R': { bits: 4, unpack: bits(4, 0x11, { flip: true }) },
  'L L;4IR': { bits: 4, unpack: bits(4, 0x11, { invert: true, flip: true }) },
  'L L': { bits: 8, unpack: bytes(1, [0]) },
  'L L;R': { bits: 8, unpack: flipped(1) },
  'L L;I': { bits: 8, unpack: bytes(1, [0], true) },
  'L L;16': { bits: 16, unpack: highBytes(1, [0], 1) },
  'L L;16B': { bits: 16, unpack: highBytes(1, [0], 0) },
  // P
  'P P;1': { bits: 1, unpack: bits(1, 1) },
  'P P;2': { bits: 2, unpack: bits(2, 1) },
  'P P;4': { bits: 4, unpack: bits(4, 1) },
  'P P': { bits: 8, unpack: bytes(1, [0]) },
  'P P;R': { bits: 8, unpack: flipped(1) },
  'P PX': { bits: 16, unpack: highBytes(1, [0], 0) },
  'P P;2L': { bits: 2, unpack: bitLayers(2) },
  'P P;4L': { bits: 4, unpack: bitLayers(4) },
  // LA / PA
  'LA LA': { bits: 16, unpack: bytes(2, [0, 1]) },
  'PA PA': { bits: 16, unpack: bytes(2, [0, 1]) },
  // RGB
  'RGB RGB': { bits: 24, unpack: bytes(3, RGB_PICK) },
  'RGB BGR': { bits: 24, unpack: bytes(3, BGR_PICK) },
  'RGB RGB;R': { bits: 24, unpack: flipped(3) },
  'RGB RGBX': { bits: 32, unpack: bytes(4, RGB_PICK) },
  'RGB RGBXX': { bits: 40, unpack: bytes(5, RGB_PICK) },
  'RGB RGBXXX': { bits: 48, unpack: bytes(6, RGB_PICK) },
  'RGB RGBX;16L': { bits: 64, unpack: highBytes(4, RGB_PICK, 1) },
  'RGB RGBX;16B': { bits: 64, unpack: highBytes(4, RGB_PICK, 0) },
  'RGB BGRX': { bits: 32, unpack: bytes(4, BGR_PICK) },
  'RGB XRGB': { bits: 32, unpack: bytes(4, [1, 2, 3]) },
  'RGB XBGR': { bits: 32, unpack: bytes(4, [3, 2, 1]) },
  'RGB BGXR': { bits: 32, unpack: bytes(4, [3, 1, 0]) },
  'RGB RGB;15': { bits: 16, unpack: packed16([[0, 5], [5, 5], [10, 5]], false) },
  'RGB BGR;15': { bits: 16, unpack: packed16([[10, 5], [5, 5], [0, 5]], false) },
  'RGB RGB;16': { bits: 16, unpack: packed16([[0, 5], [5, 6], [11, 5]], false) },
  'RGB BGR;16': { bits: 16, unpack: packed16([[11, 5], [5, 6], [0, 5]], false) },
  'RGB RGB;4B': { bits: 16, unpack: packed16([[0, 4], [4, 4], [8, 4]], false, true) },
  'RGB RGB;16B': { bits: 48, unpack: highBytes(3, RGB_PICK, 0) },
  'RGB RGB;L': { bits: 24, unpack: lineInterleaved(3) },
  'RGB RGB;16L': { bits: 48, unpack: highBytes(3, RGB_PICK, 1) },
  // RGBA
  'RGBA RGBA': { bits: 32, unpack: bytes(4, [0, 1, 2, 3]) },
  'RGBA BGRA': { bits: 32, unpack: bytes(4, [2, 1, 0, 3]) },
  'RGBA ARGB': { bits: 32, unpack: bytes(4, [1, 2, 3, 0]) },
  'RGBA ABGR': { bits: 32, unpack: bytes(4, [3, 2, 1, 0]) },
  'RGBA BGAR': { bits: 32, unpack: bytes(4, [3, 1, 0, 2]) },
  'RGBA LA': { bits: 16, unpack: bytes(2, [0, 0, 0, 1]) },
  'RGBA LA;16B': { bits: 32, unpack: highBytes(2, [0, 0, 0, 1], 0) },
  'RGBA RGBAX': { bits: 40, unpack: bytes(5, [0, 1, 2, 3]) },
  'RGBA RGBAXX': { bits: 48, unpack: bytes(6, [0, 1, 2, 3]) },
  'RGBA RGBa': { bits: 32, unpack: premultiplied([0, 1, 2, 3]) },
  'RGBA RGBaX': { bits: 40, unpack: premultiplied([0, 1, 2, 3], 5) },
  'RGBA RGBaXX': { bits: 48, unpack: premultiplied([0, 1, 2, 3], 6) },
  'RGBA RGBa;16L': { bits: 64, unpack: premultiplied([1, 3, 5, 7], 8) },
  'RGBA RGBa;16B': { bits: 64, unpack: premultiplied([0, 2, 4, 6], 8) },
  'RGBA BGRa': { bits: 32, unpack: premultiplied([2, 1, 0, 3]) },
  'RGBA RGBA;15': { bits: 16, unpack: packed16([[0, 5], [5, 5], [10, 5]], true) },
  'RGBA BGRA;15': { bits: 16, unpack: packed16([[10, 5], [5, 5], [0, 5]], true) },
  'RGBA BGRA;15Z': { bits: 16, unpack: packed16([[10, 5], [5, 5], [0, 5]], true, false, true) },
  'RGBA RGBA;4B': { bits: 16, unpack: packed16([[0, 4], [4, 4], [8, 4], [12, 4]], false, true) },
  'RGBA RGBA;16B': { bits: 64, unpack: highBytes(4, [0, 1, 2, 3], 0) },
  'RGBA RGBA;16L': { bits: 64, unpack: highBytes(4, [0, 1, 2, 3], 1) },
  // CMYK
  'CMYK CMYK': { bits: 32, unpack: bytes(4, [0, 1, 2, 3]) },
  'CMYK CMYK;I': { bits: 32, unpack: bytes(4, [0, 1, 2, 3], true) },
  'CMYK CMYKX': { bits: 40, unpack: bytes(5, [0, 1, 2, 3]) },
  'CMYK CMYKXX': { bits: 48, unpack: bytes(6, [0, 1, 2, 3]) },
  'CMYK CMYK;16L': { bits: 64, unpack: highBytes(4, [0, 1, 2, 3], 1) },
  'CMYK CMYK;16B': { bits: 64, unpack: highBytes(4, [0, 1, 2, 3], 0) },
  // LAB
  // (Pillow XORs a and b with 128 inside and back when it packs: the array holds the file's bytes)
  'LAB LAB': { bits: 24, unpack: bytes(3, [0, 1, 2]) },
  // 16-bit and 32-bit single band
  'I;16 I;16': { bits: 16, unpack: numbers('u16', true) },
  'I;16 I;16B': { bits: 16, unpack: numbers('u16', false) },
  'I;16 I;16R': { bits: 16, unpack: i16Flipped },
  'I;16 I;12': { bits: 12, unpack: i12 },
  'I I;16': { bits: 16, unpack: numbers('u16', true) },
  'I I;16B': { bits: 16, unpack: numbers('u16', false) },
  'I I': { bits: 32, unpack: numbers('i32', true) },
  'I I;32': { bits: 32, unpack: numbers('i32', true) },
  'I I;32B': { bits: 32, unpack: numbers('i32', false) },
  'I I;16S': { bits: 16, unpack: numbers('i16', true) },
  'I I;16BS': { bits: 16, unpack: numbers('i16', false) },
  'I I;32S': { bits: 32, unpack: numbers('i32', true) },
  'I I;32BS': { bits: 32, unpack: numbers('i32', false) },
  'I I;32N': { bits: 32, unpack: numbers('i32', true) },
  'F F': { bits: 32, unpack: numbers('f32', true) },
  'F F;32F': { bits: 32, unpack: numbers('f32', true) },
  'F F;32BF': { bits: 32, unpack: numbers('f32', false) },
};

/** Pillow's unpacker from `rawmode` bytes to `mode` pixels, or undefined where Pillow has none either. */
export function unpacker(mode: Mode, rawmode: string): UnpackerInfo | undefined {
  return Object.hasOwn(TABLE, `${mode} ${rawmode}`) ? TABLE[`${mode} ${rawmode}`] : undefined;
}

/** Every (mode, rawmode) pair the table has, for tests and docs. */
export function unpackPairs(): [Mode, string][] {
  return Object.keys(TABLE).map((k) => {
    const i = k.indexOf(' ');
    return [k.slice(0, i) as Mode, k.slice(i + 1)];
  });
}

/** Bytes of one row of `width` pixels of `rawmode` (bit-packed rows padded to a byte, as Pillow's raw decoder). */
export function rowBytes(info: UnpackerInfo, width: number): number {
  return Math.ceil((info.bits * width) / 8);
}

/** Unpackers whose bytes already are the output pixels (a decoder may write straight into the array). */
export function isIdentity(mode: Mode, rawmode: string): boolean {
  return rawmode === mode && (mode === 'L' || mode === 'P' || mode === 'LA' || mode === 'PA' || mode === 'RGB' || mode === 'RGBA' || mode === 'CMYK');
}
