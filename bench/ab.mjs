// node --expose-gc bench/ab.mjs A_DIST [B_DIST]: the same operations through two builds of
// imarray in one process (e.g. a worktree of an earlier commit's dist/ against this one),
// interleaved call by call; prints median ms and the paired ratio B/A (median over passes of
// B's time / A's time in the same pass), plus an A/A control. B defaults to ./dist.
import { resolve } from 'node:path';
import sharp from 'sharp';
import { race, pairedRatio, table, ms, photoLike, machine } from './lib.mjs';

const [aDir, bDir = new URL('../dist', import.meta.url).pathname] = process.argv.slice(2);
if (aDir === undefined) throw new Error('usage: node --expose-gc bench/ab.mjs A_DIST [B_DIST]');
const A = await import(resolve(aDir, 'index.js'));
const A2 = await import(resolve(aDir, 'index.js') + '?control');
const B = await import(resolve(bDir, 'index.js'));

const rgb = (w, h) => sharp(photoLike(w, h, 3), { raw: { width: w, height: h, channels: 3 } });
const png512 = await rgb(512, 512).png().toBuffer();
const png2k = await rgb(2048, 2048).png().toBuffer();
const jpg1k = await rgb(1024, 1024).jpeg({ quality: 90 }).toBuffer();
const gray512 = await rgb(512, 512).toColourspace('b-w').png().toBuffer();

const cases = {
  'PNG 512^2 RGB imread': (m) => m.imread(png512),
  'PNG 2048^2 RGB imread': (m) => m.imread(png2k),
  'PNG 512^2 L imread': (m) => m.imread(gray512),
  'JPEG 1024^2 imread': (m) => m.imread(jpg1k),
  'PNG 512^2 imread BGR': (m) => m.imread(png512, { order: 'BGR' }),
  'PNG 512^2 convert L': async (m) => (await (await m.open(png512)).load()).convert('L'),
  'PNG 512^2 tobytes BGRA': async (m) => (await (await m.open(png512)).load()).tobytes('BGRA'),
  'PNG 512^2 toArray CHW f32': async (m) => m.toArray(await (await m.open(png512)).load(), { layout: 'CHW', dtype: 'float32', scale: 1 / 255 }),
};

console.log(`${machine()}\n${new Date().toISOString()}  A=${aDir}  B=${bDir}\n`);
const rows = [];
for (const [name, fn] of Object.entries(cases)) {
  const r = await race({ A: () => fn(A), B: () => fn(B), control: () => fn(A2) }, { rounds: 40, warmup: 5, interleave: 1 });
  rows.push([name, ms(r.A.median), ms(r.B.median), pairedRatio(r.B, r.A), pairedRatio(r.control, r.A)]);
}
console.log(table(['operation', 'A median ms', 'B median ms', 'B / A (paired)', 'A / A control'], rows));
