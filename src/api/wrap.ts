/**
 * Wrapping pixels that already exist, without a copy: `fromBuffer` (Pillow's
 * `Image.fromBuffer(mode, size, data, 'raw', mode, stride, orientation)`, e.g. a GL
 * `readPixels` result or a canvas `ImageData`) and `fromArray` (Pillow's `Image.fromarray`
 * with its mode inference). Both return a loaded Image whose storage IS the caller's memory
 * (a strided view when rows are padded or bottom-up): writes to one show in the other.
 */
import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';
import { InvalidArgumentError, invalidArgument } from '../core/errors.js';
import { fromStorage, type Image } from '../image.js';
import { DTYPES, MODES, isMode, bandCount, type Mode } from '../core/modes.js';
import ops from 'ndarray-ops';
import type { TypedArray } from '../core/ndarray.js';
import { elementType, type ElementName } from '../core/dtype.js';

/** Memory `fromBuffer` wraps without copying: an ArrayBuffer, a SharedArrayBuffer or any view of one. */
export type BufferLike = ArrayBuffer | SharedArrayBuffer | ArrayBufferView;

/** Options of `fromBuffer` (Pillow's `Image.fromBuffer(mode, size, data, 'raw', rawmode, stride, orientation)`). */
export interface FromBufferOptions {
  mode: Mode;
  /** `[width, height]`, as Pillow. */
  size: readonly [number, number];
  /** Bytes from one row's start to the next (default: packed rows). Pillow's `stride`. */
  stride?: number;
  /** Where the first row in memory sits: `'top-left'` (default) or `'bottom-left'` (OpenGL). */
  origin?: 'top-left' | 'bottom-left';
  /** Bytes to skip at the start of `data`. */
  byteOffset?: number;
}

function bufferOf(data: BufferLike): { buffer: ArrayBuffer | SharedArrayBuffer; byteOffset: number; byteLength: number } {
  if (ArrayBuffer.isView(data)) return { buffer: data.buffer, byteOffset: data.byteOffset, byteLength: data.byteLength };
  if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && data instanceof SharedArrayBuffer)) {
    return { buffer: data, byteOffset: 0, byteLength: data.byteLength };
  }
  throw invalidArgument('data', 'a Buffer, TypedArray, DataView, ArrayBuffer or SharedArrayBuffer', data);
}

/**
 * An image over `data`'s memory (no copy). `origin: 'bottom-left'` gives the upright image as
 * a flipped view; a `stride` wider than the row gives a view that skips the padding.
 * @throws InvalidArgumentError when the memory is too small, misaligned for the mode's
 *   element type, or the mode is `1` (bit-packed in Pillow's raw layout: not viewable).
 * @example
 * const img = fromBuffer(gl.readPixels(...), { mode: 'RGBA', size: [w, h], origin: 'bottom-left' });
 */
export function fromBuffer<M extends Mode>(data: BufferLike, options: FromBufferOptions & { mode: M }): Image<M> {
  if (typeof options !== 'object' || options === null) throw invalidArgument('options', 'an object', options);
  const { mode, size, origin = 'top-left' } = options;
  if (!isMode(mode)) throw invalidArgument('options.mode', 'a mode name', mode);
  if (mode === '1') throw new InvalidArgumentError("fromBuffer: mode '1' is bit-packed in Pillow's raw layout and cannot be viewed; wrap it as 'L' and convert('1'), or use fromArray");
  if (!Array.isArray(size) || size.length !== 2 || !size.every((n) => Number.isInteger(n) && n > 0)) throw invalidArgument('options.size', '[width, height] of positive integers', size);
  if (origin !== 'top-left' && origin !== 'bottom-left') throw invalidArgument('options.origin', "'top-left' or 'bottom-left'", origin);
  const [width, height] = size;
  const Ctor = DTYPES[MODES[mode].dtype];
  const el = Ctor.BYTES_PER_ELEMENT;
  const bands = bandCount(mode);
  const rowBytes = width * bands * el;
  const stride = options.stride ?? rowBytes;
  const start = options.byteOffset ?? 0;
  if (!Number.isInteger(stride) || stride < rowBytes) throw invalidArgument('options.stride', `an integer >= the row size ${rowBytes}`, stride);
  if (!Number.isInteger(start) || start < 0) throw invalidArgument('options.byteOffset', 'a non-negative integer', start);
  const mem = bufferOf(data);
  const need = start + stride * (height - 1) + rowBytes;
  if (need > mem.byteLength) {
    throw new InvalidArgumentError(`fromBuffer: ${mode} ${width}x${height} with stride ${stride} needs ${need} bytes from offset 0, the buffer has ${mem.byteLength}`);
  }
  const at = mem.byteOffset + start;
  if (at % el !== 0 || stride % el !== 0) {
    throw new InvalidArgumentError(`fromBuffer: ${mode} elements are ${el} bytes; buffer offset ${at} and stride ${stride} must be multiples of ${el}`);
  }
  const elements = (stride * (height - 1) + rowBytes) / el;
  const typed = new Ctor(mem.buffer as ArrayBuffer, at, elements) as TypedArray;
  const rowStride = stride / el;
  const shape = bands === 1 ? [height, width] : [height, width, bands];
  const strides = bands === 1 ? [rowStride, 1] : [rowStride, bands, 1];
  let view = ndarray(typed, shape, strides, 0);
  if (origin === 'bottom-left') view = view.step(-1);
  return fromStorage(mode, [width, height], view as NdArray<never>);
}

