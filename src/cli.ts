#!/usr/bin/env node
/**
 * imarray command line.
 *   imarray info FILE...   format, mode, size, array shape and type, min/max/mean, decode time
 * Bad files print the typed error (name, code, message) and the exit status is 1; no stack.
 */
import { performance } from 'node:perf_hooks';
import { open } from './open.js';
import { toArray } from './ndarray/to-array.js';
import { ImarrayError } from './errors.js';
import { MODES } from './modes.js';

const USAGE = 'usage: imarray info FILE...';

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

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...files] = argv;
  if (cmd === '-h' || cmd === '--help') {
    process.stdout.write(USAGE + '\n');
    return 0;
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
      if (e instanceof ImarrayError) process.stderr.write(`${file}: ${e.name} [${e.code}]: ${e.message}\n`);
      else if (e instanceof Error) process.stderr.write(`${file}: ${e.message}\n`);
      else process.stderr.write(`${file}: ${String(e)}\n`);
    }
  }
  return status;
}

process.exitCode = await main(process.argv.slice(2));
