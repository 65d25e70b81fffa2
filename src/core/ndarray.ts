/**
 * Owned, contiguous copies of ndarrays (numpy `np.array` / `ascontiguousarray`).
 * A contiguous source is copied with one memcpy (`TypedArray.prototype.slice`); a strided
 * view (flip, crop, transpose) goes through ndarray-ops' assign in one pass.
 */
import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';
import ops from 'ndarray-ops';

export type TypedArray = Uint8Array | Uint16Array | Int32Array | Float32Array;

/** Row-major strides for `shape`. */
export function cStrides(shape: readonly number[]): number[] {
  const stride = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    stride[i] = s;
    s *= shape[i] ?? 1;
  }
  return stride;
}

/** A new ndarray object over the same memory, shape, strides and offset (no pixel copied). */
export function rewrap<D extends TypedArray>(arr: NdArray<D>): NdArray<D> {
  return ndarray(arr.data, arr.shape.slice(), arr.stride.slice(), arr.offset);
}

/** True when `arr` is row-major and packed, so its elements are one run of `data`. */
export function isContiguous(arr: NdArray<TypedArray>): boolean {
  const want = cStrides(arr.shape);
  return arr.shape.every((n, i) => n <= 1 || arr.stride[i] === want[i]);
}

/** True when `arr` is exactly its storage: row-major, packed, from element 0 to the end of `data`. */
export function isPackedStorage(arr: NdArray<TypedArray>): boolean {
  return arr.offset === 0 && arr.data.length === arr.size && isContiguous(arr);
}

/** `arr`'s own storage where it is packed (no copy), else its values copied into new packed storage. */
export function packedData<D extends TypedArray>(arr: NdArray<D>): D {
  return isPackedStorage(arr) ? arr.data : contiguousCopy(arr).data;
}

/** A new owned, row-major array with the same values. Exactly one pass over the data. */
export function contiguousCopy<D extends TypedArray>(arr: NdArray<D>): NdArray<D> {
  const shape = arr.shape.slice();
  const size = shape.reduce((a, b) => a * b, 1);
  if (isContiguous(arr)) {
    return ndarray(arr.data.slice(arr.offset, arr.offset + size) as D, shape);
  }
  const Ctor = arr.data.constructor as new (n: number) => D;
  const out = ndarray(new Ctor(size), shape);
  ops.assign(out, arr);
  return out;
}
