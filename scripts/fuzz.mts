/**
 * Long mutation fuzz: `npm run fuzz [-- --cases N --seed S --targets png,jpeg-sharp,gif,...]` (the
 * targets are the registry's formats and back-ends: test/reliability/target.ts).
 * Each target runs in a child process so a native crash (sharp/libvips) or a synchronous hang
 * is caught: the parent restarts the child after the case that killed or stalled it (no reply
 * within 2 s = hang). Case i of a target is regenerated from (seed + i), so any reported case
 * replays with `--replay target:i`. Prints the counts by outcome; any `bug:` outcome is written
 * to fuzz-out/ and makes the exit code 1. The short fixed-seed run lives in test/reliability/fuzz.test.ts.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { mutate, mutationsArb, type Mutation } from '../test/reliability/mutate.js';
import { runCase, seeds, targetSpec, TARGETS, type Target } from '../test/reliability/target.js';

const HANG_MS = 2000;
/** RSS above this after a case is a bug: the fuzz pixel limit bounds one decode to ~16 MB. */
const RSS_BOUND = 1024 * 1024 * 1024;

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

type Files = ReturnType<typeof seeds>;
function caseOf(files: Files, seed: number, i: number): { file: number; ms: Mutation[] } {
  const [[file, ms]] = fc.sample(fc.tuple(fc.nat({ max: files.length - 1 }), mutationsArb), { seed: seed + i, numRuns: 1 });
  return { file, ms };
}

type Msg = { i: number; start: true } | { i: number; outcome: string };

async function child(target: Target, seed: number, from: number, to: number): Promise<void> {
  const files = seeds(target);
  const send = (m: Msg): Promise<void> => new Promise((resolve) => { process.send?.(m, () => { resolve(); }); });
  for (let i = from; i < to; i++) {
    const { file, ms } = caseOf(files, seed, i);
    await send({ i, start: true });
    let outcome = await runCase(mutate(files[file].bytes, ms, targetSpec(target).codec.fuzz?.fields), target);
    if (process.memoryUsage().rss > RSS_BOUND) outcome = `bug: rss ${String(process.memoryUsage().rss >> 20)} MB after the case`;
    await send({ i, outcome });
  }
  process.disconnect?.();
}

async function parent(): Promise<void> {
  const cases = Number(arg('cases', '100000'));
  const seed = Number(arg('seed', '1'));
  const targets = arg('targets', TARGETS.join(',')).split(',');
  let bugs = 0;
  mkdirSync('fuzz-out', { recursive: true });
  for (const target of targets) {
    const files = seeds(target);
    const counts = new Map<string, number>();
    const count = (o: string): void => { counts.set(o, (counts.get(o) ?? 0) + 1); };
    const report = (i: number, outcome: string): void => {
      bugs++;
      const { file, ms } = caseOf(files, seed, i);
      const out = `fuzz-out/${target}-seed${String(seed)}-case${String(i)}.bin`;
      writeFileSync(out, mutate(files[file].bytes, ms, targetSpec(target).codec.fuzz?.fields));
      console.log(`  BUG ${target}:${String(i)} ${files[file].name} ${JSON.stringify(ms)}\n      -> ${outcome} (saved ${out})`);
    };
    const t0 = Date.now();
    let next = 0;
    while (next < cases) {
      // one child per run of cases; a crash or hang ends it and the next starts after that case
      next = await new Promise<number>((resolve) => {
        const proc: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child', target, String(seed), String(next), String(cases)], {
          execArgv: ['--import', 'tsx'],
          stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
          env: { ...process.env, NODE_NO_WARNINGS: '1' }, // DecompressionBombWarning on every edited size
        });
        let current = next;
        let started = false;
        let timer = setTimeout(() => undefined, 0);
        const arm = (): void => {
          clearTimeout(timer);
          timer = setTimeout(() => {
            count('bug: hang');
            report(current, `no reply within ${String(HANG_MS)} ms`);
            proc.kill('SIGKILL');
          }, started ? HANG_MS : 30_000); // the first case also pays for loading sharp/wasm
        };
        arm();
        proc.on('message', (m: Msg) => {
          current = m.i;
          if ('start' in m) { started = true; arm(); return; }
          count(m.outcome);
          if (m.outcome.startsWith('bug')) report(m.i, m.outcome);
          if (m.i % 10000 === 9999) console.log(`  ${target}: ${String(m.i + 1)} cases, ${String(Math.round((Date.now() - t0) / 1000))} s`);
          arm();
        });
        proc.on('exit', (code, signal) => {
          clearTimeout(timer);
          if (code === 0 && signal === null) { resolve(cases); return; }
          if (signal !== 'SIGKILL') { count('bug: crash'); report(current, `child died: code ${String(code)} signal ${String(signal)}`); }
          resolve(current + 1);
        });
      });
    }
    const secs = (Date.now() - t0) / 1000;
    console.log(`${target}: ${String(cases)} cases over ${String(files.length)} seed files in ${secs.toFixed(0)} s (${(cases / secs).toFixed(0)}/s)`);
    for (const [o, n] of [...counts.entries()].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(7)}  ${o}`);
  }
  if (bugs > 0) {
    console.log(`${String(bugs)} bug case(s); replay one with --replay target:i (same --seed)`);
    process.exitCode = 1;
  }
}

async function replay(spec: string): Promise<void> {
  const [target, i] = spec.split(':') as [Target, string];
  const files = seeds(target);
  const { file, ms } = caseOf(files, Number(arg('seed', '1')), Number(i));
  console.log(files[file].name, JSON.stringify(ms));
  console.log(await runCase(mutate(files[file].bytes, ms, targetSpec(target).codec.fuzz?.fields), target));
}

if (process.argv.includes('--child')) {
  const at = process.argv.indexOf('--child');
  const [target, seed, from, to] = process.argv.slice(at + 1, at + 5);
  await child(target, Number(seed), Number(from), Number(to));
} else if (process.argv.includes('--replay')) {
  await replay(arg('replay', ''));
} else {
  await parent();
}
