/**
 * The Python-level sizing rules of current Pillow's `Image.thumbnail` and `ImageOps`
 * (`contain`, `cover`, `fit`, `pad`, `scale`, `expand`), with Python's arithmetic: banker's
 * rounding in `round()`, `math.floor`/`ceil`, doubles throughout. The pixels are then
 * `planResize`'s.
 */
import { InvalidArgumentError, checkKeys, invalidArgument } from '../../core/errors.js';
import { allocate, bandCount, shapeOf, type Mode } from '../../core/modes.js';
import type { TypedArray } from '../../core/ndarray.js';
import { pyRound } from '../../core/numbers.js';
import type { Box, Raster } from '../../core/types.js';
import ndarray from 'ndarray';
import { packedData } from '../../core/ndarray.js';
import { planResize, rasterInput, resampleOf, resizeRaster, runPlan, type ResizeOptions } from './index.js';
import type { Resampling, ResampleName } from './coefficients.js';

/** Options of `thumbnail`: Pillow's defaults are BICUBIC and a reducing gap of 2.0 (null: none). */
export interface ThumbnailOptions {
  resample?: ResampleName | Resampling;
  reducingGap?: number | null;
}

/** Pillow `im.thumbnail(size, resample, reducing_gap)` of a raster, as a new raster. */
export function thumbnailRaster<M extends Mode>(r: Raster<M>, size: readonly [number, number], options: ThumbnailOptions = {}): Raster<M> {
  checkKeys('thumbnail', options, ['resample', 'reducingGap']);
  if (!Array.isArray(size) || size.length !== 2 || !size.every((v) => typeof v === 'number' && v >= 1)) {
    throw invalidArgument('size', '[width, height] of numbers >= 1', size);
  }
  const target = thumbnailSize(r.width, r.height, size);
  const gap = options.reducingGap === undefined ? 2.0 : options.reducingGap;
  const resizeOptions: ResizeOptions = { resample: resampleOf(options.resample) };
  if (gap !== null) resizeOptions.reducingGap = gap;
  if (target === undefined || (target[0] === r.width && target[1] === r.height)) return runPlan(r, planResize(rasterInput(r), [r.width, r.height]));
  return resizeRaster(r, target, resizeOptions);
}

/**
 * `Image.thumbnail`'s target size: the largest size within `size` with the image's aspect
 * ratio (each side at least 1); undefined when the image already fits (no resize).
 */
export function thumbnailSize(width: number, height: number, size: readonly [number, number]): [number, number] | undefined {
  const [x0, y0] = size.map(Math.floor) as [number, number];
  if (x0 >= width && y0 >= height) return undefined;
  const aspect = width / height;
  const roundAspect = (n: number, key: (v: number) => number) => {
    const f = Math.floor(n);
    const c = Math.ceil(n);
    return Math.max(key(c) < key(f) ? c : f, 1);
  };
  if (x0 / y0 >= aspect) return [roundAspect(y0 * aspect, (n) => Math.abs(aspect - n / y0)), y0];
  return [x0, roundAspect(x0 / aspect, (n) => (n === 0 ? 0 : Math.abs(aspect - x0 / n)))];
}

/** `ImageOps.contain`'s size: the largest with the image's aspect ratio inside `size`. */
export function containSize(width: number, height: number, size: readonly [number, number]): [number, number] {
  const im = width / height;
  const dest = size[0] / size[1];
  if (im > dest) return [size[0], pyRound((height / width) * size[0])];
  if (im < dest) return [pyRound((width / height) * size[1]), size[1]];
  return [size[0], size[1]];
}

/** `ImageOps.cover`'s size: the smallest with the image's aspect ratio covering `size`. */
export function coverSize(width: number, height: number, size: readonly [number, number]): [number, number] {
  const im = width / height;
  const dest = size[0] / size[1];
  if (im < dest) return [size[0], pyRound((height / width) * size[0])];
  if (im > dest) return [pyRound((width / height) * size[1]), size[1]];
  return [size[0], size[1]];
}

