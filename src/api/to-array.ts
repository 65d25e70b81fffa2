/**
 * `toArray(img, options)`: the image's pixels as a scijs ndarray.
 *
 *  - `{ copy: false }`: numpy `asarray`. Shares the image's storage (no copy at any size;
 *    a view image gives a strided view); `set()` throws "assignment destination is read-only".
 *  - `{ copy: true }` (default): numpy `array`. Owned, writable, row-major: one memcpy, or one
 *    strided pass for a view image.
 *  - Fused conversions, still one pass from the decoded storage into the returned array,
 *    block by block (never convert-then-copy):
 *      `mode`    Pillow's `convert(mode)` (bit-exact, same kernels as `img.convert`)
 *      `order`   channel order from the mode's band letters: 'BGR' (OpenCV), 'BGRA', 'RGB' of RGBA...
 *      `layout`  'HWC' (numpy, default) or 'CHW' (ONNX / PyTorch)
 *      `dtype`   output element type; `scale`, `mean`, `std` give `(v * scale - mean[c]) / std[c]`
 *                computed in double and rounded once (float dtypes only)
 *      `out`     write into this typed array (e.g. one slot of a batch) instead of allocating
 */
import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';
import { InvalidArgumentError, invalidArgument } from '../core/errors.js';
import type { Image } from '../image.js';
import { DTYPES, MODES, bandCount, isMode, type ArrayOf, type Mode } from '../core/modes.js';
import { planImageConversion } from '../pixels/convert/index.js';
import type { Kernel } from '../pixels/convert/kernels.js';
import { shuffle, type Packer } from '../pixels/pack.js';
import { contiguousCopy, isContiguous, rewrap, type TypedArray } from '../core/ndarray.js';
import { markReadonly } from '../core/readonly.js';
import { BLOCK_BYTES, convertedRows, rowSource, rowsPerBlock } from '../pixels/blocks.js';
import { wasmPlanes } from '../kernels/planes.js';
import { nativeKernel, prefaultFresh } from '../kernels/native.js';

/** Element types `toArray` can produce. */
export const OUT_DTYPES = { ...DTYPES, int8: Int8Array, int16: Int16Array, uint32: Uint32Array, float64: Float64Array } as const;
export type OutDType = keyof typeof OUT_DTYPES;
export interface OutDTypeArrays {
  uint8: Uint8Array; uint16: Uint16Array; int32: Int32Array; float32: Float32Array;
  int8: Int8Array; int16: Int16Array; uint32: Uint32Array; float64: Float64Array;
}

export interface ToArrayOptions {
  /** false: read-only zero-copy view; true (default): owned copy. */
  copy?: boolean;
  /** Convert to this Pillow mode on the way (Pillow-exact). */
  mode?: Mode;
  /** To mode '1': Floyd-Steinberg (default, as Pillow) or a plain threshold. */
  dither?: 'floydsteinberg' | 'none';
  /** Output channels by band letter of the (converted) mode, e.g. 'BGR'. Default: the mode's bands. */
  order?: string;
  /** 'HWC' (default): `[h, w, c]`; 'CHW': `[c, h, w]`. Single-band images give `[h, w]` either way. */
  layout?: 'HWC' | 'CHW';
  /** Output element type. Default: the mode's (uint8, uint16, int32, float32). */
  dtype?: OutDType;
  /** Multiplier before `mean`/`std`, e.g. 1/255. */
  scale?: number;
  /** Subtracted after scaling: one value or one per output channel. */
  mean?: number | readonly number[];
  /** Divisor after `mean`: one value or one per output channel. */
  std?: number | readonly number[];
  /** Destination of exactly the output's length and dtype; returned inside the ndarray. */
  out?: TypedArray | Int8Array | Int16Array | Uint32Array | Float64Array;
}

/** The array type `toArray(img, options)` returns, known statically from the options. */
export type ToArrayResult<M extends Mode, O> = O extends { dtype: infer D extends OutDType }
  ? OutDTypeArrays[D]
  : O extends { mode: infer N extends Mode }
    ? ArrayOf<N>
    : ArrayOf<M>;

