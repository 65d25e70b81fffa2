/**
 * The Image: Pillow's lazy `ImageFile`. `open()` gives one with its header read (format,
 * mode, size, info) and no pixels; `load()` decodes once into a single allocation in the
 * packed numpy layout of its mode; `toArray()` then views or copies that storage.
 */
import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';
import { EndOfSequenceError, ImageNotLoadedError, invalidArgument } from './core/errors.js';
import { MODES, bandCount, shapeOf, type ArrayOf, type Mode } from './core/modes.js';
import type { ImageInfo, Palette, Raster } from './core/types.js';
import type { Decoding, Header } from './codecs/codec.js';
import { convert, type ConvertOptions } from './pixels/convert/index.js';

export type { ImageInfo, Palette, Raster };
import { encodeRaster, saveRaster } from './codecs/write.js';
import type { WriteFormat } from './codecs/write.js';
import type { EncodeOptions } from './codecs/codec.js';
import { tobytes } from './pixels/encoder.js';
import { isPackedStorage, packedData } from './core/ndarray.js';
import type { Box } from './core/types.js';
import { reduceRaster, resizeRaster, type ResizeOptions } from './pixels/resize/index.js';
import { thumbnailRaster, type ThumbnailOptions } from './pixels/resize/ops.js';

/**
 * An image, as Pillow's `Image`: `format`, `mode`, `size`, `info`, `palette`, frames
 * (`nFrames`, `seek`, `tell`), lazily decoded by `load()` into one allocation, and Pillow's
 * operations (`convert`, `resize`, `reduce`, `thumbnail`, `tobytes`, `encode`, `save`).
 * Images are made by `open()`, `fromStorage()`, `fromBuffer()`/`fromArray()` and the operations.
 * @example
 * const img = await open('photo.jpg');   // header only
 * img.mode; img.size;                     // 'RGB', [w, h]
 * const a = toArray(await img.load());    // the pixels
 */
export class Image<M extends Mode = Mode> {
  /** 'JPEG', 'PNG', 'MPO'...; null for images made in memory (as Pillow). */
  readonly format: string | null;
  #mode: M;
  #size: readonly [number, number];
  #info: ImageInfo;
  #palette: Palette | undefined;
  readonly nFrames: number;
  /**
   * Number of the first frame: 0, except PSD's 1 (Pillow's `_min_frame`: a PSD's frames are
   * its layers 1..n, and frame 1 shows the merged composite until another frame is sought).
   */
  readonly firstFrame: number;
  #frame: number;
  /** The pixels: packed storage, or a stride view of another image's (flip, crop...). */
  #pixels: NdArray<ArrayOf<M>> | undefined;
  #decoding: Decoding | undefined;
  #loading: Promise<this> | undefined;

  /** @internal Use `open()`, `fromStorage()` or conversions. */
  constructor(header: Header, decoding?: Decoding, data?: ArrayOf<M> | NdArray<ArrayOf<M>>) {
    this.format = header.format === '' ? null : header.format;
    this.#mode = header.mode as M;
    this.#size = Object.freeze([header.width, header.height] as const);
    this.#info = header.info;
    this.#palette = header.palette;
    this.nFrames = header.nFrames;
    this.firstFrame = header.firstFrame ?? 0;
    this.#frame = this.firstFrame;
    this.#decoding = decoding;
    if (data !== undefined) {
      this.#pixels = ArrayBuffer.isView(data) ? ndarray(data, shapeOf(this.#mode, header.width, header.height)) : data;
    }
  }

