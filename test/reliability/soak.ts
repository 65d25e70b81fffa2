/**
 * Memory soak: many decodes of mixed fixtures in one process, RSS and external memory
 * sampled after a forced GC. Shared by test/soak.test.ts (asserts no growth) and
 * scripts/soak.mts (`npm run soak`, prints the curve).
 */
import { setImmediate as tick } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { open, toArray, ImarrayError, type Backend } from '../../src/index.js';
import { seeds, targetSpec, TARGETS } from './target.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export interface Sample { decodes: number; rssMB: number; externalMB: number; arrayBuffersMB: number; heapMB: number }

interface Job { name: string; bytes: Uint8Array; backend: Backend }

/** Every fixture of every registered format (the fuzz targets' seeds), once per back-end. */
export function soakJobs(): Job[] {
  return TARGETS.flatMap((t) => seeds(t).map((f) => ({ ...f, backend: targetSpec(t).backend })));
}

/** One decode: open, load every frame (up to 4), a copy, a fused conversion; typed errors count as done. */
async function decodeOnce(job: Job): Promise<void> {
  try {
    const img = await open(job.bytes, { backend: job.backend });
    for (let i = img.firstFrame; i < img.firstFrame + Math.min(img.nFrames, 4); i++) {
      if (i > img.firstFrame) await img.seek(i);
      await img.load();
      toArray(img);
      toArray(img, { dtype: 'float32', layout: 'CHW', scale: 1 / 255 });
    }
  } catch (e) {
    if (!(e instanceof ImarrayError)) throw e;
  }
}

async function sample(decodes: number): Promise<Sample> {
  // native memory freed by weak callbacks (zlib engines, Buffers) goes only after a GC *and* a
  // turn of the event loop; three rounds make the samples steady to 0.1 MB
  for (let i = 0; i < 3; i++) {
    gc();
    await tick();
  }
  const m = process.memoryUsage();
  const mb = (n: number): number => Math.round((n / 1048576) * 10) / 10;
  return { decodes, rssMB: mb(m.rss), externalMB: mb(m.external), arrayBuffersMB: mb(m.arrayBuffers), heapMB: mb(m.heapUsed) };
}

export async function soak(total: number, every: number): Promise<Sample[]> {
  const jobs = soakJobs();
  const samples = [await sample(0)];
  for (let n = 1; n <= total; n++) {
    await decodeOnce(jobs[(n * 7919) % jobs.length]); // a fixed stride through the mix
    if (n % every === 0) samples.push(await sample(n));
  }
  return samples;
}

/** Least-squares slope of `y` over `decodes`, in MB per 10,000 decodes. */
export function slopePer10k(samples: Sample[], y: (s: Sample) => number): number {
  const n = samples.length;
  const mx = samples.reduce((a, s) => a + s.decodes, 0) / n;
  const my = samples.reduce((a, s) => a + y(s), 0) / n;
  let num = 0;
  let den = 0;
  for (const s of samples) {
    num += (s.decodes - mx) * (y(s) - my);
    den += (s.decodes - mx) ** 2;
  }
  return (num / den) * 10000;
}