type AnyArray = OutDTypeArrays[OutDType];

function perChannel(name: string, v: number | readonly number[] | undefined, channels: number, dflt: number): number[] {
  if (v === undefined) return new Array<number>(channels).fill(dflt);
  const list = typeof v === 'number' ? new Array<number>(channels).fill(v) : [...v];
  if (list.length !== channels || !list.every((x) => typeof x === 'number' && Number.isFinite(x))) {
    throw invalidArgument(`options.${name}`, `a finite number or ${channels} finite numbers`, v);
  }
  return list;
}

/**
 * `options.order` as band indices of `mode` ('BGR' of RGB -> [2, 1, 0]); the mode's own order
 * when undefined. Letters may repeat or be left out ('RRR', 'G').
 * @throws InvalidArgumentError naming the letters `mode` has
 */
export function bandOrder(mode: Mode, order: unknown): number[] {
  const bands = MODES[mode].bands as readonly string[];
  const letters = order ?? bands.join('');
  if (typeof letters !== 'string') throw invalidArgument('options.order', 'a string of band letters', order);
  const perm = Array.from(letters, (letter) => bands.indexOf(letter));
  if (perm.length === 0 || perm.some((i) => i < 0)) {
    throw invalidArgument('options.order', `letters of the ${mode} bands (${bands.join(', ')})`, letters);
  }
  return perm;
}

/** Whether `perm` uses each of `bands` bands exactly once (a reorder that keeps the shape). */
export function isPermutation(perm: readonly number[], bands: number): boolean {
  return perm.length === bands && new Set(perm).size === bands;
}

export function toArray<M extends Mode, const O extends ToArrayOptions = ToArrayOptions>(
  img: Image<M>,
  options?: O,
): NdArray<ToArrayResult<M, O>> {
  const o: ToArrayOptions = options ?? {};
  const copy = o.copy ?? true;
  if (typeof copy !== 'boolean') throw invalidArgument('options.copy', 'a boolean', copy);
  const pixels = img._pixels('toArray');
  const fused = o.mode !== undefined || o.order !== undefined || o.layout !== undefined || o.dtype !== undefined ||
    o.scale !== undefined || o.mean !== undefined || o.std !== undefined || o.out !== undefined;
  if (!fused) {
    if (!copy) {
      return markReadonly(rewrap(pixels)) as NdArray<ToArrayResult<M, O>>;
    }
    return contiguousCopy(pixels) as NdArray<ToArrayResult<M, O>>;
  }
  if (!copy) throw new InvalidArgumentError('toArray: copy: false gives a view of the storage; mode, order, layout, dtype, scale, mean, std and out need copy: true');
  return (reorderOnly(img, o) ?? fusedCopy(img, o)) as NdArray<ToArrayResult<M, O>>;
}

/** Byte kernels of `reorderOnly`, by mode, order and back-end. */
const REORDERS = new Map<string, Packer>();

/**
 * The OpenCV case: `{ order }` (and `out`) alone, every band of packed 8-bit storage once
 * (RGB -> BGR, RGBA -> BGRA or ABGR). The same single kernel call as `fusedCopy` makes, with
 * its kernel looked up once per mode and order instead of planned per call: the kernel's pass
 * leaves the caches cold, so planning per call is a visible share of a small image's copy.
 * Undefined for anything else (fusedCopy then plans it, and throws on bad options).
 */
