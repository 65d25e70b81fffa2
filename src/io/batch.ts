/**
 * `imreadBatch`: many files -> ONE preallocated array of shape `[N, H, W(, bands)]` (what
 * `np.stack([np.asarray(Image.open(f).convert(mode)) for f in files])` gives), each image
 * decoded straight into its slot, or through `toArray`'s fused pass into it when the batch
 * asks for more (resize, crop, `layout: 'CHW'`, a dtype, normalisation: `[N, C, H, W]` float32
 * for a model). Decoding runs on worker threads (the PNG decoder is TypeScript: threads are
 * what spread it over the cores; each image is copied into its slot once), or on the main thread with
 * `workers: 0`, the default for a batch of JPEGs the native decoder writes straight into their
 * slots (its decodes run on Node's thread pool: the cores are busy without worker threads).
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';
import {
  DecodeError,
  DecompressionBombError,
  FileError,
  InvalidArgumentError,
  TruncatedImageError,
  UnidentifiedImageError,
  UnsupportedError,
  invalidArgument,
  type ErrorCode,
} from '../core/errors.js';
import { MODES, allocate, bandCount, isMode, type ArrayOf, type Mode } from '../core/modes.js';
import { open, type OpenOptions } from '../api/open.js';
import { OUT_DTYPES, bandOrder, checkKeys, isPermutation, resizeSpec, toArray, type OutDType, type OutDTypeArrays, type ToArrayOptions } from '../api/to-array.js';
import { fromStorage } from '../image.js';

/** What a batch reads: paths (or file: URLs) or encoded bytes. */
export type BatchSource = string | URL | Uint8Array;

/** What `onProgress` is told after each image of a batch. */
export interface BatchProgress {
  /** Images finished so far (including this one). */
  done: number;
  total: number;
  /** Index of the image just finished, in `sources`. */
  index: number;
}

/** Options of `imreadBatch`: the batch's shape and mode, every `toArray` option, and how it runs. */
export interface BatchOptions extends Omit<ToArrayOptions, 'copy' | 'out' | 'mode' | 'order'> {
  /**
   * `[width, height]` every image must have (default: the first image's size); with `resize`,
   * images may have any size and this is left out.
   */
  size?: readonly [number, number];
  /** Mode of the batch (default: the first image's); other modes are converted (Pillow `convert`). */
  mode?: Mode;
  /**
   * Band order of every image, a permutation of the batch mode's band letters: `'BGR'` of an
   * RGB batch for OpenCV. PNG and JPEG files of the batch mode decode straight into it
   * (as `imread(src, { order })`); others are converted with the order in the same pass.
   */
  order?: string;
  /**
   * Images in flight at once (default: 3 per core; more than one per thread hides each
   * decode's waits on file reads and on zlib/sharp's native threads).
   */
  concurrency?: number;
  /**
   * Worker threads (default: the core count for a batch of 32 images or more, or once the
   * threads are running; 0 for a smaller first batch, whose decodes cost less than starting the
   * threads, and 0 when the first image is a JPEG the native decoder writes straight into its
   * slot, with no conversion). 0 = decode on the main thread, where the native decoders (JPEG,
   * sharp, zlib) still run on Node's thread pool in parallel.
   */
  workers?: number;
  /** Called on the main thread after each image. */
  onProgress?: (progress: BatchProgress) => void;
  /**
   * Keep going past images that fail (unreadable, another size without `resize`...): their
   * slots stay 0 and `onSkip` is told; default false (the first failure rejects the batch).
   */
  skipBad?: boolean;
  /** With `skipBad`: called on the main thread for each image left out, with its typed error. */
  onSkip?: (skipped: BatchSkip) => void;
  /** Passed to `open()` for every image (loadTruncated, maxImagePixels, backend). */
  open?: OpenOptions;
}

/** `toArray` options a batch passes on to each image (plain data, sent to workers). */
type ArrayOptions = Omit<ToArrayOptions, 'copy' | 'out' | 'mode' | 'order'>;
const ARRAY_KEYS = ['dither', 'layout', 'dtype', 'scale', 'mean', 'std', 'resize', 'crop'] as const;
const BATCH_KEYS = [...ARRAY_KEYS, 'size', 'mode', 'order', 'concurrency', 'workers', 'onProgress', 'skipBad', 'onSkip', 'open'];

