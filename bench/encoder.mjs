// (a) The Uploadcare comparison on the raw-encoder path, RGB 512..8192:
//   join-then-copy     Pillow's tobytes(): 64 KB blocks of whole rows, join them, copy into the array
//   block-streaming    encodeInto(img, array, 'RGB'): written straight into the preallocated array
//                      (blocks where a conversion needs scratch; the storage's own layout: one copy)
//   Uploadcare loop    the article's fix: each encode(65536) block set into the array (no join)
//   memcpy             allocate + TypedArray.set of the same bytes (the floor)
// (b) Fused conversions vs two passes vs memcpy, RGB:
//   fused BGR          toArray(img, { order: 'BGR' }): the native kernel (src/kernels/swizzle.c,
//                      one pass from the image's bytes into the array) where `npm ci` built it
//   wasm BGR           the same call on the WebAssembly SIMD swizzle it falls back to (each block
//                      copied into the kernel's memory and out again), same process
//   scalar BGR         the JS kernel both replaced: 32-bit-word R<->B swap (pack.ts swapRB), same process
//   fused CHW float32  toArray(img, { layout: 'CHW', dtype: 'float32', scale: 1/255, mean, std })
//                      (WebAssembly table-lookup kernel, src/kernels/planes.wat)
//   JS CHW             the same call on the JavaScript kernel it replaced, same process
//   two passes         normalise into an HWC float32 array, then transpose into CHW (ndarray-ops)
// (c) Fused BGR in the decoder: imread(file, { order: 'BGR' }) vs imread(file) vs the two-pass
//   `toArray(loaded, { order: 'BGR' })`, RGB PNG and JPEG files. A decode ends in one copy of the
//   pixels into the output (PNG: each unfiltered row out of the kernel's memory); the fused BGR
//   permutes on that copy, so its cost beyond it is (fused - plain), shown in memcpys of the bytes.
import { useImplementation } from '../dist/kernels/choose.js';
import ndarray from 'ndarray';
import ops from 'ndarray-ops';
import { copyFileSync } from 'node:fs';
import { fromStorage, toArray, encoder, encodeInto, imread, open } from '../dist/index.js';
import { makePngs } from './png.mjs';
import { makeJpeg } from './jpeg.mjs';
import { swapRB } from '../dist/pixels/pack.js';
import { nativeKernel } from '../dist/kernels/native.js';
import { acquireSimdRows } from '../dist/codecs/png/unfilter-simd.js';
import { race, pairedRatio, table, ms, ratio, report, OUT } from './lib.mjs';
import { lineChart } from './plot.mjs';

function photoish(n) {
  const data = new Uint8Array(n * n * 3);
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = (i >> 7) + (s >>> 28);
  }
  return data;
}

function joinThenCopy(img) {
  const blocks = [...encoder(img, 'RGB').encode(65536)];
  const joined = Buffer.concat(blocks);
  const out = new Uint8Array(joined.length);
  out.set(joined);
  return out;
}

function streaming(img, bytes) {
  const out = new Uint8Array(bytes);
  encodeInto(img, out, 'RGB');
  return out;
}

/** The article's own loop: each 64 KB block the encoder yields is set into the array (no join, a copy per block). */
function uploadcareLoop(img, bytes) {
  const out = new Uint8Array(bytes);
  let offset = 0;
  for (const block of encoder(img, 'RGB').encode(65536)) {
    out.set(block, offset);
    offset += block.length;
  }
  return out;
}

const scalarSwap = swapRB(3);
function scalarBgr(data, pixels) {
  const out = new Uint8Array(data.length);
  scalarSwap(data, 0, out, 0, pixels);
  return out;
}

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

function twoPassChw(img) {
  const [w, h] = img.size;
  const src = toArray(img, { copy: false });
  const hwc = new Float32Array(w * h * 3);
  for (let i = 0, c = 0; i < hwc.length; i++, c = c === 2 ? 0 : c + 1) hwc[i] = (src.data[i] / 255 - MEAN[c]) / STD[c];
  const chw = ndarray(new Float32Array(w * h * 3), [3, h, w]);
  ops.assign(chw, ndarray(hwc, [h, w, 3]).transpose(2, 0, 1));
  return chw;
}

