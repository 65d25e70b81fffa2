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
 *      `resize`  Pillow's `resize` after the mode conversion and before the rest: `[w, h]` or
 *                `{ size, resample, box, reducingGap }`; its output rows go through the
 *                conversion a block at a time (no resized image is materialised)
 *      `out`     write into this typed array (e.g. one slot of a batch) instead of allocating
 */
import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';
import { InvalidArgumentError, checkKeys, invalidArgument } from '../core/errors.js';
export { checkKeys };
import type { Image } from '../image.js';
import { DTYPES, MODES, bandCount, isMode, type ArrayOf, type Mode } from '../core/modes.js';
import { planImageConversion } from '../pixels/convert/index.js';
import type { Kernel } from '../pixels/convert/kernels.js';
import { shuffle, type Packer } from '../pixels/pack.js';
import { contiguousCopy, isContiguous, rewrap, type TypedArray } from '../core/ndarray.js';
import { markReadonly } from '../core/readonly.js';
import { BLOCK_BYTES, convertedRows, rowSource, rowsPerBlock } from '../pixels/blocks.js';
import { wasmPlanes } from '../kernels/planes.js';
import { planResize, type ResizeOptions, type RowInput } from '../pixels/resize/index.js';
import type { Box } from '../core/types.js';
import type { RowSource } from '../pixels/blocks.js';
import { nativeKernel, prefaultFresh } from '../kernels/native.js';

/** Element types `toArray` can produce. */
export const OUT_DTYPES = { ...DTYPES, int8: Int8Array, int16: Int16Array, uint32: Uint32Array, float64: Float64Array } as const;
/** The element types `toArray` can produce (`options.dtype`): the modes' four plus int8, int16, uint32, float64. */
export type OutDType = keyof typeof OUT_DTYPES;
export interface OutDTypeArrays {
  uint8: Uint8Array; uint16: Uint16Array; int32: Int32Array; float32: Float32Array;
  int8: Int8Array; int16: Int16Array; uint32: Uint32Array; float64: Float64Array;
}

/** Options of `toArray` (and of `imread` and `imreadBatch`, which pass them on). */
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
  /**
   * Pillow's `resize` of the (converted) image before order, layout, dtype and normalisation:
   * `[width, height]` (BICUBIC, Pillow's default), or `{ size, resample, box, reducingGap }`.
   */
  resize?: readonly [number, number] | ResizeSpec;
  /**
   * Pillow's `crop(box)` after `resize`: integer `[x0, y0, x1, y1]`; parts outside the image
   * are 0 (Pillow's crop; torchvision's CenterCrop pads with 0 the same way).
   */
  crop?: Box;
  /** Destination of exactly the output's length and dtype; returned inside the ndarray. */
  out?: TypedArray | Int8Array | Int16Array | Uint32Array | Float64Array;
}

/** `toArray`'s `resize` option in full: the output size and Pillow's `resize` options. */
export interface ResizeSpec extends ResizeOptions {
  size: readonly [number, number];
}

/** The option keys `toArray` reads: any other key is an InvalidArgumentError. */
export const TO_ARRAY_KEYS: readonly string[] = ['copy', 'mode', 'dither', 'order', 'layout', 'dtype', 'scale', 'mean', 'std', 'resize', 'crop', 'out'];


