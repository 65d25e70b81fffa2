#!/usr/bin/env node
/**
 * imarray command line (arguments parsed by node:util parseArgs; `USAGE` below is the help).
 *   imarray info [--json] FILE...     format, mode, size, array shape and type, min/max/mean, times
 *   imarray batch SRC -o X.npy [...]  the images of SRC (a folder, glob or file list; sorted) into
 *                                     one .npy, through imreadBatch's options (resize, layout...)
 *   imarray batch SRC -o X.zarr [--queue redis://... | --shard i/N] [--chunk 64] [--resume]
 *                                     into a Zarr array chunk by chunk: here, over BullMQ workers,
 *                                     or as one of N shard processes (src/distributed/)
 *   imarray worker --queue redis://... [--concurrency N]   fills chunks from the queue
 *   imarray --version                 version and the back-ends in use (backends())
 * Bad files print the typed error (name, code, message) and the exit status is 1; no stack.
 * Usage errors exit 2, before any image is decoded.
 */
import { performance } from 'node:perf_hooks';
import { existsSync, statSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { open } from './api/open.js';
import { imreadBatch, type BatchOptions, type BatchSkip } from './io/batch.js';
import { backends } from './api/backends.js';
import { npyHeader } from './api/npy.js';
import { isMode } from './core/modes.js';
import { OUT_DTYPES, toArray, type OutDType, type ResizeSpec } from './api/to-array.js';
import type { ResampleName } from './pixels/resize/index.js';
import { ImarrayError, InvalidArgumentError } from './core/errors.js';
import { listSources, writeZarrBatch, type ZarrBatchProgress, type ZarrBatchSummary } from './distributed/plan.js';
import { enqueueBatch, runWorker, type FailedChunk } from './distributed/queue.js';
import { MODES } from './core/modes.js';

const USAGE = {
  main: [
    'usage: imarray <command> [options]',
    '',
    'commands:',
    '  info FILE...        format, mode, size, array shape and type, min/max/mean, decode time',
    '  batch SRC -o X.npy  the images of SRC (folder, glob or file list; sorted) into one .npy array',
    '  batch SRC -o X.zarr into a Zarr array, here, over a Redis queue (--queue) or as a shard (--shard)',
    '  worker --queue URL  fill the chunks of queued batches (run on any number of machines)',
    '  help [command]      this text, or a command\'s',
    '',
    'options: -h, --help   help     -V, --version   version and the back-ends in use',
  ].join('\n'),
  info: [
    'usage: imarray info [--json] FILE...',
    '',
    '  --json    one JSON array on stdout: per file its header, array and timings, or its error',
    '',
    'Bad files print their typed error (name, code, message); the exit status is then 1.',
  ].join('\n'),
  batch: [
    'usage: imarray batch SRC -o X.npy [options]',
    '       imarray batch SRC -o X.zarr [--queue redis://HOST:PORT/DB | --shard I/N] [--chunk 64] [--resume] [options]',
    '',
    '  SRC                     a folder (its image files), a glob (\'data/**/*.jpg\') or a text file of paths',
    '  -o, --out FILE          the .npy to write (its folder must exist), or the Zarr array folder (.zarr)',
    '  --chunk N               Zarr: images per chunk, the unit of work (default 64)',
    '  --queue URL             Zarr: enqueue one job per chunk on this Redis (BullMQ) and wait for the',
    '                          workers (imarray worker); --name Q picks the queue (default imarray)',
    '  --retries N             Zarr with --queue: attempts after the first for a failing chunk (default 2)',
    '  --shard I/N             Zarr: fill only the I-th (0-based) of N chunk-aligned parts, no Redis',
    '  --resume                Zarr: fill (or enqueue) only the chunks not written yet',
    '  --mode M                Pillow mode of the batch (default: the first image\'s)',
    '  --size WxH              the size every image must have (default: the first image\'s)',
    '  --resize WxH            resize each image (Pillow\'s resize; then any size is accepted)',
    '  --resample F            nearest|box|bilinear|hamming|bicubic|lanczos (with --resize)',
    '  --crop X0,Y0,X1,Y1      crop after the resize',
    '  --order BGR             band order, e.g. BGR for OpenCV',
    '  --layout HWC|CHW        [N, H, W, C] (default) or [N, C, H, W]',
    '  --dtype T               uint8, float32... (default: the mode\'s)',
    '  --scale S --mean A,B,C --std A,B,C   (v * S - mean) / std, for float dtypes',
    '  --skip-bad              leave unreadable images zero and list them, instead of stopping',
    '  --workers N             decoding threads (default: the core count)',
    '  --concurrency N         images in flight (default: 3 per core)',
  ].join('\n'),
  worker: [
    'usage: imarray worker --queue redis://HOST:PORT/DB [--name Q] [--concurrency N] [--lock-ms MS]',
    '',
    '  --queue URL             the Redis of the batches (imarray batch SRC -o X.zarr --queue URL)',
    '  --name Q                the queue (default imarray)',
    '  --concurrency N         chunks filled at once (default 2: one decodes while the other is written)',
    '  --lock-ms MS            a job whose worker stops renewing its lock this long goes to another (default 30000)',
    '',
    'Runs until SIGINT or SIGTERM (running chunks finish first). Every worker must see the files and',
    'the array folder at the same paths as the batch command (a shared file system).',
  ].join('\n'),
};

class UsageError extends Error {}

/** Node's parseArgs, its errors as UsageError (exit status 2). */
function parse(args: string[], options: ParseArgsConfig['options']): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    return { values, positionals };
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

function intFlag(values: Record<string, string | boolean | undefined>, name: string): number | undefined {
  const v = values[name];
  if (typeof v !== 'string') return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} wants a whole number, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** `--name A,B,C` as numbers (fractions like 1/255 allowed). */
function numberList(values: Record<string, string | boolean | undefined>, name: string): number[] | undefined {
  const v = values[name];
  if (typeof v !== 'string') return undefined;
  const list = v.split(',').map((part) => {
    const m = /^\s*(-?[\d.]+(?:e-?\d+)?)(?:\/([\d.]+))?\s*$/.exec(part);
    return m === null ? NaN : Number(m[1]) / (m[2] === undefined ? 1 : Number(m[2]));
  });
  if (list.some((x) => !Number.isFinite(x))) throw new UsageError(`--${name} wants numbers separated by commas, got ${JSON.stringify(v)}`);
  return list;
}

/** A progress line: a bar on a terminal, a line per tenth otherwise (logs). */
function progressPrinter(total: number, t0 = performance.now()): { tick: (done: number) => void; end: () => void } {
  const tty = process.stderr.isTTY;
  let lastTenth = -1;
  const line = (done: number) => {
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const rate = done / ((performance.now() - t0) / 1000);
    return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${((done / Math.max(total, 1)) * 100).toFixed(0)}% ${rate.toFixed(0)} images/s`;
  };
  return {
    tick(done) {
      if (tty) {
        process.stderr.write(`\r${line(done)}`);
        return;
      }
      const tenth = Math.floor((done / total) * 10);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        process.stderr.write(line(done) + '\n');
      }
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}

const BATCH_OPTIONS = {
  out: { type: 'string', short: 'o' }, mode: { type: 'string' }, size: { type: 'string' }, workers: { type: 'string' },
  concurrency: { type: 'string' }, resize: { type: 'string' }, resample: { type: 'string' }, crop: { type: 'string' },
  order: { type: 'string' }, layout: { type: 'string' }, dtype: { type: 'string' }, scale: { type: 'string' },
  mean: { type: 'string' }, std: { type: 'string' }, 'skip-bad': { type: 'boolean' },
  chunk: { type: 'string' }, queue: { type: 'string' }, name: { type: 'string' }, retries: { type: 'string' },
  shard: { type: 'string' }, resume: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

type Values = Record<string, string | boolean | undefined>;

/** imreadBatch's options from the command line. */
function batchOptions(values: Values): BatchOptions {
  const options: BatchOptions = {};
  const mode = values.mode;
  if (typeof mode === 'string') {
    if (!isMode(mode)) throw new UsageError(`--mode: ${JSON.stringify(mode)} is not a mode (1, L, P, RGB, RGBA, I;16, F...)`);
    options.mode = mode;
  }
  const size = values.size;
  if (typeof size === 'string') {
    const m = /^(\d+)x(\d+)$/.exec(size);
    if (m === null) throw new UsageError(`--size wants WIDTHxHEIGHT, got ${JSON.stringify(size)}`);
    options.size = [Number(m[1]), Number(m[2])];
  }
  const resize = values.resize;
  const resample = values.resample;
  if (typeof resize === 'string') {
    const m = /^(\d+)x(\d+)$/.exec(resize);
    if (m === null) throw new UsageError(`--resize wants WIDTHxHEIGHT, got ${JSON.stringify(resize)}`);
    const spec: ResizeSpec = { size: [Number(m[1]), Number(m[2])] };
    if (typeof resample === 'string') spec.resample = resample as ResampleName;
    options.resize = spec;
  } else if (typeof resample === 'string') throw new UsageError('--resample needs --resize');
  const crop = numberList(values, 'crop');
  if (crop !== undefined) {
    if (crop.length !== 4) throw new UsageError(`--crop wants X0,Y0,X1,Y1, got ${JSON.stringify(values.crop)}`);
    options.crop = crop as [number, number, number, number];
  }
  const order = values.order;
  if (typeof order === 'string') options.order = order;
  const layout = values.layout;
  if (typeof layout === 'string') {
    if (layout !== 'HWC' && layout !== 'CHW') throw new UsageError(`--layout wants HWC or CHW, got ${JSON.stringify(layout)}`);
    options.layout = layout;
  }
  const dtype = values.dtype;
  if (typeof dtype === 'string') {
    if (!Object.hasOwn(OUT_DTYPES, dtype)) throw new UsageError(`--dtype wants one of ${Object.keys(OUT_DTYPES).join(', ')}, got ${JSON.stringify(dtype)}`);
    options.dtype = dtype as OutDType;
  }
  const scale = numberList(values, 'scale');
  if (scale !== undefined) {
    if (scale.length !== 1) throw new UsageError('--scale wants one number');
    options.scale = scale[0];
  }
  const mean = numberList(values, 'mean');
  if (mean !== undefined) options.mean = mean;
  const std = numberList(values, 'std');
  if (std !== undefined) options.std = std;
  const workers = intFlag(values, 'workers');
  if (workers !== undefined) options.workers = workers;
  const concurrency = intFlag(values, 'concurrency');
  if (concurrency !== undefined) options.concurrency = concurrency;
  if (values['skip-bad'] === true) options.skipBad = true;
  return options;
}

async function batch(args: string[]): Promise<void> {
  const { positionals, values } = parse(args, BATCH_OPTIONS);
  if (values.help === true) {
    process.stdout.write(USAGE.batch + '\n');
    return;
  }
  const [src] = positionals;
  const out = values.out;
  if (positionals.length !== 1 || src === undefined || typeof out !== 'string') throw new UsageError('batch needs one SRC (folder, glob or file list) and -o X.npy or -o X.zarr');
  const options = batchOptions(values);
  const zarr = /\.zarr\/?$/i.test(out) || ['chunk', 'queue', 'shard', 'resume', 'name', 'retries'].some((k) => values[k] !== undefined);
  if (zarr) {
    await zarrBatch(src, out, options, values);
    return;
  }
  // checked before any decoding: the output's folder, and the input
  const outDir = dirname(resolve(out));
  if (!existsSync(outDir) || !statSync(outDir).isDirectory()) throw new UsageError(`-o ${out}: the folder ${outDir} does not exist`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new UsageError(`-o ${out}: is a folder, not a file name`);
  const files = await sources(src);
  const skipped: BatchSkip[] = [];
  if (options.skipBad === true) options.onSkip = (sk) => skipped.push(sk);

  const t0 = performance.now();
  const progress = progressPrinter(files.length);
  const arr = await imreadBatch(files, {
    ...options,
    onProgress: ({ done }) => {
      progress.tick(done);
    },
  }).finally(() => {
    progress.end();
  });
  const t1 = performance.now();
  // header, then the batch's own memory: no copy of the array into a file image
  const header = npyHeader(arr);
  const body = new Uint8Array(arr.data.buffer, arr.data.byteOffset, arr.data.byteLength);
  for (const sk of skipped.sort((x, y) => x.index - y.index)) {
    const e = sk.error as Error & { code?: unknown };
    process.stderr.write(`skipped image ${sk.index} (${typeof sk.source === 'string' ? sk.source : 'bytes'}): ${e.name}${typeof e.code === 'string' ? ` [${e.code}]` : ''}: ${e.message}\n`);
  }
  if (skipped.length > 0) process.stderr.write(`skipped ${skipped.length} of ${files.length} images (left as zeros)\n`);
  const fh = await openFile(out, 'w');
  try {
    await fh.writev([header, body]);
  } finally {
    await fh.close();
  }
  const mb = (header.length + body.length) / 1e6;
  const secs = (t1 - t0) / 1000;
  process.stdout.write(
    `wrote ${out}: shape [${arr.shape.join(', ')}] ${arr.dtype}, ${mb.toFixed(1)} MB; ${files.length} images (sorted by name) in ${secs.toFixed(2)} s, ${(files.length / secs).toFixed(0)} images/s\n`,
  );
}

/** SRC as a sorted file list; a missing folder or an empty one is a usage error. */
async function sources(src: string): Promise<string[]> {
  try {
    return await listSources(src);
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw new UsageError(e.message);
    throw e;
  }
}

/** `batch SRC -o X.zarr`: here (all chunks or a shard) or over the queue. */
async function zarrBatch(src: string, out: string, options: BatchOptions, values: Values): Promise<void> {
  const chunk = intFlag(values, 'chunk');
  if (chunk === 0) throw new UsageError('--chunk wants at least 1');
  const queue = values.queue;
  const shardText = values.shard;
  let shard: [number, number] | undefined;
  if (typeof shardText === 'string') {
    const m = /^(\d+)\/(\d+)$/.exec(shardText);
    if (m === null || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) throw new UsageError(`--shard wants I/N with 0 <= I < N, got ${JSON.stringify(shardText)}`);
    shard = [Number(m[1]), Number(m[2])];
  }
  if (shard !== undefined && typeof queue === 'string') throw new UsageError('--shard and --queue are two ways to share the work: give one');
  const retries = intFlag(values, 'retries');
  if ((retries !== undefined || values.name !== undefined) && typeof queue !== 'string') throw new UsageError('--retries and --name go with --queue');
  await sources(src); // a usage error before anything is created
  const common = { ...options, out, ...(chunk === undefined ? {} : { chunk }), resume: values.resume === true };
  const t0 = performance.now();
  let summary: ZarrBatchSummary & { failed?: FailedChunk[] };
  let progress: ReturnType<typeof progressPrinter> | undefined;
  const tick = (p: ZarrBatchProgress) => {
    progress ??= progressPrinter(p.images, t0);
    progress.tick(p.imagesDone);
  };
  try {
    if (typeof queue === 'string') {
      const b = await enqueueBatch(src, { ...common, queue, ...(typeof values.name === 'string' ? { name: values.name } : {}), ...(retries === undefined ? {} : { retries }) });
      process.stderr.write(`${b.out}: ${b.chunks} chunks, ${b.enqueued} enqueued on ${queue}; waiting for the workers (imarray worker --queue ${queue})\n`);
      try {
        summary = await b.wait({ onProgress: tick });
      } finally {
        await b.close();
      }
    } else {
      summary = await writeZarrBatch(src, { ...common, ...(shard === undefined ? {} : { shard }), onProgress: tick });
    }
  } finally {
    progress?.end();
  }
  for (const sk of summary.skipped) process.stderr.write(`skipped image ${sk.index} (${sk.path}): [${sk.code}] ${sk.message}\n`);
  const secs = (performance.now() - t0) / 1000;
  const failed = summary.failed ?? [];
  for (const f of failed) process.stderr.write(`chunk ${f.chunk} failed after its retries: ${f.reason}\n`);
  process.stdout.write(`${summary.out}: shape [${summary.shape.join(', ')}] ${summary.dtype}${shard === undefined ? '' : `, shard ${shard[0]}/${shard[1]}`}; ${summary.skipped.length} images skipped; ${secs.toFixed(2)} s\n`);
  if (failed.length > 0) throw new Error(`${failed.length} chunks failed; fix the files and run again with --resume`);
}

const WORKER_OPTIONS = {
  queue: { type: 'string' }, name: { type: 'string' }, concurrency: { type: 'string' }, 'lock-ms': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/** `imarray worker`: fills queued chunks until SIGINT / SIGTERM. */
async function worker(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, WORKER_OPTIONS);
  if (values.help === true) {
    process.stdout.write(USAGE.worker + '\n');
    return;
  }
  const queue = values.queue;
  if (typeof queue !== 'string' || positionals.length > 0) throw new UsageError('worker needs --queue redis://HOST:PORT/DB and nothing else');
  const concurrency = intFlag(values, 'concurrency');
  const lockMs = intFlag(values, 'lock-ms');
  const w = await runWorker({
    queue, ...(typeof values.name === 'string' ? { name: values.name } : {}), ...(concurrency === undefined ? {} : { concurrency }), ...(lockMs === undefined ? {} : { lockMs }),
    onChunk: (r) => { process.stdout.write(`chunk ${r.chunk}: ${r.images} images, decode ${r.decodeMs.toFixed(0)} ms, write ${r.writeMs.toFixed(0)} ms${r.skipped.length > 0 ? `, ${r.skipped.length} skipped` : ''}\n`); },
  });
  process.stderr.write(`imarray worker: taking chunks from ${queue}\n`);
  await new Promise<void>((done) => {
    const stop = () => {
      process.stderr.write('imarray worker: stopping after the running chunks\n');
      void w.close().then(done);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function stats(data: ArrayLike<number>): { min: number; max: number; mean: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return data.length === 0 ? { min: 0, max: 0, mean: 0 } : { min, max, mean: sum / data.length };
}

interface InfoRecord {
  file: string;
  format: string | null;
  mode: string;
  size: readonly [number, number];
  frames: number;
  shape: number[];
  dtype: string;
  typestr: string;
  min: number;
  max: number;
  mean: number;
  openMs: number;
  decodeMs: number;
}

async function info(file: string): Promise<InfoRecord> {
  const t0 = performance.now();
  const img = await open(file);
  const t1 = performance.now();
  await img.load();
  const t2 = performance.now();
  const a = toArray(img, { copy: false });
  const s = stats(a.data);
  await img.close();
  return {
    file, format: img.format, mode: img.mode, size: img.size, frames: img.nFrames, shape: a.shape, dtype: a.dtype,
    typestr: MODES[img.mode].typestr, ...s, openMs: t1 - t0, decodeMs: t2 - t1,
  };
}

function infoText(r: InfoRecord, arrayType: string): string {
  return [
    r.file,
    `  format ${r.format ?? '-'}  mode ${r.mode}  size ${r.size[0]}x${r.size[1]}${r.frames > 1 ? `  frames ${r.frames}` : ''}`,
    `  array  shape [${r.shape.join(', ')}]  ${arrayType} (${r.dtype}, numpy ${r.typestr})`,
    `  values min ${r.min}  max ${r.max}  mean ${r.mean.toFixed(4)}`,
    `  time   open ${r.openMs.toFixed(2)} ms  decode ${r.decodeMs.toFixed(2)} ms`,
  ].join('\n') + '\n';
}

const ARRAY_TYPES: Record<string, string> = { uint8: 'Uint8Array', uint16: 'Uint16Array', int32: 'Int32Array', float32: 'Float32Array' };

function errorRecord(e: unknown): { name: string; code?: string; message: string } {
  if (e instanceof ImarrayError) return { name: e.name, code: e.code, message: e.message };
  if (e instanceof Error) return { name: e.name, message: e.message };
  return { name: 'Error', message: String(e) };
}

async function infoCommand(args: string[]): Promise<number> {
  const { positionals, values } = parse(args, { json: { type: 'boolean' } });
  if (values.help === true) {
    process.stdout.write(USAGE.info + '\n');
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('info needs at least one FILE');
  let status = 0;
  const records: unknown[] = [];
  for (const file of positionals) {
    try {
      const r = await info(file);
      if (values.json === true) records.push(r);
      else process.stdout.write(infoText(r, ARRAY_TYPES[r.dtype] ?? r.dtype));
    } catch (e) {
      status = 1;
      if (values.json === true) records.push({ file, error: errorRecord(e) });
      else report(file, e);
    }
  }
  if (values.json === true) process.stdout.write(JSON.stringify(records, null, 1) + '\n');
  return status;
}

async function version(): Promise<string> {
  const b = await backends();
  const yes = (s: { available: boolean; detail: string }) => `${s.available ? 'yes' : 'no'}, ${s.detail}`;
  const rows: [string, string][] = [
    ['sharp', yes(b.sharp)],
    ['native kernel', yes(b.native)],
    ['native JPEG', yes(b.nativeJpeg)],
    ['native JPEG 2000', yes(b.nativeJpeg2000)],
    ['native AVIF', yes(b.nativeAvif)],
    ['native TIFF LZMA', yes(b.nativeLzma)],
    ['native TIFF Deflate', yes(b.nativeDeflate)],
    ['wasm SIMD', yes(b.wasmSimd)],
    ['decoders', b.formats.map((f) => `${f.format} ${f.auto}`).join(', ')],
  ];
  return [
    `imarray ${b.version} (${b.runtime})`,
    ...rows.map(([label, text]) => `  ${label.padEnd(20)}${text}`),
  ].join('\n');
}

function report(where: string, e: unknown): void {
  if (e instanceof ImarrayError) process.stderr.write(`${where}: ${e.name} [${e.code}]: ${e.message}\n`);
  else if (e instanceof Error) process.stderr.write(`${where}: ${e.message}\n`);
  else process.stderr.write(`${where}: ${String(e)}\n`);
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const usage = (text: string, code: number): number => {
    (code === 0 ? process.stdout : process.stderr).write(text + '\n');
    return code;
  };
  if (cmd === undefined) return usage(USAGE.main, 2);
  if (cmd === '-h' || cmd === '--help') return usage(USAGE.main, 0);
  if (cmd === 'help') return usage(rest[0] === 'info' || rest[0] === 'batch' || rest[0] === 'worker' ? USAGE[rest[0]] : USAGE.main, 0);
  if (cmd === '-V' || cmd === '--version') {
    process.stdout.write((await version()) + '\n');
    return 0;
  }
  if (cmd !== 'info' && cmd !== 'batch' && cmd !== 'worker') return usage(`imarray: unknown command ${JSON.stringify(cmd)}\n${USAGE.main}`, 2);
  try {
    if (cmd === 'info') return await infoCommand(rest);
    if (cmd === 'worker') await worker(rest);
    else await batch(rest);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) return usage(`imarray ${cmd}: ${e.message}\n${USAGE[cmd]}`, 2);
    report(`imarray ${cmd}`, e);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