export async function run(sizes = [512, 1024, 2048, 4096, 8192]) {
  const native = nativeKernel();
  const bgrKernel = native === null ? 'wasm: no native build' : `native ${native.kernel}`;
  const rowsA = [];
  const rowsB = [];
  const rowsBgr = [];
  const series = { memcpy: [], 'block-streaming (encodeInto)': [], 'join-then-copy': [], 'fused BGR': [], 'fused CHW float32': [], 'two passes CHW float32': [] };
  for (const n of sizes) {
    const data = photoish(n);
    const img = fromStorage('RGB', [n, n], data);
    const k = Math.max(1, Math.round(2e7 / data.length));
    // Two races. The target's: streaming against memcpy (and against itself, A/A), contenders
    // that each allocate one array; "into": the same array reused (allocated once, before the
    // timings), the copy alone. Then the Uploadcare comparison: join-then-copy and the loop
    // leave 2-3 arrays' worth of garbage per call, collected before each call so that it lands
    // in no one's time (in one race with the others it did, 1.1-1.3x on memcpy's neighbours).
    const pre = new Uint8Array(data.length);
    const a = await race({
      memcpy: () => new Uint8Array(data.length).set(data),
      memcpyAgain: () => new Uint8Array(data.length).set(data), // A/A control: the run's noise floor
      stream: () => streaming(img, data.length),
      memcpyInto: () => pre.set(data),
      streamInto: () => encodeInto(img, pre, 'RGB'),
    }, { rounds: 15, gc: false, interleave: k });
    const u = await race({
      stream: () => streaming(img, data.length),
      join: () => joinThenCopy(img),
      loop: () => uploadcareLoop(img, data.length),
    }, { rounds: n >= 4096 ? 9 : 15, gc: true, interleave: Math.min(k, 5) });
    const m = Object.fromEntries(Object.entries(a).map(([key, v]) => [key, v.median]));
    m.join = u.join.median;
    m.loop = u.loop.median;
    m.streamGc = u.stream.median;
    rowsA.push([`${n}x${n}`, (data.length / 2 ** 20).toFixed(0), ms(m.memcpy), ms(m.stream), ms(m.join), ms(m.loop),
      ratio(m.stream, m.memcpy), pairedRatio(a.stream, a.memcpy), ratio(a.stream.best, a.memcpy.best), pairedRatio(a.memcpyAgain, a.memcpy),
      ratio(m.join, m.streamGc), ratio(m.loop, m.streamGc),
      ms(m.memcpyInto), ms(m.streamInto), ratio(m.streamInto, m.memcpyInto)]);
    series.memcpy.push([n, m.memcpy]);
    series['block-streaming (encodeInto)'].push([n, m.stream]);
    series['join-then-copy'].push([n, m.join]);

    // BGR alone: contenders take turns call by call (race's `interleave`), medians of single
    // calls, ~20 MB of output per contender per round; `best` shows the kernels without a noisy
    // neighbour.
    // "into out": the same with a reused destination (`toArray(img, { order, out })` vs
    // `out.set(data)`), which leaves out the allocator and page faults: the kernel itself.
    const kg = Math.max(1, Math.round(2e7 / data.length));
    const warm = new Uint8Array(data.length);
    const g = await race({
      memcpy: () => new Uint8Array(data.length).set(data),
      memcpyAgain: () => new Uint8Array(data.length).set(data), // A/A control
      memcpyWarm: () => warm.set(data),
      bgrWarm: () => toArray(img, { order: 'BGR', out: warm }),
      bgr: () => toArray(img, { order: 'BGR' }),
      bgrWasm: () => {
        useImplementation('swizzle', 'wasm');
        try {
          return toArray(img, { order: 'BGR' });
        } finally {
          useImplementation('swizzle', 'native');
        }
      },
      bgrScalar: () => scalarBgr(data, n * n),
    }, { rounds: n >= 8192 ? 9 : n >= 4096 ? 15 : 21, gc: false, interleave: kg });
    const gm = Object.fromEntries(Object.entries(g).map(([key, v]) => [key, v.median]));
    rowsBgr.push([`${n}x${n}`, ms(gm.memcpy), ms(gm.bgr), ms(gm.bgrWasm), ms(gm.bgrScalar),
      ratio(gm.bgr, gm.memcpy), pairedRatio(g.bgr, g.memcpy), ratio(g.bgr.best, g.memcpy.best), pairedRatio(g.memcpyAgain, g.memcpy), ms(gm.memcpyWarm), ms(gm.bgrWarm), ratio(gm.bgrWarm, gm.memcpyWarm),
      ratio(gm.bgrWasm, gm.memcpy), ratio(gm.bgrScalar, gm.bgr)]);

    // A GC before each batch: at 8192^2 a call leaves 0.8 (fused) to 1.6 GB (two passes) of
    // garbage, which without it is collected inside whichever contender runs next.
    const kb = Math.max(1, Math.round(5e6 / data.length));
    const b = await race({
      memcpy: () => new Uint8Array(data.length).set(data),
      chw: () => toArray(img, { layout: 'CHW', dtype: 'float32', scale: 1 / 255, mean: MEAN, std: STD }),
      chwJs: () => {
        useImplementation('planes', 'js');
        try {
          return toArray(img, { layout: 'CHW', dtype: 'float32', scale: 1 / 255, mean: MEAN, std: STD });
        } finally {
          useImplementation('planes', 'wasm');
        }
      },
      twoPass: () => twoPassChw(img),
    }, { rounds: n >= 4096 ? 7 : 11, gc: true, inner: { memcpy: kb, chw: kb, chwJs: kb, twoPass: kb } });
    const mb = Object.fromEntries(Object.entries(b).map(([key, v]) => [key, v.median]));
    rowsB.push([`${n}x${n}`, ms(mb.memcpy), ms(mb.chw), ms(mb.chwJs), ms(mb.twoPass),
      ratio(mb.chw, mb.memcpy), ratio(mb.chwJs, mb.chw), ratio(mb.twoPass, mb.chw)]);
    series['fused BGR'].push([n, gm.bgr]);
    series['fused CHW float32'].push([n, mb.chw]);
    series['two passes CHW float32'].push([n, mb.twoPass]);
  }
  report('Encoder path: Uploadcare comparison, RGB image -> preallocated array, median ms',
    table(['size', 'MiB', 'memcpy (alloc+set)', 'block-streaming (encodeInto)', 'join-then-copy', 'Uploadcare loop', 'streaming / memcpy',
      'paired', 'best of each', 'A/A paired: memcpy / memcpy', 'join / streaming', 'loop / streaming', 'memcpy into array', 'encodeInto array', 'encodeInto / memcpy into array'], rowsA) +
    '\n\nTarget: block-streaming <= 1.1x memcpy of the same bytes. block-streaming = allocate the array, `encodeInto(img, array, \'RGB\')`: ' +
    'a raw mode that is the storage\'s own layout is written as one copy, with no encoder planned (blocks bound the scratch of a ' +
    'conversion, which a plain copy has none of; other raw modes run in 256 KB blocks). join-then-copy = Pillow\'s `tobytes()` then a copy into the array; ' +
    'Uploadcare loop = the article\'s fix on this encoder: each `encode(65536)` block set into the array (no join, a copy per block); ' +
    'these two are timed in a second race with block-streaming, a full GC before every call (their garbage is 2-3 arrays a call), ' +
    'and their ratios are to block-streaming in that race. ' +
    '"into array": the same array reused (no allocation or page faults in either). Contenders take turns call by call; ' +
    'medians of single calls. paired = the median over passes of the two contenders\' times in the same pass (moments ' +
    'apart); best of each = fastest call / fastest call. A/A = the memcpy contender entered twice under two names: how far ' +
    'apart two identical contenders come out in this run (allocator state, page faults, collections, neighbours on the host).');
  report('Fused BGR: toArray(img, { order: \'BGR\' }) of an RGB image in memory, median ms (memcpy = alloc + set of the RGB bytes)',
    table(['size', 'memcpy', `fused BGR (${bgrKernel})`, 'wasm BGR', 'scalar BGR', 'BGR / memcpy', 'paired', 'best of each', 'A/A paired: memcpy / memcpy',
      'memcpy into out', 'BGR into out', 'BGR / memcpy into out', 'wasm BGR / memcpy', 'scalar / fused BGR'], rowsBgr) +
    '\n\nTarget: fused BGR <= 1.2x memcpy. wasm BGR = the same call with the native kernel switched off (its fallback: ' +
    'each block staged through WebAssembly memory); scalar = the JS 32-bit-word swap both replaced. "into out": a reused ' +
    'destination (`toArray(img, { order: \'BGR\', out })` vs `out.set(data)`), no allocation or page faults in either. ' +
    'Outputs of 32 MiB and more are prefaulted in one madvise call before the permute (src/kernels/native.ts `prefaultFresh`). ' +
    'Contenders take turns call by call; medians of single calls; A/A as in the table above.');
  report('Fused CHW float32, RGB, median ms (memcpy = alloc + set of the RGB bytes)',
    table(['size', 'memcpy', 'fused CHW f32 (wasm)', 'JS CHW f32 (before)', 'two passes CHW f32', 'CHW / memcpy', 'JS / wasm CHW', 'two passes / fused CHW'], rowsB) +
    '\n\nTarget: fused CHW float32 >= 2x faster than two passes.\n\nPlot: bench/encoder.svg');
  await decoderBgr();
  lineChart(OUT + 'encoder.svg', { title: 'RGB image -> array (median ms, log-log)', xLabel: 'image side (px)', yLabel: 'ms', series });
  copyFileSync(OUT + 'encoder.svg', new URL('./encoder.svg', import.meta.url));
}

