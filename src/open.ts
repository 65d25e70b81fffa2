/**
 * `open()`: identify by magic bytes, read the header, check limits, return a lazy Image.
 * `imread()`: open + load + array, handing the image's storage over without a copy.
 */
import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';
import { ImarrayError, UnidentifiedImageError, invalidArgument } from './errors.js';
import { Input, type Source } from './io/input.js';
import { identify } from './codecs/registry.js';
import type { OpenOptions, Backend } from './codecs/codec.js';
import { Image } from './image.js';
import { checkDecompressionBomb, getMaxImagePixels } from './limits.js';
import { shapeOf, type ArrayOf, type Mode } from './modes.js';

export type { OpenOptions, Backend };

function resolveOptions(options: OpenOptions | undefined): Required<OpenOptions> {
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw invalidArgument('options', 'an object', options);
  const loadTruncated = options?.loadTruncated ?? false;
  if (typeof loadTruncated !== 'boolean') throw invalidArgument('options.loadTruncated', 'a boolean', loadTruncated);
  const maxImagePixels = options?.maxImagePixels === undefined ? getMaxImagePixels() : options.maxImagePixels;
  if (maxImagePixels !== null && !(Number.isInteger(maxImagePixels) && maxImagePixels > 0)) {
    throw invalidArgument('options.maxImagePixels', 'a positive integer or null', maxImagePixels);
  }
  const backend = options?.backend ?? 'auto';
  if (backend !== 'auto' && backend !== 'sharp' && backend !== 'js') throw invalidArgument('options.backend', "'auto', 'sharp' or 'js'", backend);
  return { loadTruncated, maxImagePixels, backend };
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
    const codec = identify(prefix);
    if (codec === undefined) {
      const hex = Array.from(prefix.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
      throw new UnidentifiedImageError(`cannot identify image file ${name} (first bytes: ${hex || 'none, empty input'})`);
    }
    const decoding = await codec.open(input, opts, name);
    const { width, height } = decoding.header;
    checkDecompressionBomb(width, height, opts.maxImagePixels);
    return new Image(decoding.header, decoding);
  } catch (e) {
    await input.close().catch(() => undefined);
    if (e instanceof ImarrayError) throw e;
    if (e instanceof Error && 'code' in e && (e.code === 'ENOENT' || e.code === 'EISDIR' || e.code === 'EACCES')) throw e;
    throw new UnidentifiedImageError(`cannot identify image file ${name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/**
 * Open + load + array in one call (numpy `np.array(Image.open(f))`): an owned, writable
 * array. The freshly decoded storage is handed over, so this makes no copy at all.
 */
export async function imread(src: Source, options?: OpenOptions): Promise<NdArray<ArrayOf<Mode>>> {
  const img = await open(src, options);
  await img.load();
  return ndarray(img._storage(), shapeOf(img.mode, img.width, img.height));
}
