/**
 * Read-only ndarray views (numpy `asarray` on a Pillow image: `flags.writeable == False`).
 *
 * scijs ndarray has no read-only flag, so we give the view an own `set` that throws the
 * TypeError numpy users know, and wrap the view-making methods so every view derived from
 * a read-only view is read-only too. `.data` itself is the shared storage and stays a
 * plain typed array: writing through `.data` bypasses the guard (documented).
 */
import type { NdArray, Data } from 'ndarray';

const READONLY = Symbol.for('imarray.readonly');

type Viewer = 'lo' | 'hi' | 'step' | 'transpose' | 'pick';
const VIEWERS: readonly Viewer[] = ['lo', 'hi', 'step', 'transpose', 'pick'];

function refuseSet(): never {
  throw new TypeError('assignment destination is read-only');
}

/** Marks `arr` (and every view later made from it) read-only; returns `arr`. */
export function markReadonly<D extends Data>(arr: NdArray<D>): NdArray<D> {
  const target = arr as NdArray<D> & Record<PropertyKey, unknown>;
  target[READONLY] = true;
  target.set = refuseSet;
  for (const name of VIEWERS) {
    const original = (arr[name] as (...args: (number | null)[]) => NdArray<D>).bind(arr);
    target[name] = (...args: (number | null)[]) => markReadonly(original(...args));
  }
  return arr;
}

/** True for arrays returned by `toArray(img, { copy: false })` and views made from them. */
export function isReadonly(arr: NdArray<Data>): boolean {
  return (arr as unknown as Record<PropertyKey, unknown>)[READONLY] === true;
}