/** An image `imreadBatch` left out with `skipBad`: its index, source and typed error. */
export interface BatchSkip {
  index: number;
  source: BatchSource;
  error: Error;
}

/** What decoding one source needs; plain data, so it can be sent to a worker. */
export interface SlotSpec {
  mode: Mode;
  /** Validated `options.order`, or undefined for the mode's own order. */
  order?: string;
  /** Input size every image must have (undefined with `resize`: any size). */
  width: number | undefined;
  height: number | undefined;
  /** The slot: element type and count of one image's array. */
  dtype: OutDType;
  length: number;
  /** toArray options beyond mode and order (empty: the decoder fills the slot directly). */
  array: ArrayOptions;
  open: OpenOptions;
}

/** A typed error as plain data (structured clone keeps neither the class nor `code`). */
export interface ErrorData {
  name: string;
  message: string;
  code?: string;
  offset?: number;
  path?: string;
  syscall?: string;
  pixels?: number;
  limit?: number;
}

function labelOf(source: BatchSource, index: number): string {
  if (typeof source === 'string') return `image ${index} (${source})`;
  if (source instanceof URL) return `image ${index} (${source.href})`;
  return `image ${index} (${source.length} bytes in memory)`;
}

/** Decodes `source` into `slot`, converting its mode when it differs. */
export async function decodeIntoSlot(source: BatchSource, index: number, slot: OutDTypeArrays[OutDType], spec: SlotSpec): Promise<void> {
  const img = await open(source, spec.open);
  try {
    if (spec.width !== undefined && (img.width !== spec.width || img.height !== spec.height)) {
      throw new InvalidArgumentError(`imreadBatch: ${labelOf(source, index)} is ${img.width}x${img.height}, the batch is ${spec.width}x${spec.height} (give options.resize to resize)`);
    }
    const order = spec.order;
    if (Object.keys(spec.array).length > 0) {
      await img.load();
      toArray(img, { ...spec.array, mode: spec.mode, ...(order === undefined ? {} : { order }), out: slot });
      return;
    }
    if (img.mode === spec.mode && order === undefined) {
      await img._loadInto(slot as ArrayOf<Mode>);
      return;
    }
    if (img.mode === spec.mode && order !== undefined) {
      const data = await img._decodeReordered(bandOrder(spec.mode, order), slot as ArrayOf<Mode>); // the codec writes the order
      if (data !== undefined) {
        if (data !== slot) slot.set(data);
        return;
      }
    }
    await img.load();
    // Pillow's convert and/or the order, fused into the slot
    toArray(img, order === undefined ? { mode: spec.mode, out: slot } : { mode: spec.mode, order, out: slot });
  } finally {
    await img.close();
  }
}

export function errorData(e: unknown): ErrorData {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const data: ErrorData = { name: e.name, message: e.message };
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') data.code = code;
  if (e instanceof DecodeError && e.offset !== undefined) data.offset = e.offset;
  if (e instanceof FileError) {
    data.path = e.path;
    data.syscall = e.syscall;
  }
  if (e instanceof DecompressionBombError) {
    data.pixels = e.pixels;
    data.limit = e.limit;
  }
  return data;
}

/** The typed error again, its message prefixed with which image failed. */
function revive(d: ErrorData, label: string): Error {
  const message = d.message.startsWith('imreadBatch:') ? d.message : `imreadBatch: ${label}: ${d.message}`;
  const make: Partial<Record<ErrorCode, () => Error>> = {
    ERR_IMARRAY_UNIDENTIFIED: () => new UnidentifiedImageError(message),
    ERR_IMARRAY_TRUNCATED: () => new TruncatedImageError(message),
    ERR_IMARRAY_DECODE: () => new DecodeError(message, d.offset === undefined ? {} : { offset: d.offset }),
    ERR_IMARRAY_UNSUPPORTED: () => new UnsupportedError(message),
    ERR_IMARRAY_INVALID_ARGUMENT: () => new InvalidArgumentError(message),
    ERR_IMARRAY_DECOMPRESSION_BOMB: () => new DecompressionBombError(d.pixels ?? 0, d.limit ?? 0),
    ERR_IMARRAY_FILE: () => Object.assign(new FileError(d.path ?? label, Object.assign(new Error(d.message), { code: d.syscall })), { message }),
  };
  const build = d.code === undefined ? undefined : make[d.code as ErrorCode];
  if (build !== undefined) return build();
  const err = new Error(message);
  if (d.code !== undefined) Object.assign(err, { code: d.code }); // e.g. ENOENT
  return err;
}

