/**
 * What a codec provides. `open` reads the header only (Pillow's lazy `Image.open`);
 * `load` decodes frame 0 into the image's one allocation. Codecs sit in one static table
 * (`registry.ts`) and are chosen by magic bytes, never by file extension.
 */
import type { Input } from '../core/input.js';
import type { Mode, ArrayOf } from '../core/modes.js';
import type { ImageInfo, Palette } from '../image.js';

export interface OpenOptions {
  /** Pillow's `ImageFile.LOAD_TRUNCATED_IMAGES`: give the partial image instead of an error. */
  loadTruncated?: boolean;
  /** Pillow's `Image.MAX_IMAGE_PIXELS`; `null` disables the check. Defaults to the global. */
  maxImagePixels?: number | null;
  /**
   * Native or pure-JS/wasm decoding where both exist (JPEG): `'auto'` (default) uses sharp
   * and falls back to wasm when sharp cannot load; `'sharp'` requires sharp; `'js'` never
   * loads native code. PNG is always imarray's own TypeScript decoder.
   */
  backend?: Backend;
}

export type Backend = 'auto' | 'sharp' | 'js';

export interface Header {
  format: string;
  mode: Mode;
  width: number;
  height: number;
  info: ImageInfo;
  nFrames: number;
  palette?: Palette;
}

/** An opened file: its header, and how to decode it. */
export interface Decoding {
  readonly header: Header;
  /**
   * Decodes the current frame; returns storage in the packed layout of `header.mode`. With
   * `into` (zeroed packed storage of exactly that size, e.g. a batch slot) a codec that can
   * decodes straight into it and returns it; others return their own storage to be copied.
   */
  load(into?: ArrayOf<Mode>, order?: readonly number[]): Promise<ArrayOf<Mode>>;
  /**
   * True when `load` takes `order` (a permutation of the bands of an 8-bit RGB or RGBA image,
   * e.g. [2, 1, 0] for BGR): the codec writes the pixels in that order as it decodes them,
   * so `imread(src, { order: 'BGR' })` costs no second pass. Never passed otherwise.
   */
  readonly reorders?: boolean;
  /** Moves to frame `index` (< header.nFrames); the next `load` decodes it. */
  seek?(index: number): Promise<Header>;
  close(): Promise<void>;
}

export interface Codec {
  readonly format: string;
  /** Pillow's `_accept(prefix)`: a cheap test on the first 16 bytes. */
  accept(prefix: Uint8Array): boolean;
  open(input: Input, options: Required<OpenOptions>, name: string): Promise<Decoding>;
}
