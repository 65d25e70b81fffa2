// Child process: peak memory of one decode, sampling process.memoryUsage() every millisecond
// (the PNG decoder yields between inflate chunks, so the timer runs during the decode).
import { readFileSync, createReadStream } from 'node:fs';
import sharp from 'sharp';
import { PNG } from 'pngjs';
import { imread, open } from '../dist/index.js';
import { preferInflater } from '../dist/codecs/png/inflate.js';

const [file, decoder] = process.argv.slice(2);
sharp.cache(false);
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
else if (decoder === 'imarray, zlib stream (fallback)') {
  preferInflater('stream');
  output = (await imread(file)).data.byteLength;
} else if (decoder === 'imarray-stream') output = (await (await open(createReadStream(file))).load())._storage().byteLength;
else if (decoder === 'sharp') output = (await sharp(file).raw().toBuffer()).length;
else output = PNG.sync.read(readFileSync(file)).data.length;
sample();
clearInterval(timer);
process.stdout.write(JSON.stringify({ output, peakRss, peakExternal: peakExt }));
