/**
 * `open()`: identify by magic bytes, read the header, check limits, return a lazy Image.
 * `imread()`: open + load + array, handing the image's storage over without a copy.
 */
import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';
import { FileError, ImarrayError, UnidentifiedImageError, checkKeys, invalidArgument } from '../core/errors.js';
import { Input, type Source } from '../core/input.js';
import { candidates } from '../codecs/registry.js';
import type { OpenOptions, Backend, Decoding } from '../codecs/codec.js';
import { fromDecoding, type Image } from '../image.js';
import { checkDecompressionBomb, getMaxImagePixels } from '../core/limits.js';
import { MODES, bandCount, shapeOf, type Mode } from '../core/modes.js';
import { exifTranspose } from './transpose.js';
import { TO_ARRAY_KEYS, bandOrder, isPermutation, toArray, type ToArrayOptions, type ToArrayResult } from './to-array.js';

export type { OpenOptions, Backend };

const OPEN_KEYS = new Set(['loadTruncated', 'maxImagePixels', 'backend', 'draft']);

function resolveOptions(options: OpenOptions | undefined): Required<OpenOptions> {
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw invalidArgument('options', 'an object', options);
  if (options !== undefined) checkKeys('open', options, [...OPEN_KEYS]);
  const loadTruncated = options?.loadTruncated ?? false;
  if (typeof loadTruncated !== 'boolean') throw invalidArgument('options.loadTruncated', 'a boolean', loadTruncated);
  const maxImagePixels = options?.maxImagePixels === undefined ? getMaxImagePixels() : options.maxImagePixels;
  if (maxImagePixels !== null && !(Number.isInteger(maxImagePixels) && maxImagePixels > 0)) {
    throw invalidArgument('options.maxImagePixels', 'a positive integer or null', maxImagePixels);
  }
  const backend = options?.backend ?? 'auto';
  if (backend !== 'auto' && backend !== 'native' && backend !== 'sharp' && backend !== 'js') throw invalidArgument('options.backend', "'auto', 'native', 'sharp' or 'js'", backend);
  const draft = options?.draft ?? null;
  if (draft !== null) {
    if (typeof draft !== 'object') throw invalidArgument('options.draft', "an object such as { size: [224, 224] } or { mode: 'L' }", draft);
    checkKeys('open: options.draft', draft, ['mode', 'size']);
  }
  return { loadTruncated, maxImagePixels, backend, draft };
}

/**
 * Opens an image lazily: reads only the header. Accepts a path, file URL, Buffer,
 * Uint8Array, ArrayBuffer, Node Readable or async iterable of chunks.
 * @throws UnidentifiedImageError, TruncatedImageError, DecompressionBombError, InvalidArgumentError
 * @example
 * const img = await open('photo.jpg'); // img.mode === 'RGB', no pixels decoded yet
 */
