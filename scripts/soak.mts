/** `npm run soak [-- N]`: the memory-soak curve (test/reliability/soak.ts) as a table. */
import { soak, slopePer10k } from '../test/reliability/soak.js';

const total = Number(process.argv[2] ?? '10000');
const t0 = Date.now();
const samples = await soak(total, Math.max(1, Math.round(total / 20)));
console.log(`| decodes | RSS MB | external MB | arrayBuffers MB | heap MB |\n| --- | --- | --- | --- | --- |`);
for (const s of samples) console.log(`| ${String(s.decodes)} | ${String(s.rssMB)} | ${String(s.externalMB)} | ${String(s.arrayBuffersMB)} | ${String(s.heapMB)} |`);
const steady = samples.filter((s) => s.decodes >= total / 5);
const f = (v: number): string => v.toFixed(2);
console.log(`\n${String(total)} decodes in ${((Date.now() - t0) / 1000).toFixed(1)} s on ${process.platform}-${process.arch}; slope after ${String(total / 5)} decodes, MB per 10,000: ` +
  `RSS ${f(slopePer10k(steady, (s) => s.rssMB))}, external ${f(slopePer10k(steady, (s) => s.externalMB))}, heap ${f(slopePer10k(steady, (s) => s.heapMB))}`);
