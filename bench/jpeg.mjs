// (b) JPEG bytes in memory -> array: imarray (each back-end) against the direct libjpeg-turbo
// call (imarray's native decoder called bare: ISLOW, fancy upsampling, into a fresh array),
// sharp raw, jpeg-js and Pillow (np.asarray(Image.open(BytesIO(b)))). 640x480 (the typical data
// set image), 1024^2 and 4096^2 q90 4:2:0 photo-like files. Then imreadBatch of 512 640x480
// files: workers 0 against the default pool, and what a fresh process pays for a small batch.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import sharp from 'sharp';
import jpeg from 'jpeg-js';
import { imread, imreadBatch } from '../dist/index.js';
import { nativeJpeg } from '../dist/kernels/native.js';
import { OUT, race, table, ms, ratio, report, photoLike, pillowPython, timePillow } from './lib.mjs';

export async function makeJpeg(w, h = w) {
  const file = `${OUT}photo${w === h ? w : `${w}x${h}`}.jpg`;
  if (!existsSync(file)) {
    const buf = await sharp(photoLike(w, h), { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
    writeFileSync(file, buf);
  }
  return file;
}

const SIZES = [[640, 480], [1024, 1024], [4096, 4096]];

export async function run() {
  const py = pillowPython();
  const turbo = nativeJpeg();
  const rows = [];
  for (const [w, h] of SIZES) {
    const file = await makeJpeg(w, h);
    const bytes = new Uint8Array(readFileSync(file));
    const big = w * h >= 4096 * 4096;
    const rounds = big ? 9 : 15;
    const native = {
      'imarray (auto)': () => imread(bytes),
      "imarray backend:'sharp'": () => imread(bytes, { backend: 'sharp' }),
      'sharp raw': () => sharp(bytes).raw().toBuffer({ resolveWithObject: true }),
    };
    if (turbo !== null) {
      native['libjpeg-turbo direct (sync)'] = () => turbo.decodeSync(bytes, new Uint8Array(w * h * 3), 0, 1, 1, true);
      native['libjpeg-turbo direct (thread pool)'] = () => turbo.decode(bytes, new Uint8Array(w * h * 3), 0, 1, 1, true);
    }
    const pureJs = {
      "imarray backend:'js' (MozJPEG wasm)": () => imread(bytes, { backend: 'js' }),
      'jpeg-js': () => jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: 500, maxMemoryUsageInMB: 4096 }),
    };
    const t = {
      ...(await race(native, big ? { rounds: rounds * 2, gc: false } : { rounds, gc: false, interleave: 10 })),
      ...(await race(pureJs, { rounds: Math.ceil(rounds / 2), gc: false })),
    };
    if (py) {
      const p = timePillow(py, file, 'a = np.asarray(Image.open(io.BytesIO(B)))', big ? rounds : rounds * 10, 'import io; B = open(F, "rb").read()');
      t['Pillow 9.4 np.asarray(Image.open(BytesIO))'] = { best: p.best, median: p.median };
    }
    const base = t['libjpeg-turbo direct (sync)'] ?? t['sharp raw'];
    for (const [name, v] of Object.entries(t)) {
      rows.push([`${w}x${h}`, name, ms(v.median), ms(v.best), ratio(v.median, base.median), ratio(v.median, t['sharp raw'].median), py ? ratio(v.median, t['Pillow 9.4 np.asarray(Image.open(BytesIO))'].median) : '-']);
    }
  }
  report(
    'JPEG bytes -> array (q90 4:2:0 photo-like RGB)',
    table(['size', 'decoder', 'median ms', 'best ms', 'vs direct libjpeg-turbo', 'vs sharp raw', 'vs Pillow'], rows) +
      `\n\nlibjpeg-turbo ${turbo?.version ?? '(not built)'}. Targets: imarray at 640x480 <= 1.3x the direct call and <= 1.0x Pillow; at 4096^2 <= 1.0x sharp. ` +
      "Every imarray back-end here equals Pillow's pixels; jpeg-js does not.",
  );
  await runBatch();
}

/** imreadBatch of 512 640x480 files: one at a time (workers 0) against the pool, per worker count. */
async function runBatch() {
  const file = await makeJpeg(640, 480);
  const files = Array.from({ length: 512 }, () => file);
  const cores = availableParallelism();
  const rows = [];
  const time = async (workers, concurrency, list = files) => {
    const t0 = performance.now();
    await imreadBatch(list, { workers, concurrency });
    return performance.now() - t0;
  };
  const counts = [...new Set([1, 2, cores].filter((n) => n <= cores))];
  // warm the codec paths and start the threads once: a first batch pays the threads' start-up (below)
  await time(0, undefined, files.slice(0, 16));
  await time(Math.max(...counts), undefined, files.slice(0, 64));
  const best = async (workers, concurrency) => Math.min(await time(workers, concurrency), await time(workers, concurrency), await time(workers, concurrency));
  const base = await best(0, 1);
  const configs = [
    ['0 (this thread), one at a time', 0, 1],
    ['0 (this thread), default concurrency (native decodes on the libuv pool)', 0, undefined],
    ...counts.map((n) => [String(n), n, undefined]),
    ['default (no workers option)', undefined, undefined],
  ];
  for (const [label, workers, concurrency] of configs) {
    const dt = workers === 0 && concurrency === 1 ? base : await best(workers, concurrency);
    rows.push([label, ms(dt), String(Math.round((512 / dt) * 1000)), ratio(base, dt)]);
  }
  // a fresh process: 8 images with the default workers against workers 0 (start-up included)
  const fresh = (workers) => {
    const code = `const { imreadBatch } = await import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)});
const t0 = performance.now(); await imreadBatch(Array(8).fill(${JSON.stringify(file)})${workers === undefined ? '' : `, { workers: ${workers} }`}); console.log(performance.now() - t0);`;
    const script = `${OUT}batch-fresh.mjs`;
    writeFileSync(script, code);
    const runs = Array.from({ length: 5 }, () => Number(execFileSync(process.execPath, [script]).toString().trim()));
    return runs.sort((a, b) => a - b)[2];
  };
  const small0 = fresh(0);
  const smallDefault = fresh(undefined);
  report(
    'imreadBatch: 512 JPEGs of 640x480 into one [N, H, W, 3] array',
    table(['workers', 'ms', 'images/s', 'speed-up vs one at a time'], rows) +
      `\n\n${cores} cores. A fresh process decoding 8 such files (median of 5, start-up included): default workers ${ms(smallDefault)} ms, workers 0 ${ms(small0)} ms. ` +
      'Best of 3 batches each, after a warm-up batch. Target: >= 1.8x one at a time on 2 cores; a small batch never slower than workers 0.',
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