/** The decoder's last step alone: n rows of 3n bytes copied out of the unfilter kernel's memory, plain or permuted. */
function rowCopies(n) {
  const len = n * 3;
  const rows = acquireSimdRows(len);
  rows.setOrder(3, [2, 1, 0]);
  rows.mem.set(photoish(n).subarray(0, len), rows.raw);
  const o = rows.unfilter(0, len, 3, () => 'bench row'); // as the decoder: the row just written, hot in cache
  return {
    plain: () => {
      const out = new Uint8Array(n * len);
      for (let y = 0; y < n; y++) out.set(rows.mem.subarray(o, o + len), y * len);
      return out;
    },
    bgr: () => {
      const out = new Uint8Array(n * len);
      for (let y = 0; y < n; y++) {
        const from = rows.permute(o, len);
        out.set(rows.mem.subarray(from, from + len), y * len);
      }
      return out;
    },
  };
}

export async function decoderBgr(sizes = [1024, 4096]) {
  const rows = [];
  const copies = [];
  for (const n of sizes) {
    const files = [['PNG (libpng adaptive)', (await makePngs(n))['rgb-libpng-adaptive']], ['JPEG q90 (sharp)', await makeJpeg(n)]];
    for (const [kind, file] of files) {
      const r = await race({
        plain: () => imread(file),
        fused: () => imread(file, { order: 'BGR' }),
        twoPass: async () => toArray(await (await open(file)).load(), { order: 'BGR' }),
      }, { rounds: n >= 4096 ? 9 : 21, gc: false });
      const m = Object.fromEntries(Object.entries(r).map(([key, v]) => [key, v.median]));
      rows.push([`${n}x${n}`, kind, ms(m.plain), ms(m.fused), ms(m.twoPass), ratio(m.fused, m.plain), ratio(m.twoPass, m.fused)]);
    }
  }
  for (const n of [512, 1024, 2048, 4096]) {
    const data = photoish(n);
    const { plain, bgr } = rowCopies(n);
    const k = Math.max(1, Math.round(2e7 / data.length));
    const r = await race({ memcpy: () => new Uint8Array(data.length).set(data), plain, bgr }, { rounds: 15, gc: false, inner: { memcpy: k, plain: k, bgr: k } });
    const m = Object.fromEntries(Object.entries(r).map(([key, v]) => [key, v.median]));
    copies.push([`${n}x${n}`, ms(m.memcpy), ms(m.plain), ms(m.bgr), ratio(m.bgr, m.plain), ratio(m.bgr, m.memcpy)]);
  }
  report("Fused BGR in the decoder: imread(file, { order: 'BGR' }), RGB files, median ms",
    table(['size', 'file', 'imread', "imread order 'BGR'", 'imread + toArray BGR', 'fused / plain', 'two passes / fused'], rows) +
    '\n\nThe two-pass path also holds two full arrays at its peak; the fused one holds one. ' +
    'The PNG decoder\'s last step alone (rows copied out of the unfilter kernel\'s memory into a new array, as in the decoder; ' +
    'memcpy = alloc + set of the same bytes from an array in memory):\n\n' +
    table(['size', 'memcpy', 'row copies', 'row copies, BGR', 'BGR / plain rows', 'BGR rows / memcpy'], copies));
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
