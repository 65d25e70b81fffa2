// Child process: peak memory of one decode, sampling process.memoryUsage() every millisecond
// (the PNG decoder yields between inflate chunks, so the timer runs during the decode).
import { useImplementation } from '../dist/kernels/choose.js';
import { readFileSync, createReadStream } from 'node:fs';
import sharp from 'sharp';
import { PNG } from 'pngjs';
import { imread, open } from '../dist/index.js';
import { inflateThreadReady } from '../dist/codecs/png/inflate-thread.js';

const [file, decoder] = process.argv.slice(2);
sharp.cache(false);
// 'imarray' is a process that has decoded a large PNG before: its inflate thread is up. What
// the thread itself costs (once per process) is measured here, outside the decode's figures.
let helperRss = 0;
if (decoder === 'imarray') {
  globalThis.gc();
  const before = process.memoryUsage().rss;
  await inflateThreadReady();
  await new Promise((r) => setTimeout(r, 50));
  globalThis.gc();
  helperRss = process.memoryUsage().rss - before;
}
globalThis.gc();
await new Promise((r) => setTimeout(r, 50));
globalThis.gc();
const base = process.memoryUsage();
// `external` already includes `arrayBuffers` (Node docs): adding the two counted JS-allocated
// buffers twice (this bench did so until 2026-11-21).
const baseExt = base.external;
let peakRss = 0;
let peakExt = 0;
const sample = () => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss - base.rss);
  peakExt = Math.max(peakExt, m.external - baseExt);
};
const timer = setInterval(sample, 1);
let output = 0;
if (decoder === 'imarray') output = (await imread(file)).data.byteLength;
else if (decoder === 'imarray, one thread (block inflate)') {
  useImplementation('inflater', 'block');
  output = (await imread(file)).data.byteLength;
} else if (decoder === 'imarray, zlib stream (fallback)') {
  useImplementation('inflater', 'stream');
  output = (await imread(file)).data.byteLength;
} else if (decoder === 'imarray-stream') output = (await (await open(createReadStream(file))).load())._storage().byteLength;
else if (decoder === 'sharp') output = (await sharp(file).raw().toBuffer()).length;
else output = PNG.sync.read(readFileSync(file)).data.length;
sample();
clearInterval(timer);
process.stdout.write(JSON.stringify({ output, peakRss, peakExternal: peakExt, helperRss }));
