// Shared bench helpers: timing, tables, machine line, test images.
import os from 'node:os';
import { mkdirSync, existsSync, writeFileSync, appendFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const OUT = fileURLToPath(new URL('./out/', import.meta.url));
mkdirSync(OUT, { recursive: true });

export function machine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  // scripts/arm64.sh sets IMARRAY_EMULATOR: emulated figures compare contenders, not machines
  const emulated = process.env.IMARRAY_EMULATOR ? ` (emulated: ${process.env.IMARRAY_EMULATOR} on ${os.cpus()[0]?.model ?? 'host'})` : '';
  return `node ${process.version} ${process.platform}-${process.arch}${emulated}, ${os.cpus().length} x ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`;
}

/**
 * Runs each fn `rounds` times, interleaved, starting each round at a different contender so
 * none always follows the same one. Returns { name: { best, median } } in ms per call.
 * `inner[name]` repeats a very short fn that many times per sample (timer resolution).
 * `gc: false` skips the full GC before each sample: for copy benchmarks, where a forced GC
 * unmaps freed memory and makes every next allocation fault in fresh pages.
 */
export async function race(fns, { rounds = 7, warmup = 1, inner = {}, gc = true, interleave = 0 } = {}) {
  const names = Object.keys(fns);
  const times = Object.fromEntries(names.map((k) => [k, []]));
  if (interleave > 0) return raceInterleaved(fns, names, times, rounds, warmup, interleave, gc);
  for (let r = 0; r < rounds + warmup; r++) {
    for (let j = 0; j < names.length; j++) {
      const name = names[(r + j) % names.length];
      const fn = fns[name];
      if (gc) globalThis.gc?.();
      const k = inner[name] ?? 1;
      const t0 = performance.now();
      for (let i = 0; i < k; i++) await fn();
      const dt = (performance.now() - t0) / k;
      if (r >= warmup) times[name].push(dt);
    }
  }
  return summary(times);
}

/**
 * `interleave: k`: each round calls every contender once in turn, k times over (in a new
 * shuffled order each time), timing each call on its own; best and median are over all those calls. For
 * short calls that allocate: contenders taking turns call by call meet the same allocator and
 * heap state (in separate batches, one batch's garbage and the pages malloc keeps or returns
 * shift the next batch's times), and a collection landing in one call moves its median by
 * one sample, not the mean of a batch. `gc` here: a full GC before every call.
 */
async function raceInterleaved(fns, names, times, rounds, warmup, k, gc) {
  let seed = 1;
  const order = [...names];
  for (let r = 0; r < rounds + warmup; r++) {
    for (let i = 0; i < k; i++) {
      // a new seeded shuffle each pass: every contender follows every other one as often
      // (a fixed cycle always puts the same one before it, and a call's time depends on
      // what the call before left in the allocator)
      for (let j = order.length - 1; j > 0; j--) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        const x = (seed >>> 16) % (j + 1);
        [order[j], order[x]] = [order[x], order[j]];
      }
      for (const name of order) {
        if (gc) globalThis.gc?.();
        const t0 = performance.now();
        await fns[name]();
        const dt = performance.now() - t0;
        if (r >= warmup) times[name].push(dt);
      }
    }
  }
  return summary(times);
}

/** best and median per contender; `samples` keeps the calls in the order they ran. */
function summary(times) {
  const out = {};
  for (const [k, v] of Object.entries(times)) {
    const sorted = [...v].sort((a, b) => a - b);
    out[k] = { best: sorted[0], median: sorted[sorted.length >> 1], samples: v };
  }
  return out;
}

/**
 * Median over passes of a's time / b's time in the same pass (`race` with `interleave`: the
 * two ran moments apart), so that a slow spell of the host slows both sides of a ratio
 * rather than whichever contender's calls it happened to fall on.
 */
export function pairedRatio(a, b) {
  const r = a.samples.map((t, i) => t / b.samples[i]).sort((x, y) => x - y);
  return (r[r.length >> 1]).toFixed(2) + 'x';
}

export function table(headers, rows) {
  const w = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => '| ' + cells.map((c, i) => String(c).padEnd(w[i])).join(' | ') + ' |';
  return [line(headers), '| ' + w.map((n) => '-'.repeat(n)).join(' | ') + ' |', ...rows.map(line)].join('\n');
}

export const ms = (x) => (x < 0.1 ? x.toFixed(4) : x < 10 ? x.toFixed(2) : x.toFixed(1));
export const ratio = (a, b) => (a / b).toFixed(2) + 'x';

export function report(title, text) {
  const block = `\n### ${title}\n\n${text}\n`;
  process.stdout.write(block);
  appendFileSync(OUT + 'results.md', block);
}

export function startReport(name) {
  writeFileSync(OUT + 'results.md', `# imarray bench: ${name}\n\n${machine()}\n${new Date().toISOString()}\n`);
  process.stdout.write(`${machine()}\n`);
}

/** A photo-like RGB test image (smooth shapes + texture + noise), deterministic. */
export function photoLike(w, h, bands = 3) {
  const px = new Uint8Array(w * h * bands);
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 255;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const u = x / w, v = y / h;
      const o = (y * w + x) * bands;
      const base = [
        128 + 100 * Math.sin(6 * u + 3 * v),
        128 + 90 * Math.cos(5 * v - 2 * u * v),
        128 + 80 * Math.sin(9 * u * v + 1),
      ];
      const tex = 20 * Math.sin(x * 0.31) * Math.cos(y * 0.27);
      for (let c = 0; c < bands; c++) {
        const v0 = c < 3 ? base[c] + tex + (rnd() & 15) - 8 : 255 - (x & 255);
        px[o + c] = Math.max(0, Math.min(255, v0 | 0));
      }
    }
  }
  return px;
}

/** Python with Pillow (Debian's /usr/bin/python3), or null. */
export function pillowPython() {
  if (process.env.IMARRAY_EMULATOR) return null; // the host's Pillow would race an emulated Node
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import PIL, numpy'], { stdio: 'ignore' });
    return '/usr/bin/python3';
  } catch {
    return null;
  }
}

/** Best and median ms of a Python snippet timing `stmt` (file path in F). */
export function timePillow(py, file, stmt, rounds = 7, setup = '') {
  const code = `
import time, sys, numpy as np
from PIL import Image
F = sys.argv[1]
${setup}
ts = []
for i in range(${rounds + 1}):
    t = time.perf_counter(); ${stmt}; dt = (time.perf_counter() - t) * 1000
    if i: ts.append(dt)
ts.sort()
print(ts[0], ts[len(ts) // 2])`;
  const [best, median] = execFileSync(py, ['-c', code, file]).toString().trim().split(' ').map(Number);
  return { best, median };
}

export { existsSync };
