/**
 * Zero-copy views, numpy style, on ndarrays AND on images: flips, rotations by 90 degrees,
 * transpose and crop only change shape / stride / offset, never the pixels. Given an Image,
 * each returns a new Image sharing the same storage (images are immutable, so sharing is
 * safe); `toArray(view)` then copies it into a contiguous owned array in one strided pass,
 * and `toArray(view, { copy: false })` is a strided read-only ndarray.
 */
import type { Box } from '../core/types.js';
import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';
import { rewrap } from '../core/ndarray.js';
import { invalidArgument } from '../core/errors.js';
import { pyRound } from '../core/numbers.js';
import { Image, fromStorage } from '../image.js';
import { allocate, type ArrayOf, type Mode } from '../core/modes.js';
import type { TypedArray } from '../core/ndarray.js';
import ops from 'ndarray-ops';

type Viewable<D extends TypedArray, M extends Mode> = NdArray<D> | Image<M>;
type Result<X> = X extends Image<infer M> ? Image<M> : X;

/** Applies an ndarray view function to an ndarray, or to an image's pixels (a view image). */
export function applyView<X extends Viewable<TypedArray, Mode>>(x: X, f: (arr: NdArray<TypedArray>) => NdArray<TypedArray>): Result<X> {
  if (x instanceof Image) {
    const p = x._pixels('view');
    const v = f(rewrap(p));
    const [h = 0, w = 0] = v.shape;
    return fromStorage(x.mode, [w, h], v as NdArray<ArrayOf<Mode>>, { ...x.info }, x.palette) as Result<X>;
  }
  return f(x) as Result<X>;
}

/** Upside down (numpy `flipud`; Pillow FLIP_TOP_BOTTOM; the OpenGL `readPixels` fix). */
export function flipud<X extends Viewable<TypedArray, Mode>>(x: X): Result<X> {
  return applyView(x, (a) => a.step(-1));
}

/** Mirror (numpy `fliplr`; Pillow FLIP_LEFT_RIGHT). */
export function fliplr<X extends Viewable<TypedArray, Mode>>(x: X): Result<X> {
  return applyView(x, (a) => a.step(1, -1));
}

/** Swaps rows and columns (Pillow TRANSPOSE; numpy `swapaxes(0, 1)`). */
export function swapAxes<X extends Viewable<TypedArray, Mode>>(x: X): Result<X> {
  return applyView(x, (a) => a.transpose(...(a.dimension === 3 ? [1, 0, 2] : [1, 0])));
}

/** Rotation by `k` quarter turns counter-clockwise (numpy `rot90(a, k)`; Pillow ROTATE_90 for k = 1). */
export function rot90<X extends Viewable<TypedArray, Mode>>(x: X, k = 1): Result<X> {
  if (!Number.isInteger(k)) throw invalidArgument('k', 'an integer', k);
  const turns = ((k % 4) + 4) % 4;
  return applyView(x, (a) => {
    const swap = a.dimension === 3 ? [1, 0, 2] : [1, 0];
    if (turns === 1) return a.transpose(...swap).step(-1);
    if (turns === 2) return a.step(-1, -1);
    if (turns === 3) return a.transpose(...swap).step(1, -1);
    return a.step(1);
  });
}

/** A box `[left, upper, right, lower]` in pixels, as Pillow's `crop()`. */
export type { Box };

function checkBox(box: unknown): [number, number, number, number] {
  if (!Array.isArray(box) || box.length !== 4 || !box.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw invalidArgument('box', '[left, upper, right, lower] of finite numbers', box);
  }
  // Pillow: Python round() (half to even), then int.
  const [l, u, rt, lo] = (box as number[]).map(pyRound) as [number, number, number, number];
  if (rt < l) throw invalidArgument('box', "right >= left (Pillow: Coordinate 'right' is less than 'left')", box);
  if (lo < u) throw invalidArgument('box', "lower >= upper (Pillow: Coordinate 'lower' is less than 'upper')", box);
  return [l, u, rt, lo];
}

/**
 * Pillow's `crop(box)`. Inside the image it is a zero-copy view; a box reaching outside gives,
 * as in Pillow, a new image with the outside filled with 0 (that one is a copy).
 */
export function crop<X extends Viewable<TypedArray, Mode>>(x: X, box: Box): Result<X> {
  const [l, u, r, lo] = checkBox(box);
  const [h = 0, w = 0] = x instanceof Image ? [x.height, x.width] : x.shape;
  if (l >= 0 && u >= 0 && r <= w && lo <= h) return applyView(x, (a) => a.hi(lo, r).lo(u, l));
  const src: NdArray<TypedArray> = x instanceof Image ? x._pixels('crop') : x;
  const shape = src.dimension === 3 ? [lo - u, r - l, src.shape[2] ?? 1] : [lo - u, r - l];
  const Ctor = src.data.constructor as new (n: number) => TypedArray;
  const out = ndarray(x instanceof Image ? allocate(x.mode, r - l, lo - u) : new Ctor(shape.reduce((a, b) => a * b, 1)), shape);
  const [y0, x0, y1, x1] = [Math.max(0, u), Math.max(0, l), Math.min(h, lo), Math.min(w, r)];
  if (y1 > y0 && x1 > x0) ops.assign(out.hi(y1 - u, x1 - l).lo(y0 - u, x0 - l), src.hi(y1, x1).lo(y0, x0));
  if (x instanceof Image) return fromStorage(x.mode, [r - l, lo - u], out.data as ArrayOf<Mode>, { ...x.info }, x.palette) as Result<X>;
  return out as Result<X>;
}
