/**
 * Typed-array element types by numpy name and dtype string: one table for `fromArray`'s type
 * map and `.npy` headers. Uint8ClampedArray (canvas ImageData) reads as uint8.
 */
type Ctor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => ArrayBufferView;

export const ELEMENT_TYPES = [
  { ctor: Uint8Array, name: 'uint8', descr: '|u1' },
  { ctor: Uint8ClampedArray, name: 'uint8', descr: '|u1' },
  { ctor: Int8Array, name: 'int8', descr: '|i1' },
  { ctor: Uint16Array, name: 'uint16', descr: '<u2' },
  { ctor: Int16Array, name: 'int16', descr: '<i2' },
  { ctor: Uint32Array, name: 'uint32', descr: '<u4' },
  { ctor: Int32Array, name: 'int32', descr: '<i4' },
  { ctor: Float32Array, name: 'float32', descr: '<f4' },
  { ctor: Float64Array, name: 'float64', descr: '<f8' },
] as const satisfies readonly { ctor: Ctor; name: string; descr: string }[];

export type ElementName = (typeof ELEMENT_TYPES)[number]['name'];

/** The element type of a typed array, or undefined for anything else (BigInt arrays, DataView...). */
export function elementType(a: unknown): (typeof ELEMENT_TYPES)[number] | undefined {
  return ELEMENT_TYPES.find((t) => a instanceof t.ctor);
}
