/**
 * The distributed batch on the real parts (npm run test:distributed): Debian's redis-server,
 * `imarray worker` processes, `imarray batch --queue` as the coordinator, and the result read by
 * Debian's python3-zarr. Every finished array must equal `imreadBatch` of the same files in one
 * process byte for byte (imreadBatch's arrays are held equal to Pillow's by the conformance suite),
 * through two workers sharing the work, a worker killed with SIGKILL mid-chunk, Redis stopped
 * and restarted mid-run, bad files, and a resume.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { QueueEvents } from 'bullmq';
import { imreadBatch, listSources, readZarr, toNpy } from '../../src/index.js';
import { chunkKey } from '../../src/distributed/zarr.js';
import { redisOptions } from '../../src/distributed/queue.js';
import { fixture } from '../helpers/fixtures.js';
import { cli, Redis, type Cli } from './redis.js';

const dir = mkdtempSync(join(tmpdir(), 'imarray-queue-'));
let redis: Redis;
const running: Cli[] = [];
let q = 0;
/** A queue of its own per test: no test sees another's jobs. */
const queueName = (): string => `t${q++}`;

beforeAll(async () => {
  redis = await Redis.start();
});
afterAll(async () => {
  for (const c of running) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  await redis.down();
  rmSync(dir, { recursive: true, force: true });
  rmSync(redis.dir, { recursive: true, force: true });
});

const PNGS = readdirSync(fixture('png/pngsuite')).filter((f) => /^[^x].*\.png$/.test(f) && f !== 'PngSuite.png').map((f) => resolve(fixture(`png/pngsuite/${f}`))).sort();
const bytesOf = (a: { data: ArrayBufferView }): Buffer => Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength);

function worker(name: string, ...extra: string[]): Cli {
  const w = cli('worker', '--queue', redis.url, '--name', name, '--lock-ms', '1500', ...extra);
  running.push(w);
  return w;
}

const chunksOf = (w: Cli): number[] => [...w.stdout().matchAll(/^chunk (\d+): /gm)].map((m) => Number(m[1]));

/** python3-zarr's array equals the .npy of `want`, and its attributes list `files`. */
function pythonAgrees(out: string, want: Parameters<typeof toNpy>[0], files: string[]): void {
  const npy = join(dir, `want-${q}.npy`);
  writeFileSync(npy, toNpy(want));
  const code = [
    'import sys, json, zarr, numpy as np',
    'z = zarr.open(sys.argv[1], mode="r")',
    'want = np.load(sys.argv[2])',
    'a = z[:]',
    'print(json.dumps({"equal": bool(a.shape == want.shape and a.dtype == want.dtype and np.array_equal(a, want)), "shape": list(a.shape), "dtype": str(a.dtype), "files": list(z.attrs["files"])}))',
  ].join('\n');
  const r = JSON.parse(execFileSync('/usr/bin/python3', ['-c', code, out, npy]).toString()) as { equal: boolean; shape: number[]; files: string[] };
  expect(r.shape).toEqual(want.shape);
  expect(r.equal).toBe(true);
  expect(r.files).toEqual(files);
}

