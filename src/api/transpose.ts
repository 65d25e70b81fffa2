/**
 * Pillow's `Image.transpose` methods as ndarray stride views, and `exifTranspose`
 * (`ImageOps.exif_transpose`): applies the EXIF orientation, returns a new upright image
 * whose EXIF orientation is reset to 1. All eight orientations are pure stride views.
 */
import type { NdArray } from 'ndarray';
import { invalidArgument } from '../core/errors.js';
import { Image, fromStorage } from '../image.js';
import type { Mode } from '../core/modes.js';
import type { TypedArray } from '../core/ndarray.js';
import { applyView, flipud, fliplr, rot90, swapAxes } from './views.js';
import { exifOrientation, exifWithoutOrientation } from '../codecs/shared/exif.js';

/** Pillow's `Image.Transpose` values. */
export const Transpose = {
  FLIP_LEFT_RIGHT: 0,
  FLIP_TOP_BOTTOM: 1,
  ROTATE_90: 2,
  ROTATE_180: 3,
  ROTATE_270: 4,
  TRANSPOSE: 5,
  TRANSVERSE: 6,
} as const;
export type Transpose = (typeof Transpose)[keyof typeof Transpose];

/** EXIF orientation -> transpose method (ImageOps.exif_transpose's table). */
const ORIENTATION: Record<number, Transpose> = {
  2: Transpose.FLIP_LEFT_RIGHT,
  3: Transpose.ROTATE_180,
  4: Transpose.FLIP_TOP_BOTTOM,
  5: Transpose.TRANSPOSE,
  6: Transpose.ROTATE_270,
  7: Transpose.TRANSVERSE,
  8: Transpose.ROTATE_90,
};

/** A zero-copy view of `arr` ([h, w, ...]) transposed like Pillow's `im.transpose(method)`. */
export function transposeView<D extends TypedArray>(arr: NdArray<D>, method: Transpose): NdArray<D> {
  switch (method) {
    case Transpose.FLIP_LEFT_RIGHT: return fliplr(arr);
    case Transpose.FLIP_TOP_BOTTOM: return flipud(arr);
    case Transpose.ROTATE_90: return rot90(arr, 1); // counter-clockwise
    case Transpose.ROTATE_180: return rot90(arr, 2);
    case Transpose.ROTATE_270: return rot90(arr, 3); // clockwise
    case Transpose.TRANSPOSE: return swapAxes(arr);
    case Transpose.TRANSVERSE: return rot90(swapAxes(arr), 2);
    default: throw invalidArgument('method', 'a Transpose value 0..6', method);
  }
}

/**
 * Pillow `im.transpose(method)`: a new image that is a zero-copy stride view of this one's
 * pixels (images are immutable, so sharing is safe); `toArray()` of it is one strided copy.
 */
export function transpose<M extends Mode>(img: Image<M>, method: Transpose): Image<M> {
  return applyView(img, (arr) => transposeView(arr, method));
}

/**
 * `ImageOps.exif_transpose`: loads if needed, applies the EXIF orientation (tag 274) and
 * returns a new image with orientation 1 in its EXIF. All eight orientations are stride
 * views of the decoded pixels: no pixel is copied until `toArray()` asks for a copy.
 * EXIF is never applied by `open()`/`load()`, as in Pillow.
 */
export async function exifTranspose<M extends Mode>(img: Image<M>): Promise<Image<M>> {
  await img.load();
  const exif = img.info.exif;
  const method = ORIENTATION[exifOrientation(exif) ?? 1];
  if (method === undefined) return fromStorage(img.mode, img.size, img._pixels(), { ...img.info }, img.palette);
  const out = transpose(img, method);
  if (exif !== undefined) out.info.exif = exifWithoutOrientation(exif);
  return out;
}
