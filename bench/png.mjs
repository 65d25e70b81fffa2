// PNG file -> array, 4096^2: imarray vs sharp raw vs @napi-rs/image vs pngjs vs Pillow, for
// RGB with several filter mixes and for grey; plus peak memory of one decode in a fresh process.
import { useImplementation } from '../dist/kernels/choose.js';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { Transformer } from '@napi-rs/image';
import { PNG } from 'pngjs';
import { imread } from '../dist/index.js';
import { inflateThreadReady } from '../dist/codecs/png/inflate-thread.js';
import { OUT, race, table, ms, ratio, report, photoLike, pillowPython, timePillow } from './lib.mjs';

/** A PNG whose every row uses `filter` (0 none .. 4 Paeth): a writer of our own for the bench. */
function encodeWithFilter(px, w, h, bands, filter) {
  const stride = w * bands;
  const raw = new Uint8Array((stride + 1) * h);
  for (let y = 0; y < h; y++) {
    const o = y * (stride + 1);
    raw[o] = filter;
    for (let x = 0; x < stride; x++) {
      const cur = px[y * stride + x];
      const a = x >= bands ? px[y * stride + x - bands] : 0;
      const b = y > 0 ? px[(y - 1) * stride + x] : 0;
      const c = x >= bands && y > 0 ? px[(y - 1) * stride + x - bands] : 0;
      let pred = 0;
      if (filter === 1) pred = a;
      else if (filter === 2) pred = b;
      else if (filter === 3) pred = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      raw[o + 1 + x] = (cur - pred) & 255;
    }
  }
  const chunk = (type, data) => {
    const b = Buffer.alloc(12 + data.length);
    b.writeUInt32BE(data.length, 0);
    b.write(type, 4, 'latin1');
    Buffer.from(data.buffer, data.byteOffset, data.length).copy(b, 8);
    b.writeUInt32BE(crc(b.subarray(4, 8 + data.length)), 8 + data.length);
    return b;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = bands === 1 ? 0 : bands === 3 ? 2 : 6;
  const z = deflateSync(raw, { level: 6 });
  const idats = [];
  for (let o = 0; o < z.length; o += 65536) idats.push(chunk('IDAT', z.subarray(o, o + 65536)));
  // eslint-disable-next-line no-restricted-syntax -- building a test file, not decoding
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10]), chunk('IHDR', ihdr), ...idats, chunk('IEND', new Uint8Array(0))]);
}
import { crc32 as crc } from 'node:zlib';

const FILTERS = ['none', 'sub', 'up', 'average', 'paeth'];

export async function makePngs(n = 4096) {
  const files = {};
  const rgb = photoLike(n, n, 3);
  const add = async (name, make) => {
    const f = `${OUT}${name}${n}.png`;
    if (!existsSync(f)) writeFileSync(f, await make());
    files[name] = f;
  };
  await add('rgb-libpng-adaptive', () => sharp(rgb, { raw: { width: n, height: n, channels: 3 } }).png({ adaptiveFiltering: true }).toBuffer());
  for (const f of [1, 2, 4]) await add(`rgb-${FILTERS[f]}`, () => encodeWithFilter(rgb, n, n, 3, f));
  const grey = new Uint8Array(n * n);
  for (let i = 0; i < grey.length; i++) grey[i] = rgb[i * 3 + 1];
  await add('grey-libpng-adaptive', () => sharp(grey, { raw: { width: n, height: n, channels: 1 } }).toColourspace('b-w').png({ adaptiveFiltering: true }).toBuffer());
  return files;
}

function peakMemory(file, decoder) {
  const script = fileURLToPath(new URL('./png-memory.mjs', import.meta.url));
  return JSON.parse(execFileSync(process.execPath, ['--expose-gc', script, file, decoder]).toString());
}

/** imread on a chosen inflater and unfilter, the defaults restored afterwards. */
async function imreadWith(file, inflater, unfilter = 'simd') {
  useImplementation('inflater', inflater);
  useImplementation('unfilter', unfilter);
  try {
    return await imread(file);
  } finally {
    useImplementation('inflater', 'auto');
    useImplementation('unfilter', 'simd');
  }
}

export async function run() {
  const py = pillowPython();
  const files = await makePngs();
  if (!(await inflateThreadReady())) throw new Error('the PNG inflate thread did not start');
  const rows = [];
  for (const [name, file] of Object.entries(files)) {
    const grey = name.startsWith('grey');
    const native = {
      imarray: () => imread(file),
      // the decoder without the inflate thread: still its path for a process's
      // first large PNG (while the thread starts) and for concurrent decodes: one thread
      'imarray, one thread (block inflate)': () => imreadWith(file, 'block'),
      // node:zlib's public stream instead of BlockInflater (still the fallback)
      'imarray, zlib stream (fallback)': () => imreadWith(file, 'stream'),
      // one thread and the JavaScript unfilter loops
      'imarray before (block inflate, JS unfilter)': () => imreadWith(file, 'block', 'js'),
      'sharp raw': () => (grey ? sharp(file).toColourspace('b-w') : sharp(file)).raw().toBuffer({ resolveWithObject: true }),
      '@napi-rs/image': () => new Transformer(readFileSync(file)).rawPixels(),
    };
    const t = { ...(await race(native, { rounds: 7, gc: false })), ...(await race({ pngjs: () => PNG.sync.read(readFileSync(file)) }, { rounds: 3, gc: false })) };
    if (py) t['Pillow 9.4'] = timePillow(py, file, 'a = np.asarray(Image.open(F))', 5);
    const base = t['sharp raw'].median;
    const napi = t['@napi-rs/image'].median;
    for (const [k, v] of Object.entries(t)) rows.push([name, k, ms(v.median), ms(v.best), ratio(v.median, base), ratio(v.median, napi)]);
  }
  report('PNG file -> array, 4096^2 (median of 7; pngjs 3)', table(['file', 'decoder', 'median ms', 'best ms', 'vs sharp', 'vs @napi-rs/image'], rows) +
    '\n\nTargets: <= 1.0x sharp, <= 1.2x @napi-rs/image, >= 3x faster than pngjs.');

  const mem = [];
  let helperRss = 0;
  for (const decoder of ['imarray', 'imarray, one thread (block inflate)', 'imarray-stream', 'imarray, zlib stream (fallback)', 'sharp', 'pngjs']) {
    const m = peakMemory(files['rgb-libpng-adaptive'], decoder);
    if (decoder === 'imarray') helperRss = m.helperRss;
    mem.push([decoder, (m.output / 2 ** 20).toFixed(1), (m.peakRss / 2 ** 20).toFixed(1), (m.peakExternal / 2 ** 20).toFixed(1), ((m.peakExternal - m.output) / 2 ** 20).toFixed(1)]);
  }
  report('Peak memory of one 4096^2 RGB PNG decode, fresh process (MiB above the idle baseline)',
    table(['decoder', 'output', 'peak RSS growth', 'peak external growth', 'external beyond output'], mem) +
    `\n\nTarget: no more than the output plus 2 MB. "imarray" runs with its inflate thread up (started before the baseline, as in a process that has decoded a large PNG before); starting that thread cost ${(helperRss / 2 ** 20).toFixed(1)} MiB of RSS once per process (its own JS heap), not counted above.` +
    '\nRSS also counts the JS heap and code pages touched; "external" counts buffers (ArrayBuffers included).\n"imarray-stream" reads the file through a Readable; "imarray, zlib stream (fallback)" is the decoder on the public node:zlib stream (inflate.ts StreamInflater).');
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