function reorderOnly(img: Image, o: ToArrayOptions): NdArray<Uint8Array> | undefined {
  if (typeof o.order !== 'string' || o.mode !== undefined || o.layout !== undefined || o.dtype !== undefined ||
    o.scale !== undefined || o.mean !== undefined || o.std !== undefined || o.dither !== undefined) return undefined;
  const px = img._pixels('toArray');
  const [h = 0, w = 0, bands = 0] = px.shape;
  if (!(px.data instanceof Uint8Array) || (bands !== 3 && bands !== 4) || !isContiguous(px)) return undefined;
  const key = `${img.mode} ${o.order} ${nativeKernel() !== null}`; // useImplementation('swizzle', 'wasm') plans anew
  let kernel = REORDERS.get(key);
  if (kernel === undefined) {
    const perm = bandOrder(img.mode, o.order);
    if (!isPermutation(perm, bands)) return undefined;
    kernel = shuffle(bands, perm);
    REORDERS.set(key, kernel);
  }
  const out = outArray(Uint8Array, h * w * bands, o.out);
  kernel(px.data, px.offset, out, 0, h * w);
  return ndarray(out, [h, w, bands]);
}

/** `options.out` checked against the output's type and length, or a new array (prefaulted when large). */
function outArray<A extends AnyArray>(Out: new (n: number) => A, length: number, given: ToArrayOptions['out']): A {
  if (given === undefined) {
    const out = new Out(length);
    prefaultFresh(out);
    return out;
  }
  if (!(given instanceof Out) || given.length !== length) {
    throw invalidArgument('options.out', `a ${Out.name} of length ${length}`, given);
  }
  return given;
}

function fusedCopy(img: Image, o: ToArrayOptions): NdArray<AnyArray> {
  if (o.mode !== undefined && !isMode(o.mode)) throw invalidArgument('options.mode', 'a Pillow mode', o.mode);
  const mode: Mode = o.mode ?? img.mode;
  const perm = bandOrder(mode, o.order);
  const layout = o.layout ?? 'HWC';
  if (layout !== 'HWC' && layout !== 'CHW') throw invalidArgument('options.layout', "'HWC' or 'CHW'", layout);
  const dtype: OutDType = o.dtype ?? MODES[mode].dtype;
  if (!Object.hasOwn(OUT_DTYPES, dtype)) throw invalidArgument('options.dtype', Object.keys(OUT_DTYPES).join(', '), dtype);
  const C = perm.length;
  const affine = o.scale !== undefined || o.mean !== undefined || o.std !== undefined;
  if (affine && dtype !== 'float32' && dtype !== 'float64') {
    throw invalidArgument('options.dtype', "'float32' or 'float64' with scale/mean/std", dtype);
  }
  const scale = o.scale ?? 1;
  if (typeof scale !== 'number' || !Number.isFinite(scale)) throw invalidArgument('options.scale', 'a finite number', scale);
  const mean = perChannel('mean', o.mean, C, 0);
  const std = perChannel('std', o.std, C, 1);

  const [w, h] = img.size;
  const hw = w * h;
  const Out = OUT_DTYPES[dtype];
  const out: AnyArray = outArray<AnyArray>(Out, hw * C, o.out);

  // Stage 1 (optional): Pillow's conversion into a block-sized scratch of `mode` storage.
  const convert: Kernel | undefined = mode === img.mode ? undefined : planImageConversion(img._raster('toArray'), mode, o.dither === undefined ? undefined : { dither: o.dither }).kernel;
  const srcBands = bandCount(mode);
  const identityOrder = C === srcBands && perm.every((p, i) => p === i);
  const sameType = Out === DTYPES[MODES[mode].dtype];
  // Stage 2: channel order / layout / type / affine from packed `mode` rows into `out`.
  let final: ((src: TypedArray, si: number, pixel0: number, n: number) => void) | undefined;
  let direct: Kernel | undefined;
  // Blocks bound the scratch of a conversion or of a strided view's gather; a byte shuffle of
  // packed storage needs neither, and one call saves the native kernel's per-call set-up.
  let oneBlock = false;
  if (layout === 'HWC' && !affine && sameType && identityOrder && convert !== undefined) {
    direct = convert; // the converted storage is the output layout: write straight into `out`
  } else if (layout === 'HWC' && !affine && Out === Uint8Array && DTYPES[MODES[mode].dtype] === Uint8Array) {
    const sh = shuffle(srcBands, perm);
    final = (src, si, p0, n) => { sh(src, si, out as Uint8Array, p0 * C, n); };
    oneBlock = convert === undefined && isContiguous(img._pixels());
  } else {
    final = affineKernel(out, perm, srcBands, layout === 'CHW' ? hw : 0, scale, mean, std, affine, MODES[mode].dtype === 'uint8');
  }

  const rows = rowSource(img._pixels('toArray'));
  const srcRowBytes = w * bandCount(img.mode) * img._pixels().data.BYTES_PER_ELEMENT;
  const step = oneBlock ? h : rowsPerBlock(srcRowBytes, BLOCK_BYTES);
  const source = convertedRows(rows, w, convert, DTYPES[MODES[mode].dtype], srcBands);
  for (let y0 = 0; y0 < h; y0 += step) {
    const y1 = Math.min(h, y0 + step);
    if (direct !== undefined) {
      const block = rows(y0, y1);
      direct(block.data, block.offset, out as TypedArray, y0 * w * C, (y1 - y0) * w);
      continue;
    }
    const block = source(y0, y1);
    final?.(block.data, block.offset, y0 * w, (y1 - y0) * w);
  }
  const shape = C === 1 ? [h, w] : layout === 'CHW' ? [C, h, w] : [h, w, C];
  return ndarray(out, shape);
}

