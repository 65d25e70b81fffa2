#!/usr/bin/env node
/**
 * imarray command line (arguments parsed by node:util parseArgs; `USAGE` below is the help).
 *   imarray info [--json] FILE...     format, mode, size, array shape and type, min/max/mean, times
 *   imarray batch DIR -o X.npy [...]  the images in DIR (sorted by name) into one .npy, through
 *                                     imreadBatch's options (resize, layout, dtype, --skip-bad...)
 *   imarray --version                 version and the back-ends in use (backends())
 * Bad files print the typed error (name, code, message) and the exit status is 1; no stack.
 * Usage errors exit 2, before any image is decoded.
 */
import { performance } from 'node:perf_hooks';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { IMAGE_EXTENSIONS } from './codecs/registry.js';
import { open } from './api/open.js';
import { imreadBatch, type BatchOptions, type BatchSkip } from './io/batch.js';
import { backends } from './api/backends.js';
import { npyHeader } from './api/npy.js';
import { isMode } from './core/modes.js';
import { OUT_DTYPES, toArray, type OutDType, type ResizeSpec } from './api/to-array.js';
import type { ResampleName } from './pixels/resize/index.js';
import { ImarrayError } from './core/errors.js';
import { MODES } from './core/modes.js';

const USAGE = {
  main: [
    'usage: imarray <command> [options]',
    '',
    'commands:',
    '  info FILE...        format, mode, size, array shape and type, min/max/mean, decode time',
    '  batch DIR -o X.npy  the images in DIR (sorted by name) into one .npy array',
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
    'usage: imarray batch DIR -o X.npy [options]',
    '',
    '  -o, --out FILE          the .npy to write (its folder must exist)',
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
};

/** File names `batch` picks up in a directory: the extensions of every registered format. */
const isImageFile = (name: string): boolean => IMAGE_EXTENSIONS.has(extname(name).toLowerCase());

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
function progressPrinter(total: number): { tick: (done: number) => void; end: () => void } {
  const tty = process.stderr.isTTY;
  const t0 = performance.now();
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
} as const satisfies ParseArgsConfig['options'];

async function batch(args: string[]): Promise<void> {
  const { positionals, values } = parse(args, BATCH_OPTIONS);
  if (values.help === true) {
    process.stdout.write(USAGE.batch + '\n');
    return;
  }
  const [dir] = positionals;
  const out = values.out;
  if (positionals.length !== 1 || dir === undefined || typeof out !== 'string') throw new UsageError('batch needs one DIR and -o X.npy');
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
  const skipped: BatchSkip[] = [];
  if (values['skip-bad'] === true) {
    options.skipBad = true;
    options.onSkip = (s) => skipped.push(s);
  }

  // checked before any decoding: the output's folder, and the input folder
  const outDir = dirname(resolve(out));
  if (!existsSync(outDir) || !statSync(outDir).isDirectory()) throw new UsageError(`-o ${out}: the folder ${outDir} does not exist`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new UsageError(`-o ${out}: is a folder, not a file name`);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dir}: not a folder`);

  const files = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && isImageFile(e.name))
    .map((e) => e.name)
    .sort()
    .map((name) => join(dir, name));
  if (files.length === 0) throw new UsageError(`no image files (${[...IMAGE_EXTENSIONS].join(', ')}) in ${dir}`);

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
  if (cmd === 'help') return usage(rest[0] === 'info' ? USAGE.info : rest[0] === 'batch' ? USAGE.batch : USAGE.main, 0);
  if (cmd === '-V' || cmd === '--version') {
    process.stdout.write((await version()) + '\n');
    return 0;
  }
  if (cmd !== 'info' && cmd !== 'batch') return usage(`imarray: unknown command ${JSON.stringify(cmd)}\n${USAGE.main}`, 2);
  try {
    if (cmd === 'info') return await infoCommand(rest);
    await batch(rest);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) return usage(`imarray ${cmd}: ${e.message}\n${USAGE[cmd]}`, 2);
    report(`imarray ${cmd}`, e);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