/** `options.resize` as a size and Pillow resize options. */
export function resizeSpec(v: unknown): ResizeSpec {
  if (Array.isArray(v)) return { size: v as unknown as [number, number] };
  if (typeof v !== 'object' || v === null || !('size' in v)) throw invalidArgument('options.resize', '[width, height] or { size, resample, box, reducingGap }', v);
  checkKeys('options.resize', v, ['size', 'resample', 'box', 'reducingGap']);
  return v as ResizeSpec;
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

/**
 * An image's pixels as a scijs ndarray of shape `[h, w]` or `[h, w, bands]` (numpy's layout of
 * Pillow's modes). `{ copy: false }` is numpy's `asarray` (a read-only view of the storage);
 * the default is numpy's `array` (one owned copy). `mode`, `order`, `layout`, `dtype`, `scale`,
 * `mean`, `std`, `resize`, `crop` and `out` are fused into that one copy (the file header
 * comment of src/api/to-array.ts lists them).
 * @throws ImageNotLoadedError before `load()`; InvalidArgumentError on bad or unknown options
 * @example
 * const view = toArray(await img.load(), { copy: false });   // np.asarray(img)
 * const x = toArray(img, { layout: 'CHW', dtype: 'float32', scale: 1 / 255 });  // a model input
 */
export function toArray<M extends Mode, const O extends ToArrayOptions = ToArrayOptions>(
  img: Image<M>,
  options?: O,
): NdArray<ToArrayResult<M, O>> {
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw invalidArgument('options', 'an object', options);
  const o: ToArrayOptions = options ?? {};
  checkKeys('toArray', o, TO_ARRAY_KEYS);
  const copy = o.copy ?? true;
  if (typeof copy !== 'boolean') throw invalidArgument('options.copy', 'a boolean', copy);
  const pixels = img._pixels('toArray');
  const fused = o.mode !== undefined || o.order !== undefined || o.layout !== undefined || o.dtype !== undefined ||
    o.scale !== undefined || o.mean !== undefined || o.std !== undefined || o.out !== undefined || o.resize !== undefined || o.crop !== undefined;
  if (!fused) {
    if (!copy) {
      return markReadonly(rewrap(pixels)) as NdArray<ToArrayResult<M, O>>;
    }
    return contiguousCopy(pixels) as NdArray<ToArrayResult<M, O>>;
  }
  if (!copy) throw new InvalidArgumentError('toArray: copy: false gives a view of the storage; mode, order, layout, dtype, scale, mean, std, resize, crop and out need copy: true');
  return (reorderOnly(img, o) ?? fusedCopy(img, o)) as NdArray<ToArrayResult<M, O>>;
}

/**
 * @internal `toArray(img, o)` (copying, fused) with the value of 8-bit `v` in output channel
 * `c` given by `value` instead of `(v * scale - mean) / std` in double: torchvisionPreprocess
 * uses it for torch's float32 steps.
 */
export function fusedToArray(img: Image, o: ToArrayOptions, value: (v: number, c: number) => number): NdArray<AnyArray> {
  checkKeys('toArray', o, TO_ARRAY_KEYS);
  return fusedCopy(img, o, value);
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
  if (typeof o.order !== 'string' || o.mode !== undefined || o.layout !== undefined || o.dtype !== undefined || o.resize !== undefined || o.crop !== undefined ||
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

function fusedCopy(img: Image, o: ToArrayOptions, value?: (v: number, c: number) => number): NdArray<AnyArray> {
  if (o.mode !== undefined && !isMode(o.mode)) throw invalidArgument('options.mode', 'a Pillow mode', o.mode);
  const mode: Mode = o.mode ?? img.mode;
  const perm = bandOrder(mode, o.order);
  const layout = o.layout ?? 'HWC';
  if (layout !== 'HWC' && layout !== 'CHW') throw invalidArgument('options.layout', "'HWC' or 'CHW'", layout);
  const dtype: OutDType = o.dtype ?? MODES[mode].dtype;
  if (!Object.hasOwn(OUT_DTYPES, dtype)) throw invalidArgument('options.dtype', Object.keys(OUT_DTYPES).join(', '), dtype);
  const C = perm.length;
  const affine = o.scale !== undefined || o.mean !== undefined || o.std !== undefined || value !== undefined;
  if (affine && dtype !== 'float32' && dtype !== 'float64') {
    throw invalidArgument('options.dtype', "'float32' or 'float64' with scale/mean/std", dtype);
  }
  const scale = o.scale ?? 1;
  if (typeof scale !== 'number' || !Number.isFinite(scale)) throw invalidArgument('options.scale', 'a finite number', scale);
  const mean = perChannel('mean', o.mean, C, 0);
  const std = perChannel('std', o.std, C, 1);

  // Stage 1 (optional): Pillow's conversion into a block-sized scratch of `mode` storage.
  const convert: Kernel | undefined = mode === img.mode ? undefined : planImageConversion(img._raster('toArray'), mode, o.dither === undefined ? undefined : { dither: o.dither }).kernel;
  const srcBands = bandCount(mode);
  const rows = rowSource(img._pixels('toArray'));
  const converted = convertedRows(rows, img.width, convert, DTYPES[MODES[mode].dtype], srcBands);
  // Stage 1b (optional): Pillow's resize of the converted rows, output rows made per block.
  let resized = o.resize === undefined ? undefined : resizedRows({ mode, width: img.width, height: img.height, rows: converted }, resizeSpec(o.resize));
  // Stage 1c (optional): Pillow's crop of those rows.
  if (o.crop !== undefined) resized = croppedRows(resized ?? { width: img.width, height: img.height, rows: converted }, o.crop, mode);

  const [w, h] = resized === undefined ? img.size : [resized.width, resized.height];
  const hw = w * h;
  const Out = OUT_DTYPES[dtype];
  const out: AnyArray = outArray<AnyArray>(Out, hw * C, o.out);
  const identityOrder = C === srcBands && perm.every((p, i) => p === i);
  const sameType = Out === DTYPES[MODES[mode].dtype];
  // Stage 2: channel order / layout / type / affine from packed `mode` rows into `out`.
  let final: ((src: TypedArray, si: number, pixel0: number, n: number) => void) | undefined;
  let direct: Kernel | undefined;
  // Blocks bound the scratch of a conversion or of a strided view's gather; a byte shuffle of
  // packed storage needs neither, and one call saves the native kernel's per-call set-up.
  let oneBlock = false;
  if (layout === 'HWC' && !affine && sameType && identityOrder && convert !== undefined && resized === undefined) {
    direct = convert; // the converted storage is the output layout: write straight into `out`
  } else if (layout === 'HWC' && !affine && Out === Uint8Array && DTYPES[MODES[mode].dtype] === Uint8Array) {
    const sh = shuffle(srcBands, perm);
    final = (src, si, p0, n) => { sh(src, si, out as Uint8Array, p0 * C, n); };
    oneBlock = convert === undefined && resized === undefined && isContiguous(img._pixels());
  } else {
    final = affineKernel(out, perm, srcBands, layout === 'CHW' ? hw : 0, value ?? ((v, c) => (affine ? (v * scale - (mean[c] ?? 0)) / (std[c] ?? 1) : v)), MODES[mode].dtype === 'uint8');
  }

  const srcRowBytes = resized === undefined ? w * bandCount(img.mode) * img._pixels().data.BYTES_PER_ELEMENT : w * srcBands * DTYPES[MODES[mode].dtype].BYTES_PER_ELEMENT;
  const step = oneBlock ? h : rowsPerBlock(srcRowBytes, BLOCK_BYTES);
  const source = resized?.rows ?? converted;
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
  f: (v: number, c: number) => number, u8: boolean,
): (src: TypedArray, si: number, pixel0: number, n: number) => void {
  const C = perm.length;
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

/** Pillow's resize of `input` planned once, its output rows made a block at a time into a reused scratch. */
function resizedRows(input: RowInput, spec: ResizeSpec): { width: number; height: number; rows: RowSource<TypedArray> } {
  const { size, ...options } = spec;
  const plan = planResize(input, size, options);
  const Ctor = DTYPES[MODES[plan.mode].dtype];
  const rowLen = plan.width * bandCount(plan.mode);
  let scratch: TypedArray = new Ctor(0);
  return {
    width: plan.width,
    height: plan.height,
    rows: (y0, y1) => {
      if (scratch.length < (y1 - y0) * rowLen) scratch = new Ctor((y1 - y0) * rowLen);
      plan.fill(y0, y1, scratch, 0);
      return { data: scratch, offset: 0 };
    },
  };
}

/** Rows of `src` cropped to the integer `box` (parts outside `src` are 0), copied a block at a time. */
function croppedRows(src: { width: number; height: number; rows: RowSource<TypedArray> }, box: unknown, mode: Mode): { width: number; height: number; rows: RowSource<TypedArray> } {
  if (!Array.isArray(box) || box.length !== 4 || !box.every((v) => Number.isInteger(v))) throw invalidArgument('options.crop', '[x0, y0, x1, y1] of integers', box);
  const [x0, y0, x1, y1] = box as [number, number, number, number];
  if (x1 <= x0 || y1 <= y0) throw new InvalidArgumentError(`options.crop: box can't be empty (got [${box.join(', ')}])`);
  const bands = bandCount(mode);
  const Ctor = DTYPES[MODES[mode].dtype];
  const width = x1 - x0;
  const rowLen = width * bands;
  let scratch: TypedArray = new Ctor(0);
  const xa = Math.max(0, x0);
  const xb = Math.min(src.width, x1);
  return {
    width,
    height: y1 - y0,
    rows: (a, z) => {
      if (scratch.length < (z - a) * rowLen) scratch = new Ctor((z - a) * rowLen);
      scratch.fill(0, 0, (z - a) * rowLen);
      const ya = Math.max(0, y0 + a);
      const yb = Math.min(src.height, y0 + z);
      if (yb > ya && xb > xa) {
        const blk = src.rows(ya, yb);
        for (let y = ya; y < yb; y++) {
          const s = blk.offset + ((y - ya) * src.width + xa) * bands;
          scratch.set(blk.data.subarray(s, s + (xb - xa) * bands), ((y - y0 - a) * width + (xa - x0)) * bands);
        }
      }
      return { data: scratch, offset: 0 };
    },
  };
}
