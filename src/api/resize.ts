/**
 * Pillow's resizing family on loaded images: `resize`, `reduce`, `thumbnail` (also Image
 * methods) and `ImageOps` (`contain`, `cover`, `fit`, `pad`, `scale`, `crop`, `expand`),
 * bit-exact with Pillow. Each returns a new loaded image in one allocation; the input is
 * never modified (Pillow's `thumbnail` resizes in place; here it returns the new image).
 */
import { checkKeys, invalidArgument } from '../core/errors.js';
import type { Mode } from '../core/modes.js';
import type { Box } from '../core/types.js';
import { Image, fromRaster } from '../image.js';
import { checkSize, reduceRaster, resampleOf, resizeRaster, type ResizeOptions, Resampling, type ResampleName } from '../pixels/resize/index.js';
import { containSize, coverSize, fitBox, padOffset, pasteOnto, scaleSize, thumbnailRaster, type ThumbnailOptions } from '../pixels/resize/ops.js';
import { crop as cropView } from './views.js';

export { Resampling, type ResampleName, type ResizeOptions, type ThumbnailOptions };

/**
 * Pillow `img.resize(size, resample, box, reducing_gap)`: `size` is `[width, height]`.
 * @example
 * const small = resize(await img.load(), [224, 224], { resample: 'bilinear' });
 */
export function resize<M extends Mode>(img: Image<M>, size: readonly [number, number], options?: ResizeOptions): Image<M> {
  return fromRaster(resizeRaster(img._raster('resize'), size, options));
}

/**
 * Pillow `img.reduce(factor, box)`: the mean of each `factor` block (integer factors).
 * @example
 * const half = reduce(img, 2);
 */
export function reduce<M extends Mode>(img: Image<M>, factor: number | readonly [number, number], box?: Box): Image<M> {
  return fromRaster(reduceRaster(img._raster('reduce'), factor, box));
}

/**
 * Pillow `img.thumbnail(size)`: the largest image with the same aspect ratio within `size`
 * (never enlarged), resized with BICUBIC and reducing gap 2.0 by default. Returns a new image.
 * @example
 * const thumb = thumbnail(img, [128, 128]);
 */
export function thumbnail<M extends Mode>(img: Image<M>, size: readonly [number, number], options?: ThumbnailOptions): Image<M> {
  return fromRaster(thumbnailRaster(img._raster('thumbnail'), size, options));
}

/** Options of the ImageOps functions that resize. */
export interface OpsOptions {
  /** Filter; default BICUBIC as in ImageOps. */
  resample?: ResampleName | Resampling;
}

/**
 * `ImageOps.contain`: the largest resize inside `size` that keeps the aspect ratio.
 * @example
 * const fitted = ImageOps.contain(img, [640, 640]);
 */
function contain<M extends Mode>(img: Image<M>, size: readonly [number, number], options: OpsOptions = {}): Image<M> {
  checkKeys('ImageOps.contain', options, ['resample']);
  const [w, h] = checkSize(size);
  return resize(img, containSize(img.width, img.height, [w, h]), { resample: resampleOf(options.resample) });
}

/** `ImageOps.cover`: the smallest resize covering `size` that keeps the aspect ratio. */
function cover<M extends Mode>(img: Image<M>, size: readonly [number, number], options: OpsOptions = {}): Image<M> {
  checkKeys('ImageOps.cover', options, ['resample']);
  const [w, h] = checkSize(size);
  return resize(img, coverSize(img.width, img.height, [w, h]), { resample: resampleOf(options.resample) });
}

/** Options of `ImageOps.fit`. */
export interface FitOptions extends OpsOptions {
  /** Fraction of each side to drop first (0 <= bleed < 0.5). */
  bleed?: number;
  /** Where to crop: `[0.5, 0.5]` centre (default), `[0, 0]` top left. */
  centering?: readonly [number, number];
}

/**
 * `ImageOps.fit`: crops to the aspect ratio of `size` (at `centering`) and resizes to it.
 * @example
 * const square = ImageOps.fit(img, [224, 224]);
 */
function fit<M extends Mode>(img: Image<M>, size: readonly [number, number], options: FitOptions = {}): Image<M> {
  checkKeys('ImageOps.fit', options, ['resample', 'bleed', 'centering']);
  const [w, h] = checkSize(size);
  const box = fitBox(img.width, img.height, [w, h], options.bleed ?? 0, options.centering ?? [0.5, 0.5]);
  return resize(img, [w, h], { resample: resampleOf(options.resample), box });
}