function checkSource(s: unknown, i: number): BatchSource {
  if (typeof s === 'string' || s instanceof Uint8Array) return s;
  if (s instanceof URL && s.protocol === 'file:') return fileURLToPath(s); // paths clone to workers
  throw invalidArgument(`sources[${i}]`, 'a path, file: URL or Uint8Array', s);
}

/**
 * Decodes `sources` into one array `[N, H, W(, bands)]` of the batch mode's element type.
 * The first failure rejects the batch with that image's typed error, its message naming the
 * image; an image of another size is an InvalidArgumentError (no resizing).
 * @example
 * const x = await imreadBatch(files, { mode: 'RGB', onProgress: ({ done, total }) => bar(done / total) });
 * x.shape; // [N, 224, 224, 3]
 */
export async function imreadBatch(sources: readonly BatchSource[], options: BatchOptions = {}): Promise<NdArray<OutDTypeArrays[OutDType]>> {
  if (!Array.isArray(sources)) throw invalidArgument('sources', 'an array of paths or byte buffers', sources);
  if (typeof options !== 'object' || options === null) throw invalidArgument('options', 'an object', options);
  checkKeys('imreadBatch', options, BATCH_KEYS);
  const list = sources.map(checkSource);
  const cores = availableParallelism();
  const concurrency = options.concurrency ?? 3 * cores;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw invalidArgument('options.concurrency', 'a positive integer', concurrency);
  if (options.workers !== undefined && !(Number.isInteger(options.workers) && options.workers >= 0)) throw invalidArgument('options.workers', 'a non-negative integer', options.workers);
  if (options.mode !== undefined && !isMode(options.mode)) throw invalidArgument('options.mode', 'a mode name', options.mode);
  const size = options.size;
  if (size !== undefined && !(Array.isArray(size) && size.length === 2 && size.every((n) => Number.isInteger(n) && n > 0))) {
    throw invalidArgument('options.size', '[width, height] of positive integers', size);
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw invalidArgument('options.onProgress', 'a function', options.onProgress);
  const skipBad = options.skipBad ?? false;
  if (typeof skipBad !== 'boolean') throw invalidArgument('options.skipBad', 'a boolean', skipBad);
  if (options.onSkip !== undefined && typeof options.onSkip !== 'function') throw invalidArgument('options.onSkip', 'a function', options.onSkip);
  const openOptions = options.open ?? {};
  const order = options.order;

  const array: ArrayOptions = Object.fromEntries(ARRAY_KEYS.filter((k) => options[k] !== undefined).map((k) => [k, options[k]]));
  const resizeTo = options.resize === undefined ? undefined : resizeSpec(options.resize).size;
  if (resizeTo !== undefined && size !== undefined) throw new InvalidArgumentError('imreadBatch: options.size is the size images must have; with options.resize, leave it out');
  let mode: Mode;
  // the first image decodes on a native thread pool straight into its slot (JPEG): the main
  // thread keeps every core busy, and worker threads would only add a message per image
  let offThread = false;
  let inputSize: readonly [number, number] | undefined = resizeTo === undefined ? size : undefined;
  if (options.mode !== undefined && (resizeTo !== undefined || size !== undefined)) {
    mode = options.mode;
  } else if (list.length > 0) {
    // the batch's shape from the first image that opens (with skipBad, unreadable ones are passed over)
    let first: Awaited<ReturnType<typeof open>> | undefined;
    let firstError: Error | undefined;
    for (let i = 0; i < list.length && first === undefined; i++) {
      try {
        first = await open(list[i], openOptions);
      } catch (e) {
        firstError ??= revive(errorData(e), labelOf(list[i], i));
        if (!skipBad) throw firstError;
      }
    }
    if (first === undefined) throw firstError ?? new InvalidArgumentError('imreadBatch: no image opens');
    mode = options.mode ?? first.mode;
    offThread = first._decodesOffThread && first.mode === mode;
    await first.close();
    if (resizeTo === undefined) inputSize ??= first.size;
  } else {
    throw new InvalidArgumentError('imreadBatch: an empty batch needs options.mode and options.size (or resize) to know its shape');
  }
  // one image's array: toArray checks the options on a blank 1x1 image of the batch's mode,
  // which also gives the element type and the layout; the size comes from crop, resize or the input
  const probe = toArray(fromStorage(mode, [1, 1], allocate(mode, 1, 1)), { ...array, ...(order === undefined ? {} : { order }), ...(resizeTo === undefined ? {} : { resize: [1, 1] }), mode });
  const dtype = (Object.entries(OUT_DTYPES).find(([, C]) => probe.data instanceof C)?.[0] ?? 'uint8') as OutDType;
  const crop = array.crop;
  const [w, h] = crop !== undefined ? [crop[2] - crop[0], crop[3] - crop[1]] : (resizeTo ?? inputSize ?? [1, 1]);
  const C = probe.shape.length === 2 ? 1 : probe.shape[array.layout === 'CHW' ? 0 : 2] ?? 1;
  const shape = C === 1 ? [h, w] : array.layout === 'CHW' ? [C, h, w] : [h, w, C];
  const spec: SlotSpec = {
    mode, width: resizeTo === undefined ? inputSize?.[0] : undefined, height: resizeTo === undefined ? inputSize?.[1] : undefined,
    dtype, length: w * h * C, array, open: openOptions,
  };

  if (order !== undefined) {
    const perm = bandOrder(spec.mode, order);
    if (!isPermutation(perm, bandCount(spec.mode))) {
      throw invalidArgument('options.order', `each of the ${spec.mode} bands once (${MODES[spec.mode].bands.join(', ')})`, order);
    }
    if (perm.some((p, i) => p !== i)) spec.order = order;
  }

  const direct = offThread && Object.keys(array).length === 0;
  const workers = options.workers ?? (direct ? 0 : list.length >= SMALL_BATCH || threads.length >= cores ? cores : 0);
  const n = list.length;
  const per = spec.length;
  const Ctor = OUT_DTYPES[spec.dtype];
  const bytes = n * per * Ctor.BYTES_PER_ELEMENT;
  const data = new Ctor(new ArrayBuffer(bytes)) as OutDTypeArrays[OutDType];
  const slot = (i: number) => data.subarray(i * per, (i + 1) * per);

  let done = 0;
  const finished = (index: number) => {
    done++;
    options.onProgress?.({ done, total: n, index });
  };
  // a failed image: the batch's error, or with skipBad a zeroed slot, onSkip, and on
  const failed = (index: number, error: Error): Error | undefined => {
    if (!skipBad) return error;
    slot(index).fill(0);
    options.onSkip?.({ index, source: list[index] ?? '', error });
    finished(index);
    return undefined;
  };
  if (workers === 0) await runHere(list, spec, slot, concurrency, finished, failed);
  else await runInWorkers(list, spec, data, Math.min(workers, n), concurrency, finished, failed);
  return ndarray(data, [n, ...shape]);
}

async function runHere(
  list: BatchSource[],
  spec: SlotSpec,
  slot: (i: number) => OutDTypeArrays[OutDType],
  concurrency: number,
  finished: (i: number) => void,
  failed: (i: number, e: Error) => Error | undefined,
): Promise<void> {
  let next = 0;
  let failure: Error | undefined;
  const lane = async () => {
    while (failure === undefined && next < list.length) {
      const i = next++;
      const source = list[i];
      try {
        await decodeIntoSlot(source, i, slot(i), spec);
      } catch (e) {
        failure ??= failed(i, revive(errorData(e), labelOf(source, i)));
        continue;
      }
      finished(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, list.length) }, lane));
  if (failure !== undefined) throw failure;
}

