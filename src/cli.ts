#!/usr/bin/env node
/**
 * imarray command line.
 *   imarray info FILE...   format, mode, size, array shape and type, min/max/mean, decode time
 *   imarray batch DIR --out X.npy [--mode M] [--size WxH] [--workers N] [--concurrency N]
 *                 [--resize WxH] [--resample F] [--crop X0,Y0,X1,Y1] [--order BGR] [--layout CHW]
 *                 [--dtype float32] [--scale S] [--mean A,B,C] [--std A,B,C]
 *                          the images in DIR (sorted by name) into one [N, H, W(, C)] .npy
 *                          (or [N, C, H, W] with --layout CHW), each through toArray's options
 * Bad files print the typed error (name, code, message) and the exit status is 1; no stack.
 */
import { performance } from 'node:perf_hooks';
import { readdirSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { IMAGE_EXTENSIONS } from './codecs/registry.js';
import { open } from './api/open.js';
import { imreadBatch, type BatchOptions } from './io/batch.js';
import { npyHeader } from './api/npy.js';
import { isMode } from './core/modes.js';
import { OUT_DTYPES, toArray, type OutDType, type ResizeSpec } from './api/to-array.js';
import type { ResampleName } from './pixels/resize/index.js';
import { ImarrayError } from './core/errors.js';
import { MODES } from './core/modes.js';

const USAGE = [
  'usage: imarray info FILE...',
  '       imarray batch DIR --out X.npy [--mode M] [--size WxH] [--workers N] [--concurrency N]',
  '                     [--resize WxH] [--resample nearest|box|bilinear|hamming|bicubic|lanczos]',
  '                     [--crop X0,Y0,X1,Y1] [--order BGR] [--layout HWC|CHW]',
  '                     [--dtype uint8|float32|...] [--scale S] [--mean A,B,C] [--std A,B,C]',
].join('\n');
const BATCH_FLAGS = ['out', 'mode', 'size', 'workers', 'concurrency', 'resize', 'resample', 'crop', 'order', 'layout', 'dtype', 'scale', 'mean', 'std'];

/** File names `batch` picks up in a directory: the extensions of every registered format. */
const isImageFile = (name: string): boolean => IMAGE_EXTENSIONS.has(extname(name).toLowerCase());

class UsageError extends Error {}

function parseFlags(args: string[]): { positional: string[]; flags: Map<string, string> } {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    const value = eq > 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    flags.set(name, value);
  }
  return { positional, flags };
}

