/**
 * The raster types every layer shares: what Pillow's `im.info` and `im.palette` carry, and
 * `Raster`, an image's pixels with their mode and size. Pixel operations (src/pixels) take
 * and return rasters; only src/image.ts turns a raster into an `Image`.
 */
import type { NdArray } from 'ndarray';
import type { ArrayOf, Mode } from './modes.js';

/** What Pillow's `im.info` carries; bytes values are Uint8Array. Format-specific keys vary. */
export interface ImageInfo {
  dpi?: [number, number];
  exif?: Uint8Array;
  icc_profile?: Uint8Array | null;
  xmp?: Uint8Array;
  comment?: Uint8Array;
  transparency?: number | [number, number, number] | Uint8Array;
  gamma?: number;
  interlace?: number;
  [key: string]: unknown;
}

/** A palette (Pillow `im.palette`): `mode` 'RGB' or 'RGBA', `colors` flat bytes per entry. */
export interface Palette {
  readonly mode: 'RGB' | 'RGBA';
  readonly colors: Uint8Array;
}

/** An image's pixels with what interprets them: the input and output of src/pixels. */
export interface Raster<M extends Mode = Mode> {
  readonly mode: M;
  readonly width: number;
  readonly height: number;
  readonly info: ImageInfo;
  readonly palette: Palette | undefined;
  /** Packed storage of shape `[h, w(, bands)]`, or a strided view of someone's storage. */
  readonly pixels: NdArray<ArrayOf<M>>;
}

/** A rectangle of an image as Pillow writes it: `(left, upper, right, lower)`, right and lower exclusive. */
export type Box = readonly [x0: number, y0: number, x1: number, y1: number];