export interface WorkerTask {
  batch: number;
  index: number;
  source: BatchSource;
  spec: SlotSpec;
  /** A buffer the thread sent before, handed back (transferred) for the thread to reuse. */
  buffer?: ArrayBuffer;
}
/** An image done: its pixels in `buffer` (transferred, the slot's element type from byte 0). */
export type WorkerReply = { batch: number; index: number; ok: true; buffer: ArrayBuffer } | { batch: number; index: number; ok: false; error: ErrorData };

/** A decoding thread: the compiled worker next to this file; sources (tests) load through tsx. */
function startWorker(): Worker {
  const url = new URL(import.meta.url.endsWith('.ts') ? './batch-worker.ts' : './batch-worker.js', import.meta.url);
  if (url.pathname.endsWith('.js')) return new Worker(url);
  const boot = `import { register } from 'tsx/esm/api'; register(); await import(${JSON.stringify(url.href)});`;
  return new Worker(boot, { eval: true });
}

/**
 * The decoding threads, started on first use and kept for later batches (a thread's start-up,
 * module loading and sharp's initialisation cost more than decoding a small batch). They are
 * unref'd between batches, so they never keep the process alive.
 */
const threads: Worker[] = [];
/** From this many images a first batch starts the threads (bench/RESULTS.md, imreadBatch: a fresh process). */
const SMALL_BATCH = 32;

