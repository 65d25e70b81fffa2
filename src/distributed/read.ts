/**
 * Reading a batch's Zarr array back in Node, with zarrita (the JS Zarr implementation): images
 * `[start, stop)` as one ndarray, and the attributes the batch recorded (file list, options,
 * images left out). Any Zarr v2 array of numeric dtype reads; zarrita is loaded on first use.
 */
import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';
import { invalidArgument } from '../core/errors.js';
import type { TypedArray } from '../core/ndarray.js';
import type { SkippedImage } from './zarr.js';

/** What `readZarr` gives: the images and the batch's attributes. */
export interface ZarrBatch {
  /** `[stop - start, ...]` of the array's dtype (bool as 0/1 bytes). */
  array: NdArray<TypedArray>;
  /** The whole array's shape. */
  shape: number[];
  /** The sorted file list the batch recorded (empty for an array imarray did not write). */
  files: string[];
  skipped: SkippedImage[];
  attrs: Record<string, unknown>;
}

/**
 * Images `[start, stop)` of the Zarr array at `dir` (default: all of them).
 * @example
 * const { array, files } = await readZarr('photos.zarr', { start: 0, stop: 64 });
 * array.shape; // [64, 224, 224, 3]
 */
export async function readZarr(dir: string, options: { start?: number; stop?: number } = {}): Promise<ZarrBatch> {
  if (typeof dir !== 'string' || dir === '') throw invalidArgument('dir', 'the Zarr array folder', dir);
  const zarr = await import('zarrita');
  const { default: FileSystemStore } = await import('@zarrita/storage/fs');
  const arr = await zarr.open.v2(new FileSystemStore(dir), { kind: 'array' });
  const n = arr.shape[0] ?? 0;
  const start = options.start ?? 0;
  const stop = options.stop ?? n;
  if (!Number.isInteger(start) || !Number.isInteger(stop) || start < 0 || stop > n || start > stop) {
    throw invalidArgument('options', `start and stop with 0 <= start <= stop <= ${n}`, options);
  }
  const got = await zarr.get(arr, [zarr.slice(start, stop), ...arr.shape.slice(1).map(() => null)]);
  const raw: unknown = got.data;
  // zarrita's BoolArray keeps its bytes in `.buffer`: as 0/1 bytes, as imarray gives mode 1
  const data = (raw instanceof zarr.BoolArray ? new Uint8Array(raw.buffer) : raw) as TypedArray;
  const attrs = arr.attrs as Record<string, unknown>;
  return {
    array: ndarray(data, got.shape),
    shape: arr.shape,
    files: Array.isArray(attrs.files) ? (attrs.files as string[]) : [],
    skipped: Array.isArray(attrs.skipped) ? (attrs.skipped as SkippedImage[]) : [],
    attrs,
  };
}
