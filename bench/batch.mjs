// Batches: 48 files of 640x480 (photo-like), JPEG q90 and PNG RGB, into one [N, H, W, 3] array.
//   one at a time      for each file: imread (open + load + array), then copy it into the batch
//   batch, main thread imreadBatch(files, { workers: 0 }): 6 decodes in flight, native threads only
//   batch, workers     imreadBatch(files) default: worker threads over a SharedArrayBuffer
// Reported: images/s (median of rounds) and the ratio to one at a time. Target (issue #5): >= 1.7x
// on 2 cores.
import { mkdirSync, existsSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import sharp from 'sharp';
import { imread, imreadBatch } from '../dist/index.js';
import { race, table, ms, report, photoLike, OUT } from './lib.mjs';

const N = 48, W = 640, H = 480;

async function makeFiles(ext) {
  const dir = `${OUT}batch-${ext}/`;
  mkdirSync(dir, { recursive: true });
  const files = [];
  for (let i = 0; i < N; i++) {
    const f = `${dir}${String(i).padStart(3, '0')}.${ext}`;
    files.push(f);
    if (existsSync(f)) continue;
    const px = photoLike(W, H, 3).map((v, k) => (v + i * 7 + (k % 5)) & 255); // each file different
    const s = sharp(px, { raw: { width: W, height: H, channels: 3 } });
    writeFileSync(f, await (ext === 'jpg' ? s.jpeg({ quality: 90 }) : s.png({ compressionLevel: 6 })).toBuffer());
  }
  return files;
}

async function oneAtATime(files) {
  const per = W * H * 3;
  const out = new Uint8Array(files.length * per);
  for (let i = 0; i < files.length; i++) out.set((await imread(files[i])).data, i * per);
  return out;
}

export async function run() {
  const rows = [];
  for (const ext of ['jpg', 'png']) {
    const files = await makeFiles(ext);
    const t = await race(
      {
        one: () => oneAtATime(files),
        main: () => imreadBatch(files, { workers: 0 }),
        workers: () => imreadBatch(files),
      },
      { rounds: 5 },
    );
    const ips = (k) => (N / t[k].median) * 1000;
    const row = (name, k) => [ext.toUpperCase(), name, ms(t[k].median), ips(k).toFixed(0), (ips(k) / ips('one')).toFixed(2) + 'x'];
    rows.push(row('one at a time (imread loop)', 'one'), row('imreadBatch, main thread', 'main'), row('imreadBatch, worker threads', 'workers'));
  }
  report(
    `Batches: ${N} files of ${W}x${H} RGB into one [${N}, ${H}, ${W}, 3] array, ${availableParallelism()} cores (median of 5)`,
    table(['format', 'path', 'ms per batch', 'images/s', 'vs one at a time'], rows),
  );
}
