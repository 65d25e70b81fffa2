/**
 * A packed image copied into its upright orientation: EXIF orientations 2-8 as Pillow's
 * `ImageOps.exif_transpose` applies them (2 flip left-right, 3 rotate 180, 4 flip top-bottom,
 * 5 transpose, 6 rotate 90 clockwise, 7 transverse, 8 rotate 90 counter-clockwise), for
 * decoders whose format applies the orientation on load (TIFF). Orientations 5-8 swap the
 * width and height. The stride-view form for decoded images is api/transpose.ts.
 */
import type { TypedArray } from '../core/ndarray.js';

/** Orientations that change the pixels (Pillow's exif_transpose table). */
export function reorients(orientation: number): boolean {
  return Number.isInteger(orientation) && orientation >= 2 && orientation <= 8;
}

/** Copies `src` (`w` x `h`, `bands` elements a pixel) into `dst` upright for `orientation`. */
export function orientInto(src: TypedArray, w: number, h: number, bands: number, orientation: number, dst: TypedArray): void {
  const swap = orientation >= 5;
  const ow = swap ? h : w;
  const oh = swap ? w : h;
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let sx: number;
      let sy: number;
      switch (orientation) {
        case 2: sx = w - 1 - x; sy = y; break;
        case 3: sx = w - 1 - x; sy = h - 1 - y; break;
        case 4: sx = x; sy = h - 1 - y; break;
        case 5: sx = y; sy = x; break;
        case 6: sx = y; sy = h - 1 - x; break;
        case 7: sx = w - 1 - y; sy = h - 1 - x; break;
        default: sx = w - 1 - y; sy = x; break; // 8
      }
      const s = (sy * w + sx) * bands;
      const d = (y * ow + x) * bands;
      for (let c = 0; c < bands; c++) dst[d + c] = src[s + c];
    }
  }
}
