// Child process: the peak resident memory of one decode of one file, by the kernel's own
// high-water mark (VmHWM in /proc/self/status, reset by writing 5 to /proc/self/clear_refs just
// before the decode), so synchronous decodes are measured as well as those on the thread pool.
// Prints { output, peakMB } where peakMB is the peak above the resident size before the decode;
// the code is warmed up first on a small file of the same format (argv[4]).
import { readFileSync, writeFileSync } from 'node:fs';
import sharp from 'sharp';
import { imread } from '../dist/index.js';

const [file, decoder, warmup] = process.argv.slice(2);
sharp.cache(false);
const status = (key) => Number(/(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith(key)) ?? '0 kB')[1]) * 1024;
// load everything the decode needs first (modules, the native kernel, sharp's libvips, wasm)
// with a small file of the same format: a large one would leave its freed pages in the heap
if (decoder === 'imarray') await imread(warmup);
else await sharp(warmup).raw().toBuffer();
globalThis.gc();
await new Promise((r) => setTimeout(r, 50));
globalThis.gc();
const before = status('VmRSS:');
writeFileSync('/proc/self/clear_refs', '5');
let output = 0;
if (decoder === 'imarray') output = (await imread(file)).data.byteLength;
else output = (await sharp(file).raw().toBuffer()).length;
const peak = status('VmHWM:');
process.stdout.write(JSON.stringify({ output, peakMB: (peak - before) / 2 ** 20 }));