function intFlag(flags: Map<string, string>, name: string): number | undefined {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} wants a whole number, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** `--name A,B,C` as numbers (fractions like 1/255 allowed). */
function numberList(flags: Map<string, string>, name: string): number[] | undefined {
  const v = flags.get(name);
  if (v === undefined) return undefined;
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

async function batch(args: string[]): Promise<void> {
  const { positional, flags } = parseFlags(args);
  const [dir] = positional;
  const out = flags.get('out');
  if (positional.length !== 1 || dir === undefined || out === undefined) throw new UsageError('batch needs one DIR and --out X.npy');
  for (const name of flags.keys()) {
    if (!BATCH_FLAGS.includes(name)) throw new UsageError(`unknown option --${name}`);
  }
  const options: BatchOptions = {};
  const mode = flags.get('mode');
  if (mode !== undefined) {
    if (!isMode(mode)) throw new UsageError(`--mode: ${JSON.stringify(mode)} is not a mode (1, L, P, RGB, RGBA, I;16, F...)`);
    options.mode = mode;
  }
  const size = flags.get('size');
  if (size !== undefined) {
    const m = /^(\d+)x(\d+)$/.exec(size);
    if (m === null) throw new UsageError(`--size wants WIDTHxHEIGHT, got ${JSON.stringify(size)}`);
    options.size = [Number(m[1]), Number(m[2])];
  }
  const resize = flags.get('resize');
  const resample = flags.get('resample');
  if (resize !== undefined) {
    const m = /^(\d+)x(\d+)$/.exec(resize);
    if (m === null) throw new UsageError(`--resize wants WIDTHxHEIGHT, got ${JSON.stringify(resize)}`);
    const spec: ResizeSpec = { size: [Number(m[1]), Number(m[2])] };
    if (resample !== undefined) spec.resample = resample as ResampleName;
    options.resize = spec;
  } else if (resample !== undefined) throw new UsageError('--resample needs --resize');
  const crop = numberList(flags, 'crop');
  if (crop !== undefined) {
    if (crop.length !== 4) throw new UsageError(`--crop wants X0,Y0,X1,Y1, got ${JSON.stringify(flags.get('crop'))}`);
    options.crop = crop as [number, number, number, number];
  }
  const order = flags.get('order');
  if (order !== undefined) options.order = order;
  const layout = flags.get('layout');
  if (layout !== undefined) {
    if (layout !== 'HWC' && layout !== 'CHW') throw new UsageError(`--layout wants HWC or CHW, got ${JSON.stringify(layout)}`);
    options.layout = layout;
  }
  const dtype = flags.get('dtype');
  if (dtype !== undefined) {
    if (!Object.hasOwn(OUT_DTYPES, dtype)) throw new UsageError(`--dtype wants one of ${Object.keys(OUT_DTYPES).join(', ')}, got ${JSON.stringify(dtype)}`);
    options.dtype = dtype as OutDType;
  }
  const scale = numberList(flags, 'scale');
  if (scale !== undefined) {
    if (scale.length !== 1) throw new UsageError('--scale wants one number');
    options.scale = scale[0];
  }
  const mean = numberList(flags, 'mean');
  if (mean !== undefined) options.mean = mean;
  const std = numberList(flags, 'std');
  if (std !== undefined) options.std = std;
  const workers = intFlag(flags, 'workers');
  if (workers !== undefined) options.workers = workers;
  const concurrency = intFlag(flags, 'concurrency');
  if (concurrency !== undefined) options.concurrency = concurrency;

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

async function info(file: string): Promise<void> {
  const t0 = performance.now();
  const img = await open(file);
  const t1 = performance.now();
  await img.load();
  const t2 = performance.now();
  const a = toArray(img, { copy: false });
  const s = stats(a.data);
  const spec = MODES[img.mode];
  const lines = [
    file,
    `  format ${img.format ?? '-'}  mode ${img.mode}  size ${img.width}x${img.height}${img.nFrames > 1 ? `  frames ${img.nFrames}` : ''}`,
    `  array  shape [${a.shape.join(', ')}]  ${a.data.constructor.name} (${a.dtype}, numpy ${spec.typestr})`,
    `  values min ${s.min}  max ${s.max}  mean ${s.mean.toFixed(4)}`,
    `  time   open ${(t1 - t0).toFixed(2)} ms  decode ${(t2 - t1).toFixed(2)} ms`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

function report(where: string, e: unknown): void {
  if (e instanceof ImarrayError) process.stderr.write(`${where}: ${e.name} [${e.code}]: ${e.message}\n`);
  else if (e instanceof Error) process.stderr.write(`${where}: ${e.message}\n`);
  else process.stderr.write(`${where}: ${String(e)}\n`);
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...files] = argv;
  if (cmd === '-h' || cmd === '--help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (cmd === 'batch') {
    try {
      await batch(files);
      return 0;
    } catch (e) {
      if (e instanceof UsageError) {
        process.stderr.write(`imarray batch: ${e.message}\n${USAGE}\n`);
        return 2;
      }
      report('imarray batch', e);
      return 1;
    }
  }
  if (cmd !== 'info' || files.length === 0) {
    process.stderr.write(USAGE + '\n');
    return 2;
  }
  let status = 0;
  for (const file of files) {
    try {
      await info(file);
    } catch (e) {
      status = 1;
      report(file, e);
    }
  }
  return status;
}

process.exitCode = await main(process.argv.slice(2));