export async function open(src: Source, options?: OpenOptions): Promise<Image> {
  const opts = resolveOptions(options);
  const input = Input.from(src);
  const name = input.filename ?? `<${src instanceof Uint8Array || src instanceof ArrayBuffer ? 'bytes' : 'stream'}>`;
  try {
    const prefix = await input.prefix(16);
    const codecs = candidates(prefix);
    if (codecs.length === 0) {
      const hex = Array.from(prefix.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
      throw new UnidentifiedImageError(`cannot identify image file ${name} (first bytes: ${hex || 'none, empty input'})`);
    }
    let decoding: Decoding | undefined;
    let first: unknown;
    for (const codec of codecs) {
      try {
        decoding = await codec.open(input, opts, name);
        break;
      } catch (e) {
        if (!(e instanceof UnidentifiedImageError)) throw e;
        first ??= e;
      }
    }
    if (decoding === undefined) throw first;
    const { width, height } = decoding.header;
    checkDecompressionBomb(width, height, opts.maxImagePixels);
    const img = fromDecoding(decoding);
    if (opts.draft !== null) img.draft(opts.draft.mode ?? null, opts.draft.size ?? null);
    return img;
  } catch (e) {
    await input.close().catch(() => undefined);
    if (e instanceof ImarrayError) throw e;
    if (e instanceof Error && 'code' in e && typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code) && 'syscall' in e) throw new FileError(input.filename ?? name, e);
    throw new UnidentifiedImageError(`cannot identify image file ${name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** `open()`'s options plus `toArray()`'s (all but `copy`: imread's array is always owned). */
export interface ReadOptions extends OpenOptions, Omit<ToArrayOptions, 'copy'> {
  /**
   * Apply the EXIF orientation (`ImageOps.exif_transpose`) before the array is made, as
   * OpenCV's `imread` does by default. Default false, as Pillow's `Image.open`.
   */
  autoOrient?: boolean;
}

/** Band letters of colour images: an `order` of these on an image without them asks for colour. */
const COLOUR_LETTERS = /^[RGBA]+$/;

/**
 * Open + load + array in one call (numpy `np.array(Image.open(f))`): an owned, writable
 * array. The freshly decoded storage is handed over, so this makes no copy at all.
 *
 * `toArray`'s options (`mode`, `order`, `layout`, `dtype`, `scale`, `mean`, `std`, `out`) give
 * `toArray(img, options)` of the loaded image: the decode, then one fused pass. `order` alone
 * on an RGB or RGBA PNG or an RGB JPEG (`{ order: 'BGR' }`, OpenCV's channel order) goes into
 * the decoder instead: PNG rows are permuted on the copy the decoder makes anyway, and the
 * JPEG back-ends permute their own output, so there is one pixel allocation and no second
 * array. An `order` of colour letters on a grey or palette image (`'BGR'` of an L image, as
 * OpenCV users write) converts it to RGB first. `autoOrient: true` applies the EXIF
 * orientation, as OpenCV's imread does.
 * @example
 * const bgr = await imread('photo.png', { order: 'BGR' }); // shape [h, w, 3], B G R bytes
 */
export async function imread<const O extends ReadOptions = ReadOptions>(src: Source, options?: O): Promise<NdArray<ToArrayResult<Mode, O>>> {
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw invalidArgument('options', 'an object', options);
  const o: ReadOptions = options ?? {};
  if ('copy' in o && o.copy !== undefined) throw invalidArgument('options.copy', 'left out (imread always returns an owned array)', o.copy);
  checkKeys('imread', o, [...OPEN_KEYS, 'autoOrient', ...TO_ARRAY_KEYS.filter((k) => k !== 'copy')]);
  const autoOrient = o.autoOrient ?? false;
  if (typeof autoOrient !== 'boolean') throw invalidArgument('options.autoOrient', 'a boolean', autoOrient);
  const img = await open(src, Object.fromEntries(Object.entries(o).filter(([k]) => OPEN_KEYS.has(k))));
  try {
    const arrayOptions = Object.fromEntries(Object.entries(o).filter(([k, v]) => !OPEN_KEYS.has(k) && k !== 'autoOrient' && v !== undefined)) as ToArrayOptions;
    // OpenCV's imread gives colour: an order of colour letters on a grey or palette image
    // converts it to RGB (RGBA when the order has A) first, as Pillow's convert does
    const order = arrayOptions.order;
    if (typeof order === 'string' && arrayOptions.mode === undefined && COLOUR_LETTERS.test(order) &&
      !Array.from(order).every((letter) => (MODES[img.mode].bands as readonly string[]).includes(letter))) {
      arrayOptions.mode = order.includes('A') ? 'RGBA' : 'RGB';
    }
    let given = Object.keys(arrayOptions);
    if (autoOrient) {
      await img.load();
      const upright = await exifTranspose(img);
      return (given.length > 0 ? toArray(upright, arrayOptions) : toArray(upright)) as NdArray<ToArrayResult<Mode, O>>;
    }
    if (given.length === 1 && given[0] === 'order') {
      const perm = bandOrder(img.mode, arrayOptions.order);
      const bands = bandCount(img.mode);
      const permutation = isPermutation(perm, bands);
      if (permutation && perm.every((p, i) => p === i)) given = []; // the mode's own order: the storage as is
      const data = permutation && given.length > 0 ? await img._decodeReordered(perm) : undefined;
      if (data !== undefined) return ndarray(data, shapeOf(img.mode, img.width, img.height)) as NdArray<ToArrayResult<Mode, O>>;
    }
    await img.load();
    if (given.length > 0) return toArray(img, arrayOptions) as NdArray<ToArrayResult<Mode, O>>;
    return ndarray(img._storage(), shapeOf(img.mode, img.width, img.height)) as NdArray<ToArrayResult<Mode, O>>;
  } finally {
    await img.close().catch(() => undefined); // also after a bad option or a failed decode; loaded pixels stay usable
  }
}
