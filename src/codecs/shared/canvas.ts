/**
 * The frame canvas of animated formats: regions cropped, pasted, filled and blended on a
 * packed canvas, with Pillow's arithmetic. APNG uses it as Pillow's PngImagePlugin `_seek` /
 * `load_end` do (GIF and WebP need the same dispose and blend steps):
 * a frame decodes into its bbox of the canvas (overwriting: blend SOURCE); with blend OVER
 * the previous canvas gets `paste(frame, bbox, mask=frame.convert("RGBA"))`, i.e. Pillow's
 * per-byte `BLEND(alpha, out, in)` on every band, alpha included. Disposal is applied when
 * moving to the next frame: BACKGROUND fills the bbox with 0, PREVIOUS restores it.
 */
import { bandCount, type Mode } from '../../core/modes.js';
import type { Box, ImageInfo } from '../../core/types.js';

export type { Box };

export const DISPOSE_NONE = 0;
export const DISPOSE_BACKGROUND = 1;
export const DISPOSE_PREVIOUS = 2;
export const BLEND_OVER = 1;

export type Storage = Uint8Array | Uint16Array;

/** Copies the `box` region of a `width`-wide canvas into a new packed array. */
export function cropRegion(src: Storage, width: number, bands: number, box: Box): Storage {
  const [x0, y0, x1, y1] = box;
  const rowLen = (x1 - x0) * bands;
  const out = new (src.constructor as new (n: number) => Storage)(rowLen * (y1 - y0));
  for (let y = y0; y < y1; y++) {
    const s = (y * width + x0) * bands;
    out.set(src.subarray(s, s + rowLen), (y - y0) * rowLen);
  }
  return out;
}

/** Writes a packed region back into the canvas (Pillow `paste` without mask). */
export function pasteRegion(dst: Storage, width: number, bands: number, box: Box, region: Storage | null): void {
  const [x0, y0, x1, y1] = box;
  const rowLen = (x1 - x0) * bands;
  for (let y = y0; y < y1; y++) {
    const d = (y * width + x0) * bands;
    if (region === null) dst.fill(0, d, d + rowLen);
    else dst.set(region.subarray((y - y0) * rowLen, (y - y0 + 1) * rowLen), d);
  }
}

/** Fills the `box` region with one pixel value (`value` has the canvas's bands), e.g. a background colour. */
export function fillRegion(dst: Storage, width: number, bands: number, box: Box, value: readonly number[]): void {
  const [x0, y0, x1, y1] = box;
  for (let y = y0; y < y1; y++) {
    for (let i = (y * width + x0) * bands, end = (y * width + x1) * bands; i < end; i += bands) {
      for (let c = 0; c < bands; c++) dst[i + c] = value[c];
    }
  }
}

/** Per-pixel alpha of `frame.convert("RGBA")` for the frame's mode and transparency. */
function alphaFunction(mode: Mode, info: ImageInfo): ((px: Storage, i: number) => number) | null {
  const t = info.transparency;
  if (mode === 'RGBA') return (px, i) => px[i + 3];
  if (mode === 'LA') return (px, i) => px[i + 1];
  if (mode === 'P' && typeof t === 'number') return (px, i) => (px[i] === t ? 0 : 255);
  if (mode === 'P' && t instanceof Uint8Array) return (px, i) => (px[i] < t.length ? t[px[i]] : 255);
  if (mode === 'RGB' && Array.isArray(t)) {
    const [r, g, b] = t;
    return (px, i) => (px[i] === r && px[i + 1] === g && px[i + 2] === b ? 0 : 255);
  }
  return null; // alpha 255 everywhere: OVER is a plain replace
}

/**
 * Blend OVER, in place: inside `box` the canvas `cur` holds the new frame's pixels; `under`
 * is the same region of the canvas before the frame was drawn (packed, box-sized). Each byte
 * becomes Pillow's `BLEND(alpha, under, frame)`. Outside the box the canvas already equals
 * Pillow's `_prev_im`, so this gives the same result as pasting onto a full copy of it.
 */
export function blendOver(cur: Storage, under: Storage, width: number, mode: Mode, info: ImageInfo, box: Box): void {
  const alpha = alphaFunction(mode, info);
  if (alpha === null) return; // alpha 255 everywhere: the frame replaces what was under it
  const bands = bandCount(mode);
  const [x0, y0, x1, y1] = box;
  for (let y = y0, u = 0; y < y1; y++) {
    for (let x = x0, i = (y * width + x0) * bands; x < x1; x++, i += bands, u += bands) {
      const a = alpha(cur, i);
      for (let c = 0; c < bands; c++) {
        const t = under[u + c] * (255 - a) + cur[i + c] * a + 128;
        cur[i + c] = ((t >> 8) + t) >> 8;
      }
    }
  }
}