/** Typed arrays fromArray takes: the mode types, and those Pillow converts (int8/16, uint32, float64). */
export type FromArrayData = TypedArray | Uint8ClampedArray | Int8Array | Int16Array | Uint32Array | Float64Array;

type ElementType = ElementName | 'other';

/**
 * Pillow's fromarray type map, `dtype:bands` -> mode. The first four keep the memory (a view);
 * the others are what Pillow also converts while reading (rawmodes I;8S, I;16S, I;32, F;64F):
 * one copy into the mode's type, int32 wrap-around and float32 rounding included.
 */
const FROMARRAY: Record<string, Mode> = {
  'uint8:1': 'L', 'uint8:2': 'LA', 'uint8:3': 'RGB', 'uint8:4': 'RGBA',
  'uint16:1': 'I;16', 'int32:1': 'I', 'float32:1': 'F',
  'int8:1': 'I', 'int16:1': 'I', 'uint32:1': 'I', 'float64:1': 'F',
};

function dtypeOf(data: unknown): ElementType {
  return elementType(data)?.name ?? 'other';
}

/**
 * An image over an ndarray's memory (no copy; strided views stay views). Mode inference is
 * Pillow's `fromarray`: uint8 HxW -> L, HxWx2 -> LA, HxWx3 -> RGB, HxWx4 -> RGBA, uint16 ->
 * I;16, int32 -> I, float32 -> F (views); int8 / int16 / uint32 -> I and float64 -> F are
 * converted into a new array, as Pillow does. Pass `mode` for other readings of the layout:
 * `'P'` (indices), `'1'` (0/1 values, bool-like: only when asked), `'RGBX'`, `'CMYK'`, ...
 * @throws InvalidArgumentError for a dtype / shape Pillow cannot handle (e.g. uint8 HxWx5).
 */
export function fromArray<M extends Mode = Mode>(nd: NdArray<FromArrayData>, mode?: M): Image<M> {
  if (typeof nd !== 'object' || nd === null || !Array.isArray(nd.shape) || !ArrayBuffer.isView(nd.data)) {
    throw invalidArgument('nd', 'an ndarray', nd);
  }
  const { shape } = nd;
  const dtype = dtypeOf(nd.data);
  if (shape.length !== 2 && shape.length !== 3) throw new InvalidArgumentError(`fromArray: shape [${shape.join(', ')}] is not [h, w] or [h, w, bands]`);
  const bands = shape.length === 2 ? 1 : shape[2];
  // Pillow's map has no HxWx1 entry: such an array needs an explicit mode
  const inferred = shape.length === 2 || bands > 1 ? FROMARRAY[`${dtype}:${String(bands)}`] : undefined;
  const chosen = mode ?? inferred;
  if (chosen === undefined || !isMode(chosen)) {
    throw new InvalidArgumentError(`fromArray: cannot infer a mode for a ${dtype} array of shape [${shape.join(', ')}] (Pillow: "Cannot handle this data type"); pass a mode, or convert the array`);
  }
  const store = MODES[chosen].dtype;
  const converts = chosen === inferred && store !== dtype; // int8/int16/uint32 -> I, float64 -> F
  if ((store !== dtype && !converts) || bandCount(chosen) !== bands) {
    throw new InvalidArgumentError(`fromArray: mode ${chosen} stores ${store} x ${bandCount(chosen)} band(s), the array is ${dtype} of shape [${shape.join(', ')}]`);
  }
  let view: NdArray<TypedArray>;
  if (converts) {
    const Ctor = DTYPES[store];
    view = ndarray(new Ctor(nd.size), shape.slice()); // inferred, so 2-D or multi-band
    ops.assign(view, nd as unknown as NdArray<TypedArray>); // ndarray-ops reads any typed array
  } else {
    const data = nd.data instanceof Uint8ClampedArray ? new Uint8Array(nd.data.buffer, nd.data.byteOffset, nd.data.length) : nd.data;
    // store === dtype here; an HxWx1 array is viewed as HxW
    view = ndarray(data as TypedArray, bands === 1 ? shape.slice(0, 2) : shape.slice(), nd.stride.slice(0, bands === 1 ? 2 : 3), nd.offset);
  }
  if (chosen === '1') {
    // storage of mode 1 is 0/1 bytes: refuse other values rather than hold silent garbage
    const max = ops.sup(view);
    if (max > 1) throw new InvalidArgumentError(`fromArray: mode '1' holds 0/1 values; the array's maximum is ${max}`);
  }
  return fromStorage(chosen as M, [shape[1], shape[0]], view as NdArray<never>);
}

/** @deprecated Pillow's spelling of `fromBuffer`. */
export const frombuffer = fromBuffer;

/** @deprecated Pillow's spelling of `fromArray`. */
export const fromarray = fromArray;
