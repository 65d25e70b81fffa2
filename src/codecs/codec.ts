/**
 * The codec contract. A format is declared once, by its descriptor (`Codec`), and listed once,
 * in `registry.ts`; everything else that names formats (open, save/encode, the CLI's file
 * filter, the fuzz and truncation lists, the conformance harness, the README's table) reads
 * the registry. `open` reads the header only (Pillow's lazy `Image.open`); `Decoding.load`
 * decodes the current frame into the image's one allocation. Codecs are chosen by magic bytes,
 * never by file extension.
 */
import type { Input } from '../core/input.js';
import type { Mode, ArrayOf } from '../core/modes.js';
import type { ImageInfo, Palette, Raster } from '../core/types.js';

/**
 * Which decoder runs where a format has several: `'auto'` (default) takes imarray's own native
 * decoder where the format has one and it is built here (JPEG: libjpeg-turbo, prebuilt for
 * linux-x64/arm64), else sharp, else JS/WebAssembly; `'native'` requires imarray's native
 * decoder; `'sharp'` requires sharp; `'js'` never loads native code. Formats with only a
 * TypeScript decoder ignore it; a format without the decoder asked for raises
 * UnsupportedError (e.g. `'js'` for a format whose only decoder is sharp).
 */
export type Backend = 'auto' | 'native' | 'sharp' | 'js';
/** A decoder implementation a codec has: imarray's native addon, sharp (libvips), or TypeScript/WebAssembly. */
export type BackendKind = 'native' | 'sharp' | 'js';

/**
 * Pillow's `draft(mode, size)` request, given to `open` (`{ draft: { size: [224, 224] } }`):
 * a JPEG decodes at 1/2, 1/4 or 1/8 of its size by libjpeg's DCT scaling and/or as `L` or
 * `YCbCr` straight from its YCbCr planes. See `Image.draft`.
 */
export interface Draft {
  /** `'L'` or `'YCbCr'` for an RGB JPEG (other modes leave the mode as it is). */
  mode?: Mode | null;
  /** The size wanted: the largest scale 1/s (s = 8, 4, 2, 1) that keeps the image at least this big in both dimensions. */
  size?: readonly [number, number] | null;
}

/** What a codec's `draft` configured: the mode and size the next `load` gives, and the DCT scale. */
export interface Drafted {
  mode: Mode;
  width: number;
  height: number;
  scale: number;
}

export interface OpenOptions {
  /** Pillow's `ImageFile.LOAD_TRUNCATED_IMAGES`: give the partial image instead of an error. */
  loadTruncated?: boolean;
  /** Pillow's `Image.MAX_IMAGE_PIXELS`; `null` disables the check. Defaults to the global. */
  maxImagePixels?: number | null;
  /** The decoder where a format has two (see `Backend`; the formats table lists them). */
  backend?: Backend;
  /** `Image.draft` applied at open (JPEG with the native decoder; elsewhere nothing changes). */
  draft?: Draft | null;
}

export interface Header {
  format: string;
  mode: Mode;
  width: number;
  height: number;
  info: ImageInfo;
  nFrames: number;
  /** Number of the first frame (Pillow's `_min_frame`): 0, or 1 for PSD, whose frames are its layers 1..n. */
  firstFrame?: number;
  palette?: Palette;
}

/** What `Decoding.load` is asked for; a new option changes no codec that ignores it. */
export interface LoadOptions {
  /**
   * Zeroed packed storage of exactly the frame's size and element type (e.g. a batch slot):
   * a codec that can decodes straight into it and returns it; others return their own storage.
   */
  into?: ArrayOf<Mode>;
  /**
   * A permutation of the bands of an 8-bit RGB or RGBA frame (e.g. [2, 1, 0] for BGR), passed
   * only where `Decoding.reorders` is true: the codec writes the pixels in that order.
   */
  order?: readonly number[];
}

