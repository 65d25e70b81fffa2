/**
 * `toArray(img)`: the image's pixels as a scijs ndarray, row-major, shape `[h, w]` or
 * `[h, w, bands]`, element type from the mode table.
 *  - `{ copy: false }`: numpy `asarray`. Shares the image's storage (no copy at any size);
 *    `set()` throws "assignment destination is read-only". `.data` IS the image's memory.
 *  - `{ copy: true }` (default): numpy `array`. Owned and writable, made with one memcpy.
 */
import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';
import { invalidArgument } from '../errors.js';
import type { Image } from '../image.js';
import { shapeOf, type ArrayOf, type Mode } from '../modes.js';
import { markReadonly } from './readonly.js';

export interface ToArrayOptions {
  /** false: read-only zero-copy view; true (default): owned copy. */
  copy?: boolean;
}

export function toArray<M extends Mode>(img: Image<M>, options?: ToArrayOptions): NdArray<ArrayOf<M>> {
  const copy = options?.copy ?? true;
  if (typeof copy !== 'boolean') throw invalidArgument('options.copy', 'a boolean', copy);
  const data = img._storage('toArray');
  const shape = shapeOf(img.mode, img.width, img.height);
  if (copy) {
    const out = new (data.constructor as new (n: number) => ArrayOf<M>)(data.length);
    out.set(data); // the one memcpy
    return ndarray(out, shape);
  }
  return markReadonly(ndarray(data, shape));
}
