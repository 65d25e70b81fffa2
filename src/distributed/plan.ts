/**
 * A batch too big for one `imreadBatch`, as one Zarr array filled chunk by chunk: the sorted file
 * list, the array's shape and dtype fixed once from the options and the first image (so that
 * every chunk, decoded anywhere, is the slice a one-machine `imreadBatch` of the whole list
 * gives), and the filling of one chunk: `imreadBatch` of the chunk's files, its buffer written as
 * the chunk (no copy), the images left out recorded in the attributes. The same chunk filler runs
 * in one process (`writeZarrBatch`), in each of N shard processes, and in queue workers
 * (./queue.ts).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import { InvalidArgumentError, ImarrayError, invalidArgument } from '../core/errors.js';
import { elementType } from '../core/dtype.js';
import { IMAGE_EXTENSIONS, isImageFile } from '../codecs/registry.js';
import { open } from '../api/open.js';
import { imreadBatch, type BatchOptions } from '../io/batch.js';
import { createArray, hasChunk, readMeta, recordSkipped, writeChunk, type SkippedImage, type ZarrArrayMeta } from './zarr.js';

/** The `imreadBatch` options a distributed batch passes to every chunk (plain data: they travel in jobs). */
export type ChunkBatchOptions = Omit<BatchOptions, 'onProgress' | 'onSkip'>;

/** Options of a batch into a Zarr array. */
export interface ZarrBatchOptions extends ChunkBatchOptions {
  /** The Zarr array's folder (created; `.zarr` by convention). */
  out: string;
  /** Images per chunk (default 64): the unit of work and of writing. */
  chunk?: number;
}

/** The array a batch fills and how its chunks are cut. */
export interface BatchPlan {
  /** Absolute path of the array's folder. */
  out: string;
  /** The sorted, absolute file list. */
  files: string[];
  chunk: number;
  chunks: number;
  meta: ZarrArrayMeta;
  /** Every chunk's `imreadBatch` options: the caller's, with the mode and input size fixed. */
  options: ChunkBatchOptions;
}

/** One chunk's work: plain data (a queue job's payload). */
export interface ChunkTask {
  out: string;
  chunk: number;
  /** Index of the chunk's first image in the sorted list. */
  start: number;
  files: string[];
  shape: number[];
  chunkSize: number;
  options: ChunkBatchOptions;
}

/** What filling a chunk did. */
export interface ChunkResult {
  chunk: number;
  images: number;
  bytes: number;
  skipped: SkippedImage[];
  /** Milliseconds decoding and writing. */
  decodeMs: number;
  writeMs: number;
}

const GLOB = /[*?[\]{}]/;

/**
 * The images of `src`, sorted by path, absolute: a folder's image files (by extension, not
 * recursive), a glob (`data/**\/*.jpg`, every file it matches), a text file listing one path per
 * line (blank lines and `#` comments skipped; relative paths from the current folder), or an
 * array of paths.
 */
