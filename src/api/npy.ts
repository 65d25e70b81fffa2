/**
 * numpy's `.npy` format (version 1.0/2.0/3.0 read, 1.0 or 2.0 written): `toNpy` writes the
 * header and the values into ONE allocation (a strided view is copied straight into place);
 * `fromNpy` returns a zero-copy ndarray over the file's bytes when they are aligned, and a
 * Fortran-order file as a transposed view. Little-endian and single-byte dtypes only.
 */
import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';
import ops from 'ndarray-ops';
import { DecodeError, UnsupportedError, invalidArgument } from '../core/errors.js';
import { Image } from '../image.js';
import { isContiguous, type TypedArray } from '../core/ndarray.js';
import { ELEMENT_TYPES, elementType } from '../core/dtype.js';
import { toArray } from './to-array.js';

type NpyArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array;
/** dtype string -> typed array; numpy's bool is 0/1 bytes. */
const TYPES: Record<string, new (b: ArrayBuffer, o: number, n: number) => NpyArray> = {
  ...Object.fromEntries(ELEMENT_TYPES.filter((t) => t.ctor !== Uint8ClampedArray).map((t) => [t.descr, t.ctor])),
  '|b1': Uint8Array,
};

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

function npyLayout(x: NdArray<NpyArray | TypedArray> | Image, options: { bool?: boolean }): { arr: NdArray<NpyArray>; header: Uint8Array; size: number } {
  const arr = (x instanceof Image ? toArray(x, { copy: false }) : x) as NdArray<NpyArray>;
  // mode 1 is numpy bool, as np.asarray(img) gives
  const bool = options.bool === true || (x instanceof Image && x.mode === '1');
  const descr = bool && arr.data instanceof Uint8Array ? '|b1' : elementType(arr.data)?.descr;
  if (descr === undefined) throw invalidArgument('array data', 'a typed array numpy can read', arr.data);
  const shape = arr.shape;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  // header padded with spaces and a newline so the data starts at a multiple of 64 (numpy's rule)
  const v1 = dict.length + 1 + 10 <= 0xffff + 10;
  const pre = v1 ? 10 : 12;
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  const headerLen = total - pre;
  const header = new Uint8Array(total);
  header.set(MAGIC, 0);
  header[6] = v1 ? 1 : 2;
  header[7] = 0;
  const dv = new DataView(header.buffer);
  if (v1) dv.setUint16(8, headerLen, true);
  else dv.setUint32(8, headerLen, true);
  for (let i = 0; i < headerLen - 1; i++) header[pre + i] = i < dict.length ? dict.charCodeAt(i) : 0x20;
  header[total - 1] = 0x0a;
  return { arr, header, size: shape.reduce((a, b) => a * b, 1) };
}

/**
 * The `.npy` header of `x` (magic, version, dict, padding): for writing a large array to a
 * file as header + the array's own bytes (e.g. `fs.writev`), without `toNpy`'s copy. The
 * array's bytes follow as they are in memory when it is contiguous (`isContiguous`).
 */
export function npyHeader(x: NdArray<NpyArray | TypedArray> | Image, options: { bool?: boolean } = {}): Uint8Array {
  return npyLayout(x, options).header;
}

/**
 * A `.npy` file of an ndarray or a loaded image (its array, as `np.asarray(img)`): one
 * allocation. `bool: true` writes 0/1 bytes as numpy bool (`'|b1'`, as a mode-1 image is).
 */
export function toNpy(x: NdArray<NpyArray | TypedArray> | Image, options: { bool?: boolean } = {}): Uint8Array {
  const { arr: src, header, size } = npyLayout(x, options);
  const total = header.length;
  const out = new Uint8Array(total + size * src.data.BYTES_PER_ELEMENT);
  out.set(header, 0);
  const Ctor = src.data.constructor as new (b: ArrayBuffer, o: number, n: number) => NpyArray;
  const dest = new Ctor(out.buffer, total, size); // total is a multiple of 64: aligned for any dtype
  if (isContiguous(src as NdArray<TypedArray>)) {
    dest.set(src.data.subarray(src.offset, src.offset + size));
  } else {
    ops.assign(ndarray(dest, src.shape.slice()), src); // one strided pass into place
  }
  return out;
}

/**
 * The array in a `.npy` file. Zero-copy over `bytes` when its data offset is aligned for the
 * dtype (always true for files numpy wrote, read from offset 0 of a buffer); `'|b1'` reads as
 * 0/1 uint8. @throws DecodeError for a malformed header, UnsupportedError for big-endian or
 * object dtypes.
 */
export function fromNpy(bytes: Uint8Array): NdArray<NpyArray> {
  if (!(bytes instanceof Uint8Array)) throw invalidArgument('bytes', 'a Uint8Array / Buffer', bytes);
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) throw new DecodeError('not a .npy file: the first 6 bytes are not \\x93NUMPY', { offset: 0 });
  const major = bytes[6];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pre = major === 1 ? 10 : 12;
  if (major < 1 || major > 3 || bytes.length < pre) throw new DecodeError(`.npy version ${major}.${bytes[7]} is not 1, 2 or 3`, { offset: 6 });
  const headerLen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  if (pre + headerLen > bytes.length) throw new DecodeError(`.npy header of ${headerLen} bytes runs past the end (${bytes.length} bytes)`, { offset: 8 });
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(pre, pre + headerLen));
  const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new DecodeError(`.npy header is not a dict with descr, fortran_order and shape: ${header.trim()}`, { offset: pre });
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (shape.some((n) => !Number.isInteger(n) || n < 0)) throw new DecodeError(`.npy shape (${shapeText}) is not a tuple of sizes`, { offset: pre });
  const norm = descr.replace(/^=/, '<').replace(/^\|(u|i)([248])$/, '<$1$2');
  const Ctor = TYPES[norm];
  if (Ctor === undefined) throw new UnsupportedError(`.npy dtype '${descr}' is not supported (little-endian bool, int, uint, float32/64 are)`);
  const size = shape.reduce((a, b) => a * b, 1);
  const start = pre + headerLen;
  const el = (Ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  if (start + size * el > bytes.length) throw new DecodeError(`.npy data needs ${size * el} bytes after the header, the file has ${bytes.length - start}`, { offset: start });
  const at = bytes.byteOffset + start;
  const data = at % el === 0
    ? new Ctor(bytes.buffer as ArrayBuffer, at, size)
    : new Ctor(bytes.slice(start, start + size * el).buffer, 0, size); // misaligned: one copy
  if (fortran === 'True') {
    const rev = shape.slice().reverse();
    return ndarray(data, rev).transpose(...rev.map((_, i) => rev.length - 1 - i));
  }
  return ndarray(data, shape);
}