/**
 * Per-channel `(v * scale - mean) / std` (or a plain cast) into HWC (`planeSize` 0) or CHW
 * planes. 8-bit sources go through one 256-entry table per channel, so the arithmetic is
 * done 256 times per channel, not once per pixel.
 */
function affineKernel(
  out: AnyArray, perm: number[], srcBands: number, planeSize: number,
  scale: number, mean: number[], std: number[], affine: boolean, u8: boolean,
): (src: TypedArray, si: number, pixel0: number, n: number) => void {
  const C = perm.length;
  const f = (v: number, c: number) => (affine ? (v * scale - (mean[c] ?? 0)) / (std[c] ?? 1) : v);
  if (u8 && C === 3 && planeSize > 0 && out instanceof Float32Array) {
    // The common model input (3-channel CHW float32): all three planes in one walk.
    const [l0, l1, l2] = perm.map((_, c) => Float32Array.from({ length: 256 }, (_v, v) => f(v, c))) as [Float32Array, Float32Array, Float32Array];
    const wasm = wasmPlanes([l0, l1, l2], perm, srcBands, out, planeSize);
    if (wasm !== undefined) return (src, si, p0, n) => { wasm(src as Uint8Array, si, p0, n); };
    const [b0, b1, b2] = perm as [number, number, number];
    return (src, si, p0, n) => {
      const o1 = planeSize;
      const o2 = 2 * planeSize;
      for (let i = 0, s = si, d = p0; i < n; i++, s += srcBands, d++) {
        out[d] = l0[src[s + b0]];
        out[o1 + d] = l1[src[s + b1]];
        out[o2 + d] = l2[src[s + b2]];
      }
    };
  }
  if (u8) {
    const luts = perm.map((_, c) => Float64Array.from({ length: 256 }, (_v, v) => f(v, c)));
    return (src, si, p0, n) => {
      for (let c = 0; c < C; c++) {
        const lut = luts[c] ?? new Float64Array(256);
        const band = perm[c] ?? 0;
        if (planeSize > 0) {
          const base = c * planeSize + p0;
          for (let i = 0, s = si + band; i < n; i++, s += srcBands) out[base + i] = lut[src[s]];
        } else {
          for (let i = 0, s = si + band, d = p0 * C + c; i < n; i++, s += srcBands, d += C) out[d] = lut[src[s]];
        }
      }
    };
  }
  return (src, si, p0, n) => {
    for (let c = 0; c < C; c++) {
      const band = perm[c] ?? 0;
      const stride = planeSize > 0 ? 1 : C;
      let d = planeSize > 0 ? c * planeSize + p0 : p0 * C + c;
      for (let i = 0, s = si + band; i < n; i++, s += srcBands, d += stride) out[d] = f(src[s], c);
    }
  };
}