  /** Pillow mode string: '1', 'L', 'P', 'RGB', 'RGBA', 'CMYK', 'I;16', 'I', 'F'... */
  get mode(): M {
    return this.#mode;
  }
  /** `[width, height]`, as Pillow's `im.size`. */
  get size(): readonly [number, number] {
    return this.#size;
  }
  get width(): number {
    return this.#size[0];
  }
  get height(): number {
    return this.#size[1];
  }
  get info(): ImageInfo {
    return this.#info;
  }
  get palette(): Palette | undefined {
    return this.#palette;
  }
  get isAnimated(): boolean {
    return this.nFrames > 1;
  }
  /** True once pixels are in memory. */
  get loaded(): boolean {
    return this.#pixels !== undefined;
  }
  /** Band names, e.g. ['R', 'G', 'B'] (Pillow `getbands()`). */
  getBands(): readonly string[] {
    return MODES[this.#mode].bands;
  }
  /** @deprecated Pillow's spelling of `getBands()`. */
  getbands(): readonly string[] {
    return MODES[this.#mode].bands;
  }
  /** numpy shape of this image's array: `[h, w]` or `[h, w, bands]`. */
  get shape(): number[] {
    return shapeOf(this.#mode, this.width, this.height);
  }
  /** Narrows the static type: `if (img.hasMode('RGB')) toArray(img)` is a Uint8Array array. */
  hasMode<N extends Mode>(mode: N): this is Image<N> {
    const current: Mode = this.#mode;
    return current === mode;
  }

  /** Decodes the pixels once into one allocation; later calls return at once. */
  load(): Promise<this> {
    if (this.#pixels !== undefined) return Promise.resolve(this);
    this.#loading ??= this.#startLoad();
    return this.#loading;
  }

  /**
   * @internal Decodes into `slot` (zeroed packed storage of exactly this image's size and
   * element type, e.g. one image of a batch): straight into it where the codec can, else one
   * copy. The image's pixels are then that slot.
   */
  async _loadInto(slot: ArrayOf<M>): Promise<this> {
    if (slot.length !== this.width * this.height * bandCount(this.#mode)) throw new Error(`internal: slot of ${slot.length} elements for a ${this.#mode} ${this.width}x${this.height} image`);
    if (this.#pixels === undefined) {
      if (this.#loading !== undefined) await this.#loading;
      else await (this.#loading = this.#startLoad(slot));
    }
    const px = this._pixels('load');
    if (px.data !== slot) {
      slot.set(this._storage('load'));
      this.#pixels = ndarray(slot, this.shape);
    }
    return this;
  }

  /** One decode in flight at a time; once it settles (a failure included) a later load starts afresh. */
  #startLoad(into?: ArrayOf<M>): Promise<this> {
    const loading = this.#load(into);
    const settled = (): void => {
      if (this.#loading === loading) this.#loading = undefined;
    };
    loading.then(settled, settled);
    return loading;
  }

  async #load(into?: ArrayOf<M>): Promise<this> {
    const decoding = this.#decoding;
    if (decoding === undefined) throw new ImageNotLoadedError('load');
    try {
      const data = (await decoding.load(into === undefined ? {} : { into })) as ArrayOf<M>;
      const want = this.width * this.height * bandCount(this.#mode);
      if (data.length !== want) throw new Error(`internal: decoder gave ${data.length} elements, want ${want}`);
      this.#pixels = ndarray(data, this.shape);
    } finally {
      if (this.nFrames <= 1) {
        this.#decoding = undefined;
        await decoding.close();
      }
    }
    return this;
  }

  /**
   * Pillow `convert(mode)`: a new loaded image in `mode` (loads this one first if needed),
   * bit-exact with Pillow, transparency handling included. Without `mode`, a P image goes
   * to RGB (RGBA when it has transparency) and others are copied, as in Pillow.
   */
  async convert<N extends Mode>(mode?: N, options?: ConvertOptions): Promise<Image<N>> {
    await this.load();
    return fromRaster(convert(this._raster('convert'), mode, options));
  }

  /**
   * Pillow `resize(size, resample, box, reducing_gap)`: a new loaded image of `[width, height]`
   * (loads this one first if needed), bit-exact with Pillow. Default filter BICUBIC; 1 and P
   * images always use NEAREST; LA and RGBA are resampled premultiplied, as in Pillow.
   * @example
   * const small = await img.resize([224, 224], { resample: 'bilinear' });
   */
  async resize(size: readonly [number, number], options?: ResizeOptions): Promise<Image<M>> {
    await this.load();
    return fromRaster(resizeRaster(this._raster('resize'), size, options));
  }

  /** Pillow `reduce(factor, box)`: the mean of each `factor` x `factor` block (or `[fx, fy]`). */
  async reduce(factor: number | readonly [number, number], box?: Box): Promise<Image<M>> {
    await this.load();
    return fromRaster(reduceRaster(this._raster('reduce'), factor, box));
  }

  /**
   * Pillow `thumbnail(size)`: the largest image with this aspect ratio within `size` (never
   * enlarged; BICUBIC and reducing gap 2.0 by default). Unlike Pillow's, it returns a new image.
   */
  async thumbnail(size: readonly [number, number], options?: ThumbnailOptions): Promise<Image<M>> {
    await this.load();
    return fromRaster(thumbnailRaster(this._raster('thumbnail'), size, options));
  }

  /** The file bytes of this image in a writable format (`'png'`, `'jpeg'`; loads it first). */
  async encode(format: WriteFormat, options?: EncodeOptions): Promise<Buffer> {
    await this.load();
    return encodeRaster(this._raster('encode'), format, options);
  }

  /** Pillow `save(path)`: the format from the extension (.png, .jpg...) unless given. */
  async save(path: string, format?: WriteFormat | null, options?: EncodeOptions): Promise<void> {
    await this.load();
    return saveRaster(this._raster('save'), path, format, options);
  }

  /**
   * Pillow `tobytes('raw', rawmode)`: the pixels in a raw layout ('RGB', 'BGR', 'BGRA', 'L',
   * 'I;16B', '1' bit-packed...), as one new Uint8Array of the exact size (no join).
   */
  toBytes(rawmode?: string, options?: ConvertOptions): Uint8Array {
    return tobytes(this._raster('tobytes'), rawmode, options);
  }

  /** @deprecated Pillow's spelling of `toBytes()`. */
  tobytes(rawmode?: string, options?: ConvertOptions): Uint8Array {
    return this.toBytes(rawmode, options);
  }


  /** Current frame index (Pillow `tell()`). */
  tell(): number {
    return this.#frame;
  }

  /** Moves to frame `index` (Pillow `seek()`); pixels of that frame need `load()` again. */
  async seek(index: number): Promise<void> {
    if (!Number.isInteger(index)) throw invalidArgument('index', 'an integer frame index', index);
    const first = this.firstFrame;
    if (index < first || index >= first + this.nFrames) {
      throw new EndOfSequenceError(`attempt to seek outside sequence: frame ${index} of ${first}..${first + this.nFrames - 1}`);
    }
    if (index === this.#frame) return;
    const decoding = this.#decoding;
    if (decoding?.seek === undefined) throw new EndOfSequenceError(`frame ${index}: this file cannot seek`);
    const header = await decoding.seek(index);
    this.#frame = index;
    this.#mode = header.mode as M;
    this.#size = Object.freeze([header.width, header.height] as const);
    this.#info = header.info;
    this.#pixels = undefined;
  }

  /**
   * Pillow's `draft(mode, size)`: before loading, asks the decoder for an image close to
   * `mode` and at least `size`, for less work than a full decode and a resize. A JPEG (with the
   * native libjpeg-turbo decoder, `backends()`) picks the largest DCT scale 1/8, 1/4, 1/2 or 1
   * that keeps both dimensions at least `size` (libjpeg rounds up: `ceil(w / s)`), and gives `L`
   * or `YCbCr` from an RGB file's YCbCr data without a colour conversion. The pixels equal
   * Pillow's drafted ones. Returns `[mode, [0, 0, width / s, height / s]]` as Pillow does, or
   * null where nothing was configured: other formats, the other back-ends, an image already
   * loaded, a second call. Mode and size change at once; `seek` leaves the draft behind.
   * @example
   * const img = await open('photo.jpg');         // 4000x3000
   * img.draft('RGB', [500, 400]);                // ['RGB', [0, 0, 500, 375]]
   * img.size;                                    // [500, 375], decoded at 1/8 by load()
   */
  draft(mode: Mode | null, size: readonly [number, number] | null): [Mode, [number, number, number, number]] | null {
    if (mode !== null && !(typeof mode === 'string' && mode in MODES)) throw invalidArgument('mode', 'a mode name or null', mode);
    if (size !== null && !(Array.isArray(size) && size.length === 2 && size.every((n) => Number.isInteger(n) && n > 0))) {
      throw invalidArgument('size', '[width, height] of positive integers, or null', size);
    }
    const decoding = this.#decoding;
    if (this.#pixels !== undefined || this.#loading !== undefined || decoding?.draft === undefined) return null;
    const [w, h] = this.#size;
    const d = decoding.draft(mode, size);
    if (d === null) return null;
    this.#mode = d.mode as M;
    this.#size = Object.freeze([d.width, d.height] as const);
    return [d.mode, [0, 0, w / d.scale, h / d.scale]];
  }

  /** Releases the input (file handle, stream). Pixels already loaded stay usable. */
  async close(): Promise<void> {
    const d = this.#decoding;
    this.#decoding = undefined;
    await d?.close();
  }

  /** True when this image is a stride view (flip, rotate, crop...) of another's pixels. */
  get isView(): boolean {
    const p = this.#pixels;
    return p !== undefined && !isPackedStorage(p);
  }

  /** @internal True when loading runs on a native thread pool, not on this thread (imreadBatch's default threads). */
  get _decodesOffThread(): boolean {
    return this.#decoding?.offThread === true;
  }

  /**
   * @internal imread's `order` fused into the decoder: decodes the (only) frame with its
   * bands permuted by `order` into a new array, or into `into` where the codec can (zeroed
   * packed storage, as `_loadInto`), and hands the decoder back. The image itself gets no
   * pixels and can no longer load (imread and imreadBatch drop it). Undefined, with nothing
   * done, where the codec cannot (then load and `toArray(img, { order })`).
   */
  async _decodeReordered(order: readonly number[], into?: ArrayOf<M>): Promise<ArrayOf<M> | undefined> {
    const decoding = this.#decoding;
    if (decoding?.reorders !== true || this.#pixels !== undefined || this.#loading !== undefined || this.nFrames !== 1) return undefined;
    this.#decoding = undefined;
    try {
      const data = (await decoding.load(into === undefined ? { order } : { into, order })) as ArrayOf<M>;
      if (data.length !== this.width * this.height * bandCount(this.#mode)) throw new Error(`internal: decoder gave ${data.length} elements`);
      return data;
    } finally {
      await decoding.close();
    }
  }

  /** @internal The loaded pixels with their mode, size, info and palette; throws if not loaded. */
  _raster(what = 'toArray'): Raster<M> {
    return { mode: this.#mode, width: this.width, height: this.height, info: this.#info, palette: this.#palette, pixels: this._pixels(what) };
  }

  /** @internal The pixels as an ndarray (possibly strided); throws if not loaded. */
  _pixels(what = 'toArray'): NdArray<ArrayOf<M>> {
    if (this.#pixels === undefined) throw new ImageNotLoadedError(what);
    return this.#pixels;
  }

  /** @internal Packed storage; a view is copied out into new packed storage. */
  _storage(what = 'toArray'): ArrayOf<M> {
    return packedData(this._pixels(what));
  }
}

/**
 * A loaded in-memory image over `data` (no copy), e.g. the result of a conversion:
 * packed storage of `size`, or an ndarray (a view) of shape `[h, w(, bands)]`.
 */
export function fromStorage<M extends Mode>(
  mode: M,
  size: readonly [number, number],
  data: ArrayOf<M> | NdArray<ArrayOf<M>>,
  info: ImageInfo = {},
  palette?: Palette,
): Image<M> {
  const header: Header = { format: '', mode, width: size[0], height: size[1], info, nFrames: 1 };
  if (palette !== undefined) header.palette = palette;
  return new Image<M>(header, undefined, data);
}

/** A loaded in-memory image of a raster (no copy): the result of a pixel operation. */
export function fromRaster<M extends Mode>(r: Raster<M>): Image<M> {
  return fromStorage(r.mode, [r.width, r.height], r.pixels, r.info, r.palette);
}

/** The lazy image of an opened file (header read, pixels not yet decoded). */
export function fromDecoding(decoding: Decoding): Image {
  return new Image(decoding.header, decoding);
}
