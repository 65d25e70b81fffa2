/**
 * Packed row blocks out of any image array, for the block pipelines (convert, the raw
 * encoder, fused toArray). A packed row-major array hands out its own memory (no copy);
 * a strided view (flip, rotate, crop, transpose) is gathered one block at a time into a
 * small reusable scratch, so a view is never materialised whole.
 */
import type { NdArray } from 'ndarray';
import { isContiguous, type TypedArray } from '../core/ndarray.js';
import type { Kernel } from './convert/kernels.js';

export interface RowBlock<D extends TypedArray> {
  data: D;
  /** Element offset of the block's first row in `data`. */
  offset: number;
}

/** Rows `[y0, y1)` of `arr` (shape `[h, w]` or `[h, w, bands]`) as packed elements. */
export type RowSource<D extends TypedArray> = (y0: number, y1: number) => RowBlock<D>;

export function rowSource<D extends TypedArray>(arr: NdArray<D>): RowSource<D> {
  const [, w = 1, bands = 1] = arr.shape;
  const rowElems = w * bands;
  if (isContiguous(arr)) {
    const base = arr.offset;
    return (y0) => ({ data: arr.data, offset: base + y0 * rowElems });
  }
  const [sy = 0, sx = 0, sb = 0] = arr.stride;
  const Ctor = arr.data.constructor as new (n: number) => D;
  let scratch = new Ctor(0);
  return (y0, y1) => {
    const need = (y1 - y0) * rowElems;
    if (scratch.length < need) scratch = new Ctor(need);
    const src = arr.data;
    let o = 0;
    for (let y = y0; y < y1; y++) {
      let p = arr.offset + y * sy;
      if (bands === 1) {
        for (let x = 0; x < w; x++, p += sx) scratch[o++] = src[p];
      } else {
        for (let x = 0; x < w; x++, p += sx) {
          for (let b = 0, q = p; b < bands; b++, q += sb) scratch[o++] = src[q];
        }
      }
    }
    return { data: scratch, offset: 0 };
  };
}

/** Source bytes per block of the row pipelines: small enough to stay in cache. */
export const BLOCK_BYTES = 1 << 18;

/** Rows per block so that one block of `rowBytes`-byte rows is about `bufsize` bytes. */
export function rowsPerBlock(rowBytes: number, bufsize: number): number {
  return Math.max(1, Math.floor(bufsize / Math.max(1, rowBytes)));
}

/**
 * `rows`, run through `convert` (a kernel of src/convert) into a block-sized scratch of
 * `Mid` elements, `bands` per pixel; without `convert`, `rows` itself.
 */
export function convertedRows(
  rows: RowSource<TypedArray>,
  width: number,
  convert: Kernel | undefined,
  Mid: new (n: number) => TypedArray,
  bands: number,
): RowSource<TypedArray> {
  if (convert === undefined) return rows;
  let scratch = new Mid(0);
  return (y0, y1) => {
    const n = (y1 - y0) * width;
    if (scratch.length < n * bands) scratch = new Mid(n * bands);
    const block = rows(y0, y1);
    convert(block.data, block.offset, scratch, 0, n);
    return { data: scratch, offset: 0 };
  };
}