/** @internal How many decoding threads this process has started (tests of the default). */
export function batchThreadCount(): number {
  return threads.length;
}
let batches = 0;
/**
 * Batches running on each thread: a thread is ref'd while any batch uses it (a Worker's ref is a
 * flag, not a count: the first of two concurrent batches to finish must not unref the thread the
 * other still waits on, or the process exits with that batch unsettled).
 */
const holders = new Map<Worker, number>();
function hold(w: Worker): void {
  holders.set(w, (holders.get(w) ?? 0) + 1);
  w.ref();
}
function release(w: Worker): void {
  const n = (holders.get(w) ?? 1) - 1;
  if (n > 0) {
    holders.set(w, n);
    return;
  }
  holders.delete(w);
  w.unref();
}

function pool(n: number): Worker[] {
  while (threads.length < n) {
    const w = startWorker();
    w.on('error', () => undefined); // reported to the batch that was running (below)
    w.on('exit', () => {
      const at = threads.indexOf(w);
      if (at >= 0) threads.splice(at, 1);
    });
    w.unref();
    threads.push(w);
  }
  return threads.slice(0, n);
}

/**
 * The threads decode into buffers of their own, transferred here and back (each thread reuses
 * the ones it gets back) and copied into the batch's slots: one copy per image, where a
 * SharedArrayBuffer written in place would cost none, because V8 does not count
 * SharedArrayBuffers towards its collection heuristics, so a loop of batches kept every batch's
 * memory until the next full collection (docs/batches.md has the measurement).
 */
async function runInWorkers(
  list: BatchSource[],
  spec: SlotSpec,
  data: OutDTypeArrays[OutDType],
  count: number,
  concurrency: number,
  finished: (i: number) => void,
  failed: (i: number, e: Error) => Error | undefined,
): Promise<void> {
  const batch = batches++;
  const workers = pool(count);
  // up to `concurrency` images in flight, spread over the threads: one decoding and at most one
  // queued behind it (hides the message round trip; a longer queue only measured slower)
  const perThread = Math.min(2, Math.max(1, Math.ceil(concurrency / workers.length)));
  let next = 0;
  let left = list.length;
  const detach: (() => void)[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const Ctor = OUT_DTYPES[spec.dtype];
      const feed = (w: Worker, buffer?: ArrayBuffer) => {
        if (next >= list.length) return;
        const index = next++;
        // a Uint8Array source is cloned, never transferred: the caller keeps it
        const task: WorkerTask = { batch, index, source: list[index], spec };
        if (buffer === undefined) w.postMessage(task);
        else w.postMessage({ ...task, buffer }, [buffer]);
      };
      for (const w of workers) {
        const onMessage = (r: WorkerReply) => {
          if (r.batch !== batch) return;
          if (!r.ok) {
            const error = failed(r.index, revive(r.error, labelOf(list[r.index], r.index)));
            if (error !== undefined) {
              reject(error);
              return;
            }
          } else {
            data.set(new Ctor(r.buffer, 0, spec.length), r.index * spec.length);
            finished(r.index);
          }
          if (--left === 0) resolve();
          else feed(w, r.ok ? r.buffer : undefined);
        };
        const onError = (e: unknown) => {
          reject(e instanceof Error ? e : new Error(String(e)));
        };
        const onExit = (code: number) => {
          reject(new Error(`imreadBatch: a decoding thread exited (code ${code}) with ${left} images left`));
        };
        w.on('message', onMessage).on('error', onError).on('exit', onExit);
        hold(w); // a batch in progress keeps the process alive
        detach.push(() => {
          w.off('message', onMessage).off('error', onError).off('exit', onExit);
          release(w);
        });
        for (let k = 0; k < perThread; k++) feed(w);
      }
      if (list.length === 0) resolve();
    });
  } finally {
    for (const d of detach) d();
  }
}