export async function listSources(src: string | readonly string[]): Promise<string[]> {
  let files: string[];
  if (Array.isArray(src)) {
    files = src.map((f, i) => {
      if (typeof f !== 'string' || f === '') throw invalidArgument(`sources[${i}]`, 'a path', f);
      return resolve(f);
    });
  } else if (typeof src !== 'string' || src === '') {
    throw invalidArgument('source', 'a folder, a glob, a file list or an array of paths', src);
  } else if (existsSync(src) && statSync(src).isDirectory()) {
    files = readdirSync(src, { withFileTypes: true }).filter((e) => e.isFile() && isImageFile(e.name)).map((e) => resolve(src, e.name));
    if (files.length === 0) throw new InvalidArgumentError(`no image files (${[...IMAGE_EXTENSIONS].join(', ')}) in ${src}`);
  } else if (existsSync(src) && statSync(src).isFile()) {
    files = readFileSync(src, 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')).map((l) => resolve(l));
    if (files.length === 0) throw new InvalidArgumentError(`the file list ${src} names no files`);
  } else if (GLOB.test(src)) {
    files = (await glob(src, { absolute: true, onlyFiles: true, expandDirectories: false })).map((f) => resolve(f));
    if (files.length === 0) throw new InvalidArgumentError(`the glob ${src} matches no files`);
  } else {
    throw new InvalidArgumentError(`${src}: no such folder, file list or glob`);
  }
  // code-unit order: the same list on every machine whatever its locale
  return [...new Set(files)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function checkChunk(chunk: unknown): number {
  if (chunk === undefined) return 64;
  if (!Number.isInteger(chunk) || (chunk as number) < 1 || (chunk as number) > 1 << 20) throw invalidArgument('options.chunk', 'an integer from 1 to 1048576', chunk);
  return chunk as number;
}

/** The batch options without the distributed ones and the callbacks (what every chunk's `imreadBatch` takes, as plain data). */
const NOT_CHUNK_OPTIONS = new Set(['out', 'chunk', 'queue', 'name', 'retries', 'resume', 'shard', 'parallel', 'onProgress', 'onSkip']);
export function chunkOptions(options: ChunkBatchOptions): ChunkBatchOptions {
  return Object.fromEntries(Object.entries(options).filter(([k, v]) => !NOT_CHUNK_OPTIONS.has(k) && v !== undefined));
}

/**
 * The array for `sources`: the sorted list, and the shape and dtype an `imreadBatch` of the
 * whole list has: the mode and size are the options' or the first image's that opens (with
 * `skipBad`, unreadable ones are passed over), then fixed for every chunk.
 */
export async function planBatch(sources: string | readonly string[], options: ZarrBatchOptions): Promise<BatchPlan> {
  if (typeof options !== 'object' || options === null) throw invalidArgument('options', 'an object', options);
  if (typeof options.out !== 'string' || options.out === '') throw invalidArgument('options.out', 'the Zarr array folder', options.out);
  const chunk = checkChunk(options.chunk);
  const files = await listSources(sources);
  const base = chunkOptions(options);
  let mode = base.mode;
  let size = base.resize === undefined ? base.size : undefined;
  if (mode === undefined || (base.resize === undefined && size === undefined)) {
    let firstError: unknown;
    for (const f of files) {
      try {
        const img = await open(f, base.open);
        mode ??= img.mode;
        if (base.resize === undefined) size ??= img.size;
        await img.close();
        break;
      } catch (e) {
        firstError ??= e;
        if (base.skipBad !== true) throw e;
      }
    }
    if (mode === undefined) throw firstError instanceof Error ? firstError : new InvalidArgumentError('no image of the batch opens');
  }
  const fixed: ChunkBatchOptions = { ...base, mode, ...(size === undefined ? {} : { size }) };
  // the empty batch of these options has the array's shape and element type
  const probe = await imreadBatch([], fixed);
  const rest = probe.shape.slice(1);
  const bool = mode === '1' && base.dtype === undefined;
  const descr = bool ? '|b1' : elementType(probe.data)?.descr;
  if (descr === undefined) throw new InvalidArgumentError(`no numpy dtype for ${probe.data.constructor.name}`);
  const meta: ZarrArrayMeta = {
    zarr_format: 2, shape: [files.length, ...rest], chunks: [chunk, ...rest], dtype: descr, compressor: null,
    fill_value: bool ? false : 0, order: 'C', filters: null, dimension_separator: '.',
  };
  return { out: resolve(options.out), files, chunk, chunks: Math.ceil(files.length / chunk), meta, options: fixed };
}

/** Attributes of the array: the file list, the options, and how it was cut (what `same` compares when it exists). */
const SAME = ['files', 'options', 'chunk'] as const;

/** Creates the plan's array, or checks that the one at `out` is the same (a resumed batch, another shard). */
export async function createPlannedArray(plan: BatchPlan, version: string): Promise<'created' | 'exists'> {
  const attrs = { imarray: version, mode: plan.options.mode, chunk: plan.chunk, options: plan.options, files: plan.files, skipped: [] };
  return createArray(plan.out, plan.meta, attrs, SAME);
}

/** Images in chunk `c` of the plan (the last one may hold fewer). */
export function imagesIn(plan: BatchPlan, c: number): number {
  return Math.min(plan.chunk, plan.files.length - c * plan.chunk);
}

/** Chunk `c` of the plan as a task. */
export function taskOf(plan: BatchPlan, c: number): ChunkTask {
  const start = c * plan.chunk;
  return { out: plan.out, chunk: c, start, files: plan.files.slice(start, start + plan.chunk), shape: plan.meta.shape, chunkSize: plan.chunk, options: plan.options };
}

function errorCode(e: unknown): string {
  return e instanceof ImarrayError ? e.code : typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : 'ERR_UNKNOWN';
}

/** An image's error message without imreadBatch's label, whose index is the chunk's (the record has the array's index and the path). */
function ownMessage(e: Error, local: number, path: string): string {
  const label = `imreadBatch: image ${local} (${path}): `;
  return e.message.startsWith(label) ? e.message.slice(label.length) : e.message;
}

/**
 * Fills one chunk: its images decoded by `imreadBatch` into one buffer, written as the chunk
 * (zero-padded to the chunk's size at the end of the array); with `skipBad`, the images left out
 * are recorded first, so that a chunk on disk always has its records.
 */
export async function fillChunk(task: ChunkTask, onImage?: (done: number, total: number) => void): Promise<ChunkResult> {
  const skipped: SkippedImage[] = [];
  const t0 = performance.now();
  const arr = await imreadBatch(task.files, {
    ...task.options,
    ...(onImage === undefined ? {} : { onProgress: ({ done, total }: { done: number; total: number }) => { onImage(done, total); } }),
    ...(task.options.skipBad === true ? { onSkip: ({ index, error }: { index: number; error: Error }) => { skipped.push({ index: task.start + index, path: task.files[index], code: errorCode(error), message: ownMessage(error, index, task.files[index]) }); } } : {}),
  });
  const want = [task.files.length, ...task.shape.slice(1)];
  if (arr.shape.length !== want.length || arr.shape.some((d, i) => d !== want[i])) throw new InvalidArgumentError(`chunk ${task.chunk}: the images give shape [${arr.shape.join(', ')}], the array wants [${want.join(', ')}]`);
  const t1 = performance.now();
  if (task.options.skipBad === true) await recordSkipped(task.out, task.start, task.start + task.files.length, skipped.sort((a, b) => a.index - b.index));
  const perImage = task.files.length === 0 ? 0 : arr.data.byteLength / task.files.length;
  const bytes = await writeChunk(task.out, task.chunk, task.shape.length, arr.data, (task.chunkSize - task.files.length) * perImage);
  return { chunk: task.chunk, images: task.files.length, bytes, skipped, decodeMs: t1 - t0, writeMs: performance.now() - t1 };
}

/** The chunks of shard `i` of `n`: a contiguous, chunk-aligned run, the same on every machine. */
export function shardChunks(chunks: number, i: number, n: number): [number, number] {
  return [Math.floor((i * chunks) / n), Math.floor(((i + 1) * chunks) / n)];
}

/** Chunks of the plan whose file is not there yet. */
export function missingChunks(plan: BatchPlan, from = 0, to = plan.chunks): number[] {
  const rank = plan.meta.shape.length;
  const out: number[] = [];
  for (let c = from; c < to; c++) if (!hasChunk(plan.out, c, rank)) out.push(c);
  return out;
}

/** Progress of a batch being filled. */
export interface ZarrBatchProgress {
  chunksDone: number;
  chunks: number;
  /** Images in the chunks done. */
  imagesDone: number;
  images: number;
}

/** Options of `writeZarrBatch`: one process, the whole array or one shard of it. */
export interface WriteZarrBatchOptions extends ZarrBatchOptions {
  /** `[i, n]`: fill only shard i of n (0-based), a contiguous run of chunks; other processes fill the rest. */
  shard?: readonly [number, number];
  /** Leave chunks already written as they are (default false: every chunk of the shard is written). */
  resume?: boolean;
  /**
   * Chunks filled at once (default 2: while one chunk's last images finish and it is written,
   * the next one's decode keeps every core busy; each chunk in flight holds its buffer).
   */
  parallel?: number;
  /** Called after each chunk this call writes. */
  onProgress?: (progress: ZarrBatchProgress) => void;
}

/** What a batch into a Zarr array did. */
export interface ZarrBatchSummary {
  out: string;
  shape: number[];
  dtype: string;
  /** Chunks written by this call. */
  written: number[];
  /** Images left out with `skipBad` (the array's `skipped` attribute). */
  skipped: SkippedImage[];
}

/**
 * `sources` into the Zarr array `options.out` in this process: the whole array, or with
 * `shard: [i, n]` the i-th of n chunk-aligned parts, so that n independent processes (an array
 * job of a scheduler) fill one array with no coordination.
 * @example
 * await writeZarrBatch('photos/', { out: 'photos.zarr', mode: 'RGB', resize: [224, 224], chunk: 64 });
 * // python: zarr.open('photos.zarr')[:]  ->  (N, 224, 224, 3) uint8
 */
export async function writeZarrBatch(sources: string | readonly string[], options: WriteZarrBatchOptions): Promise<ZarrBatchSummary> {
  const [i, n] = options.shard ?? [0, 1];
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(i) || i < 0 || i >= n) throw invalidArgument('options.shard', '[i, n] with 0 <= i < n', options.shard);
  const parallel = options.parallel ?? 2;
  if (!Number.isInteger(parallel) || parallel < 1) throw invalidArgument('options.parallel', 'a positive integer', parallel);
  const plan = await planBatch(sources, options);
  await createPlannedArray(plan, packageVersion());
  const [from, to] = shardChunks(plan.chunks, i, n);
  const todo = options.resume === true ? missingChunks(plan, from, to) : Array.from({ length: to - from }, (_, k) => from + k);
  let chunksDone = to - from - todo.length;
  const pending = new Set(todo);
  let imagesDone = 0;
  for (let c = from; c < to; c++) if (!pending.has(c)) imagesDone += imagesIn(plan, c);
  const written: number[] = [];
  let next = 0;
  const lane = async () => {
    while (next < todo.length) {
      const c = todo[next++];
      const r = await fillChunk(taskOf(plan, c));
      written.push(c);
      chunksDone++;
      imagesDone += r.images;
      options.onProgress?.({ chunksDone, chunks: to - from, imagesDone, images: Math.min(plan.files.length, to * plan.chunk) - from * plan.chunk });
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, Math.max(todo.length, 1)) }, lane));
  return summaryOf(plan, written.sort((a, b) => a - b));
}

export function summaryOf(plan: BatchPlan, written: number[]): ZarrBatchSummary {
  const attrs = JSON.parse(readFileSync(join(plan.out, '.zattrs'), 'utf8')) as { skipped?: SkippedImage[] };
  return { out: plan.out, shape: plan.meta.shape, dtype: plan.meta.dtype, written, skipped: attrs.skipped ?? [] };
}

/** The array at `dir` as written by a batch: its metadata (for `--resume` without the sources). */
export function arrayAt(dir: string): ZarrArrayMeta | undefined {
  return existsSync(join(dir, '.zarray')) ? readMeta(dir) : undefined;
}

/** This package's version, recorded in the arrays it writes. */
export function packageVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}