/** `ImageOps.fit`'s source box (fractional) for an output of `size`. */
export function fitBox(width: number, height: number, size: readonly [number, number], bleed = 0, centering: readonly [number, number] = [0.5, 0.5]): Box {
  let [cx, cy] = centering;
  if (!(cx >= 0 && cx <= 1)) cx = 0.5;
  if (!(cy >= 0 && cy <= 1)) cy = 0.5;
  const b = bleed >= 0 && bleed < 0.5 ? bleed : 0;
  const bx = b * width;
  const by = b * height;
  const lw = width - bx * 2;
  const lh = height - by * 2;
  const live = lw / lh;
  const out = size[0] / size[1];
  let cw: number;
  let ch: number;
  if (live === out) [cw, ch] = [lw, lh];
  else if (live >= out) [cw, ch] = [out * lh, lh];
  else [cw, ch] = [lw, lw / out];
  const left = bx + (lw - cw) * cx;
  const top = by + (lh - ch) * cy;
  return [left, top, left + cw, top + ch];
}

/** `ImageOps.scale`'s size: each side times `factor`, Python-rounded. */
export function scaleSize(width: number, height: number, factor: number): [number, number] {
  if (!(typeof factor === 'number' && Number.isFinite(factor) && factor > 0)) throw invalidArgument('factor', 'a number > 0', factor);
  return [pyRound(factor * width), pyRound(factor * height)];
}

/** A fill colour of `mode` as one value per band (a number fills every band; undefined is 0). */
export function fillValues(mode: Mode, color: number | readonly number[] | undefined): number[] {
  const bands = bandCount(mode);
  if (color === undefined) return new Array<number>(bands).fill(0);
  const list = typeof color === 'number' ? new Array<number>(bands).fill(color) : [...color];
  // Pillow fills a missing alpha with 255 (an RGB tuple for RGBA)
  if (list.length === bands - 1 && (mode === 'RGBA' || mode === 'LA' || mode === 'PA')) list.push(255);
  if (list.length !== bands || !list.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw invalidArgument('color', `a number or ${bands} numbers for mode ${mode}`, color);
  }
  return list;
}

/** A new `mode` raster of `size` filled with `color`, with `r` pasted at `[x, y]` (Pillow `new` + `paste`). */
export function pasteOnto<M extends Mode>(r: Raster<M>, size: readonly [number, number], at: readonly [number, number], color: number | readonly number[] | undefined): Raster<M> {
  const [w, h] = size;
  const [x0, y0] = at;
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1) throw new InvalidArgumentError(`size must be positive integers (got [${w}, ${h}])`);
  const bands = bandCount(r.mode);
  const out: TypedArray = allocate(r.mode, w, h);
  const fill = fillValues(r.mode, color);
  if (fill.some((v) => v !== 0)) {
    const px = out.subarray(0, bands);
    px.set(fill);
    for (let i = bands; i < out.length; i += bands) out.set(px, i);
  }
  const src = packedData(r.pixels);
  for (let y = Math.max(0, y0); y < Math.min(h, y0 + r.height); y++) {
    const xa = Math.max(0, x0);
    const xb = Math.min(w, x0 + r.width);
    if (xb <= xa) break;
    const s = ((y - y0) * r.width + (xa - x0)) * bands;
    out.set(src.subarray(s, s + (xb - xa) * bands), (y * w + xa) * bands);
  }
  return { ...r, width: w, height: h, info: { ...r.info }, pixels: ndarray(out, shapeOf(r.mode, w, h)) as Raster<M>['pixels'] };
}

/** `ImageOps.pad`'s paste position of a `contain`ed image inside `size`. */
export function padOffset(resized: readonly [number, number], size: readonly [number, number], centering: readonly [number, number]): [number, number] {
  const clamp = (v: number) => Math.max(0, Math.min(v, 1));
  if (resized[0] !== size[0]) return [pyRound((size[0] - resized[0]) * clamp(centering[0])), 0];
  return [0, pyRound((size[1] - resized[1]) * clamp(centering[1]))];
}