describe('imarray batch --queue with imarray worker processes', () => {
  it('two workers fill the array; it equals imreadBatch, read by python3-zarr', async () => {
    const name = queueName();
    const a = worker(name);
    const b = worker(name);
    await Promise.all([a.until(/taking chunks/), b.until(/taking chunks/)]);
    const out = join(dir, 'two.zarr');
    const list = join(dir, 'two.txt');
    writeFileSync(list, PNGS.join('\n'));
    const batch = cli('batch', list, '-o', out, '--queue', redis.url, '--name', name, '--chunk', '8', '--mode', 'RGB', '--resize', '24x20');
    expect(await batch.exited, batch.stderr()).toBe(0);
    expect(batch.stderr()).toMatch(/20 chunks, 20 enqueued/);
    const opts = { mode: 'RGB', resize: { size: [24, 20] } } as const;
    const want = await imreadBatch(PNGS, opts);
    expect(Buffer.compare(bytesOf((await readZarr(out)).array), bytesOf(want))).toBe(0);
    pythonAgrees(out, want, PNGS);
    // every chunk was written once, by one of the two workers
    await new Promise((r) => setTimeout(r, 200));
    expect([...chunksOf(a), ...chunksOf(b)].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, c) => c));
    expect(chunksOf(a).length).toBeGreaterThan(0);
    expect(chunksOf(b).length).toBeGreaterThan(0);
    a.proc.kill('SIGTERM');
    b.proc.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
  });

  it('a worker killed (SIGKILL) mid-chunk loses nothing: another takes the chunk and the array is exact', async () => {
    // slow chunks: 40 images each, decoded one at a time on the main thread
    const big = join(dir, 'big');
    mkdirSync(big);
    const noise = Buffer.alloc(640 * 480 * 3);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
    await Promise.all(Array.from({ length: 120 }, (_, i) => sharp(noise, { raw: { width: 640, height: 480, channels: 3 } }).rotate(i % 4 * 90).png({ compressionLevel: 1 }).toFile(join(big, `img${String(i).padStart(3, '0')}.png`))));
    const files = await listSources(big);
    const name = queueName();
    const out = join(dir, 'killed.zarr');
    const options = ['--mode', 'RGB', '--resize', '320x240', '--resample', 'lanczos', '--workers', '0', '--concurrency', '1'];
    const events = new QueueEvents(name, { connection: redisOptions(redis.url) });
    await events.waitUntilReady();
    const victim = worker(name);
    await victim.until(/taking chunks/);
    const midChunk = new Promise<string>((res) => {
      events.on('progress', ({ jobId, data }) => {
        if (typeof data === 'number' && data >= 10 && data <= 50) res(jobId);
      });
    });
    const batch = cli('batch', big, '-o', out, '--queue', redis.url, '--name', name, '--chunk', '40', ...options);
    running.push(batch);
    const jobId = await midChunk;
    victim.proc.kill('SIGKILL');
    await victim.exited;
    const chunk = Number(jobId.split('-').pop());
    const heir = worker(name);
    expect(await batch.exited, batch.stderr()).toBe(0);
    await events.close();
    // the chunk the victim held was written by the heir, after the victim's lock ran out
    expect(chunksOf(victim)).not.toContain(chunk);
    expect(chunksOf(heir)).toContain(chunk);
    const want = await imreadBatch(files, { mode: 'RGB', resize: { size: [320, 240], resample: 'lanczos' } });
    expect(Buffer.compare(bytesOf((await readZarr(out)).array), bytesOf(want))).toBe(0);
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    pythonAgrees(out, want, files);
    heir.proc.kill('SIGTERM');
    await heir.exited;
  });

  it('Redis stopped and started again mid-run: workers and the batch wait, then finish; the array is exact', async () => {
    const name = queueName();
    const a = worker(name, '--concurrency', '1');
    const b = worker(name);
    await Promise.all([a.until(/taking chunks/), b.until(/taking chunks/)]);
    const out = join(dir, 'restart.zarr');
    const list = join(dir, 'restart.txt');
    writeFileSync(list, PNGS.join('\n'));
    const batch = cli('batch', list, '-o', out, '--queue', redis.url, '--name', name, '--chunk', '2', '--mode', 'L', '--resize', '32x32', '--workers', '0', '--concurrency', '1');
    running.push(batch);
    await a.until(/^chunk \d+:/m);
    await redis.down();
    await new Promise((r) => setTimeout(r, 1500));
    expect(a.proc.exitCode).toBe(null);
    expect(b.proc.exitCode).toBe(null);
    await redis.up();
    expect(await batch.exited, batch.stderr()).toBe(0);
    const want = await imreadBatch(PNGS, { mode: 'L', resize: { size: [32, 32] } });
    expect(Buffer.compare(bytesOf((await readZarr(out)).array), bytesOf(want))).toBe(0);
    pythonAgrees(out, want, PNGS);
    a.proc.kill('SIGTERM');
    b.proc.kill('SIGTERM');
    await Promise.all([a.exited, b.exited]);
  });

  it('bad files: the job fails with the typed error after its retries; --skip-bad records them; --resume enqueues only missing chunks', async () => {
    const name = queueName();
    const w = worker(name);
    await w.until(/taking chunks/);
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    const files = PNGS.slice(0, 24);
    const list = join(dir, 'bad.txt');
    const broken = join(bad, 'broken.png');
    writeFileSync(broken, 'not a png');
    writeFileSync(list, [...files, broken].join('\n'));
    const sorted = await listSources(list);
    const at = sorted.indexOf(broken);
    const opts = ['--mode', 'RGB', '--resize', '16x16', '--chunk', '5'];
    const failing = cli('batch', list, '-o', join(dir, 'fails.zarr'), '--queue', redis.url, '--name', name, '--retries', '1', ...opts);
    expect(await failing.exited).toBe(1);
    const chunk = Math.floor(at / 5);
    expect(failing.stderr()).toMatch(new RegExp(`chunk ${chunk} failed after its retries: UnidentifiedImageError \\[ERR_IMARRAY_UNIDENTIFIED\\]: .*broken\\.png`));
    expect(failing.stderr()).toMatch(/1 chunks failed; fix the files and run again with --resume/);
    await new Promise((r) => setTimeout(r, 200));
    expect(w.stderr()).toMatch(new RegExp(`chunk ${chunk} of .* failed \\(attempt 2\\)`));

    const out = join(dir, 'skips.zarr');
    const skipping = cli('batch', list, '-o', out, '--queue', redis.url, '--name', name, '--skip-bad', ...opts);
    expect(await skipping.exited, skipping.stderr()).toBe(0);
    const back = await readZarr(out);
    expect(back.skipped.map((s) => [s.index, s.path, s.code])).toEqual([[at, broken, 'ERR_IMARRAY_UNIDENTIFIED']]);
    const want = await imreadBatch(sorted, { mode: 'RGB', resize: { size: [16, 16] }, skipBad: true });
    expect(Buffer.compare(bytesOf(back.array), bytesOf(want))).toBe(0);

    // the first batch's array: the bad file fixed, --resume fills only the failed chunk
    writeFileSync(broken, execFileSync(process.execPath, ['-e', `process.stdout.write(require('fs').readFileSync(${JSON.stringify(files[0])}))`]));
    const resumed = cli('batch', list, '-o', join(dir, 'fails.zarr'), '--queue', redis.url, '--name', name, '--resume', ...opts);
    expect(await resumed.exited, resumed.stderr()).toBe(0);
    expect(resumed.stderr()).toMatch(/5 chunks, 1 enqueued/);
    const fixed = await imreadBatch(sorted, { mode: 'RGB', resize: { size: [16, 16] } });
    expect(Buffer.compare(bytesOf((await readZarr(join(dir, 'fails.zarr'))).array), bytesOf(fixed))).toBe(0);
    pythonAgrees(join(dir, 'fails.zarr'), fixed, sorted);
    expect(readdirSync(join(dir, 'fails.zarr')).filter((f) => f === chunkKey(chunk, 4))).toHaveLength(1);
    w.proc.kill('SIGTERM');
    await w.exited;
  });
});