/** An opened file: its header, and how to decode it. */
export interface Decoding {
  readonly header: Header;
  /** Decodes the current frame; returns storage in the packed layout of `header.mode`. */
  load(options?: LoadOptions): Promise<ArrayOf<Mode>>;
  /** True when `load` takes `order` (imread's `order: 'BGR'` then costs no second pass). */
  readonly reorders?: boolean;
  /**
   * True when `load` runs on a native thread pool (Node's libuv pool), leaving the calling
   * thread free: a main-thread batch then decodes in parallel without worker threads.
   */
  readonly offThread?: boolean;
  /** Moves to frame `index` (firstFrame <= index < firstFrame + nFrames); the next `load` decodes it. */
  seek?(index: number): Promise<Header>;
  /**
   * Pillow's `draft` for the current frame, before it is loaded: configures the decoder and
   * returns the mode and size the next `load` gives, or null where the format or the back-end
   * cannot (Pillow's `draft` returning None), or when already configured.
   */
  draft?(mode: Mode | null, size: readonly [number, number] | null): Drafted | null;
  close(): Promise<void>;
}

/** `encode`/`save` options; each writer reads the ones that apply to it. */
export interface EncodeOptions {
  /** JPEG quality 1-100 (Pillow's default 75). */
  quality?: number;
  /** PNG zlib level 0-9 (Pillow's `compress_level`, default 6; sharp's `compressionLevel`). */
  compressionLevel?: number;
  /** @deprecated The same as `compressionLevel` (sharp's name). */
  compressLevel?: number;
}

/** A format's writer: which modes it takes, and the bytes of a raster in one of them. */
export interface Writer {
  /** Modes written as they are. */
  readonly modes: ReadonlySet<Mode>;
  /** Modes written after a conversion, as Pillow's writer does (e.g. P -> RGB): the mode to convert to. */
  convertFirst?(mode: Mode, info: ImageInfo): Mode | undefined;
  /** Checks the options that apply, before any work (typed InvalidArgumentError). */
  checkOptions?(options: EncodeOptions): void;
  write(raster: Raster, options: EncodeOptions): Promise<Uint8Array>;
}

/**
 * How the reliability suite treats a format (test/reliability): the fuzzer mutates every
 * fixture of the format's folder; the truncation sweep cuts the files listed here.
 */
export interface FuzzSpec {
  /** Mutated cases per back-end in the fixed-seed fuzz test (default 300). */
  readonly cases?: number;
  /** At least this many fixtures to start from (a check that the folder is found). */
  readonly minSeeds?: number;
  /** Fixtures (paths under fixtures/) cut at every byte, or at `cuts` evenly spaced points. */
  readonly truncation?: readonly string[];
  readonly cuts?: number;
  /** Header fields at fixed offsets the fuzzer sets to edge values (sizes, depths, offsets, counts). */
  readonly fields?: readonly FuzzField[];
}

/** A header field: byte offset, width, byte order. */
export interface FuzzField {
  readonly at: number;
  readonly bytes: 1 | 2 | 4;
  readonly littleEndian?: boolean;
}

/** A format, declared in one place: its folder's `index.ts` exports one of these. */
export interface Codec {
  /** Pillow's format name: `img.format`. */
  readonly format: string;
  /** One line for the formats table. */
  readonly description: string;
  /** File name extensions, lower case with the dot (used to find files and to pick a writer; never to identify). */
  readonly extensions: readonly string[];
  readonly mimeTypes: readonly string[];
  /** Every mode its images can have (Pillow's, current version). */
  readonly modes: readonly Mode[];
  /** Decoder implementations, the preferred first; absent: one TypeScript decoder. */
  readonly backends?: readonly BackendKind[];
  /** Pillow's `_accept(prefix)`: a cheap test on the first 16 bytes. */
  accept(prefix: Uint8Array): boolean;
  open(input: Input, options: Required<OpenOptions>, name: string): Promise<Decoding>;
  /** `save`/`encode` support, keyed by the writer's format name (`'png'`). */
  readonly writer?: { readonly name: string; readonly writer: Writer };
  readonly fuzz?: FuzzSpec;
}