/** Options of `ImageOps.pad`. */
export interface PadOptions extends OpsOptions {
  /** Background: one number for every band, or one per band (a palette index for P). Default 0. */
  color?: number | readonly number[];
  /** Where the image sits: `[0.5, 0.5]` centred (default), `[0, 0]` top left. */
  centering?: readonly [number, number];
}

/** `ImageOps.pad`: `contain`, then centred on a `size` background of `color`. */
function pad<M extends Mode>(img: Image<M>, size: readonly [number, number], options: PadOptions = {}): Image<M> {
  checkKeys('ImageOps.pad', options, ['resample', 'color', 'centering']);
  const [w, h] = checkSize(size);
  const resized = contain(img, [w, h], options.resample === undefined ? {} : { resample: options.resample });
  if (resized.width === w && resized.height === h) return resized;
  const at = padOffset(resized.size, [w, h], options.centering ?? [0.5, 0.5]);
  return fromRaster(pasteOnto(resized._raster('pad'), [w, h], at, options.color));
}

/** `ImageOps.scale`: both sides times `factor` (Python-rounded). */
function scale<M extends Mode>(img: Image<M>, factor: number, options: OpsOptions = {}): Image<M> {
  checkKeys('ImageOps.scale', options, ['resample']);
  const size = scaleSize(img.width, img.height, factor);
  if (factor === 1) return resize(img, img.size);
  return resize(img, size, { resample: resampleOf(options.resample) });
}

/** `[left, top, right, bottom]` of a border given as one number or 2 or 4 (Pillow `_border`). */
function border(b: number | readonly number[]): [number, number, number, number] {
  const list = typeof b === 'number' ? [b] : [...b];
  if (!list.every((v) => Number.isInteger(v) && v >= 0) || ![1, 2, 4].includes(list.length)) throw invalidArgument('border', 'an integer >= 0, or 2 or 4 of them', b);
  const [a = 0, c = a, d = a, e = c] = list;
  return list.length === 4 ? [a, c, d, e] : [a, c, a, c];
}

/** `ImageOps.crop`: removes `border` pixels from the sides (a zero-copy view). */
function crop<M extends Mode>(img: Image<M>, b: number | readonly number[] = 0): Image<M> {
  const [l, t, r, btm] = border(b);
  return cropView(img, [l, t, img.width - r, img.height - btm]);
}

/** `ImageOps.expand`: adds a border of `fill` (one number, or one per band). */
function expand<M extends Mode>(img: Image<M>, b: number | readonly number[] = 0, fill: number | readonly number[] = 0): Image<M> {
  const [l, t, r, btm] = border(b);
  return fromRaster(pasteOnto(img._raster('expand'), [l + img.width + r, t + img.height + btm], [l, t], fill));
}

/** Pillow's `ImageOps` sizing functions, on loaded images. */
export interface ImageOpsFunctions {
  /** `ImageOps.contain(image, size, method)`: the largest resize inside `size` with the same aspect ratio. */
  readonly contain: typeof contain;
  /** `ImageOps.cover(image, size, method)`: the smallest resize covering `size` with the same aspect ratio. */
  readonly cover: typeof cover;
  /** `ImageOps.fit(image, size, method, bleed, centering)`: crop to the aspect ratio of `size`, then resize to it. */
  readonly fit: typeof fit;
  /** `ImageOps.pad(image, size, method, color, centering)`: `contain`, then centred on a background. */
  readonly pad: typeof pad;
  /** `ImageOps.scale(image, factor, resample)`: both sides times `factor`. */
  readonly scale: typeof scale;
  /** `ImageOps.crop(image, border)`: remove a border (a view, no copy). */
  readonly crop: typeof crop;
  /** `ImageOps.expand(image, border, fill)`: add a border. */
  readonly expand: typeof expand;
}

/**
 * Pillow's `ImageOps` sizing functions, on loaded images, bit-exact with Pillow.
 * @example
 * const square = ImageOps.fit(await img.load(), [224, 224]);
 */
export const ImageOps: ImageOpsFunctions = { contain, cover, fit, pad, scale, crop, expand };
