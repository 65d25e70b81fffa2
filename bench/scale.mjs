// Distributed batches (src/distributed): N JPEG files of 640x480 into one [N, 224, 224, 3] Zarr
// array (mode RGB, resize 224x224), chunks of 64 images, against imreadBatch of the same files in
// one process:
//   imreadBatch            one process, the whole batch in memory (the baseline)
//   writeZarrBatch         one process, chunk by chunk into the Zarr array: the chunk-write cost
//   queue, W workers       imarray worker processes on BullMQ + a local redis-server, the batch
//                          enqueued and awaited here: the queue's cost, and the scaling with W
// Reported: images/s (median of rounds) and the ratio to imreadBatch. Target: at most 10% of
// imreadBatch's throughput lost to the queue and the store at the same core count.
// Env: IMARRAY_SCALE_WORKERS (default 1,2,4: worker processes per run), IMARRAY_SCALE_N (default
// 1024 images), IMARRAY_SCALE_QUEUE (a redis:// URL to use instead of starting redis-server; then
// workers on other machines may join: start them with imarray worker --queue URL --name bench-scale-W).
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { imreadBatch, writeZarrBatch, enqueueBatch } from '../dist/index.js';
import { table, ms, report, photoLike, OUT } from './lib.mjs';

const N = Number(process.env.IMARRAY_SCALE_N ?? 1024);
const WORKERS = (process.env.IMARRAY_SCALE_WORKERS ?? '1,2,4').split(',').map(Number);
const W = 640, H = 480, CHUNK = 64, ROUNDS = 5;
const OPTIONS = { mode: 'RGB', resize: { size: [224, 224] } };
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

async function makeFiles() {
  const dir = `${OUT}scale-jpg/`;
  mkdirSync(dir, { recursive: true });
  const base = photoLike(W, H, 3);
  const files = [];
  for (let i = 0; i < N; i++) {
    const f = `${dir}${String(i).padStart(5, '0')}.jpg`;
    files.push(f);
    if (existsSync(f)) continue;
    const px = base.map((v, k) => (v + i * 7 + (k % 5)) & 255);
    writeFileSync(f, await sharp(px, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
  }
  return files;
}

const freePort = () => new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

async function startRedis() {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  const port = await freePort();
  const dir = join(tmpdir(), `imarray-bench-redis-${port}`);
  mkdirSync(dir, { recursive: true });
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    try {
      execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: 'ignore' });
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  return { url: `redis://127.0.0.1:${port}/0`, stop: () => { proc.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }); } };
}

/** `count` worker processes on `name`, resolved when each says it takes chunks; their summed chunk write ms. */
async function startWorkers(url, name, count) {
  const procs = [];
  const writes = [];
  await Promise.all(Array.from({ length: count }, () => new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, 'worker', '--queue', url, '--name', name], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(p);
    p.stdout.on('data', (d) => { for (const m of d.toString().matchAll(/write (\d+) ms/g)) writes.push(Number(m[1])); });
    p.stderr.on('data', (d) => { if (/taking chunks/.test(d.toString())) resolve(); });
  })));
  return { writes, stop: () => Promise.all(procs.map((p) => new Promise((r) => { p.once('exit', r); p.kill('SIGTERM'); }))) };
}

const threadsPer = (count) => Math.max(1, Math.floor(availableParallelism() / count));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function run() {
  const files = await makeFiles();
  const ips = (t) => (N / t) * 1000;
  const rows = [];
  // imreadBatch in one process: the baseline
  await imreadBatch(files.slice(0, 64), OPTIONS);
  const base = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    await imreadBatch(files, OPTIONS);
    base.push(performance.now() - t0);
  }
  const tb = median(base);
  rows.push(['imreadBatch, 1 process (baseline)', ms(tb), ips(tb).toFixed(0), '1.00x', '-']);
  // writeZarrBatch in one process: chunking and chunk writes
  const local = [];
  let writeMs = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const out = join(tmpdir(), `imarray-bench-scale-${r}.zarr`);
    rmSync(out, { recursive: true, force: true });
    const t0 = performance.now();
    await writeZarrBatch(files, { ...OPTIONS, out, chunk: CHUNK });
    local.push(performance.now() - t0);
    rmSync(out, { recursive: true, force: true });
  }
  // the writes alone: every chunk file of one run written again from memory
  {
    const out = join(tmpdir(), 'imarray-bench-scale-w.zarr');
    rmSync(out, { recursive: true, force: true });
    const { writeChunk } = await import('../dist/distributed/zarr.js');
    mkdirSync(out);
    const chunk = new Uint8Array(CHUNK * 224 * 224 * 3);
    const t0 = performance.now();
    for (let c = 0; c < Math.ceil(N / CHUNK); c++) await writeChunk(out, c, 4, chunk, 0);
    writeMs = performance.now() - t0;
    rmSync(out, { recursive: true, force: true });
  }
  const tl = median(local);
  rows.push([`writeZarrBatch, 1 process, chunks of ${CHUNK}`, ms(tl), ips(tl).toFixed(0), (ips(tl) / ips(tb)).toFixed(2) + 'x', `chunk writes ${ms(writeMs)} ms (${((writeMs / tl) * 100).toFixed(1)}%)`]);
  const redis = process.env.IMARRAY_SCALE_QUEUE ? { url: process.env.IMARRAY_SCALE_QUEUE, stop: () => undefined } : await startRedis();
  if (redis === null) {
    rows.push(['queue', '-', '-', '-', 'skipped: no redis-server (apt install redis-server)']);
  } else {
    try {
      for (const count of WORKERS) {
        const name = `bench-scale-${count}`;
        const workers = await startWorkers(redis.url, name, count);
        const times = [];
        let enqueueMs = 0;
        // round -1 warms the fresh worker processes up (threads started, code compiled), untimed
        for (let r = -1; r < ROUNDS; r++) {
          const out = join(tmpdir(), `imarray-bench-scale-q${count}-${r}.zarr`);
          rmSync(out, { recursive: true, force: true });
          const t0 = performance.now();
          // W processes on this machine share its cores: each chunk's imreadBatch gets cores / W threads
          const b = await enqueueBatch(files, { ...OPTIONS, ...(count > 1 ? { workers: threadsPer(count) } : {}), out, chunk: CHUNK, queue: redis.url, name });
          enqueueMs = performance.now() - t0;
          await b.wait({ pollMs: 20 });
          if (r >= 0) times.push(performance.now() - t0);
          await b.close();
          rmSync(out, { recursive: true, force: true });
        }
        await workers.stop();
        const tq = median(times);
        rows.push([`queue, ${count} worker process${count > 1 ? `es (${threadsPer(count)} decoding thread${threadsPer(count) > 1 ? 's' : ''} each)` : ''}`, ms(tq), ips(tq).toFixed(0), (ips(tq) / ips(tb)).toFixed(2) + 'x', `plan + enqueue ${ms(enqueueMs)} ms; vs writeZarrBatch ${(((tq - tl) / tl) * 100).toFixed(1)}%`]);
      }
    } finally {
      redis.stop();
    }
  }
  report(
    `Distributed batch: ${N} JPEG ${W}x${H} -> Zarr [${N}, 224, 224, 3] (mode RGB, resize 224x224), chunks of ${CHUNK}, ${availableParallelism()} cores (median of ${ROUNDS})`,
    table(['path', 'ms', 'images/s', 'vs imreadBatch', 'overheads'], rows) +
      `\n\nTarget: at most 10% of imreadBatch's throughput lost to the queue and the store at the same core count (W worker processes share this machine's ${availableParallelism()} cores: each chunk's imreadBatch then gets cores / W decoding threads).`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
