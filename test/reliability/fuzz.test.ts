/**
 * Short fixed-seed mutation fuzz (a few seconds; `npm run fuzz` runs the long one): every
 * fixture of each codec, one to four structure-aware mutations (bit flips, inserts, deletes,
 * truncation, chunk length / CRC / data edits, IHDR / SOF dimension edits), then open + load +
 * toArray. Each case must succeed or raise an ImarrayError, within 2 s, without touching the
 * caller's bytes. A failure prints fast-check's shrunk counterexample: save it under
 * fixtures/fuzz/ (the fixtures there are seeds of every later run and checked below).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mutate, mutationsArb } from './mutate.js';
import { runCase, runCaseWithin, seeds, targetSpec, TARGETS } from './target.js';

/** Cases per target: the codec's `fuzz.cases`, else this. */
const DEFAULT_RUNS = 300;

describe('mutation fuzz (fixed seed)', () => {
  for (const target of TARGETS) {
    const runs = targetSpec(target).codec.fuzz?.cases ?? DEFAULT_RUNS;
    it(`${target}: ${String(runs)} mutated fixtures give an image or a typed error`, async () => {
      const files = seeds(target);
      expect(files.length).toBeGreaterThanOrEqual(targetSpec(target).codec.fuzz?.minSeeds ?? 3);
      const counts = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: files.length - 1 }), mutationsArb, async (i, ms) => {
          // a hang detector, not a speed limit: generous enough for emulated arm64 on a busy machine
          const outcome = await runCaseWithin(mutate(files[i].bytes, ms, targetSpec(target).codec.fuzz?.fields), target, 10_000);
          counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
          expect(outcome, `${files[i].name} ${JSON.stringify(ms)}`).not.toMatch(/^bug/);
        }),
        { seed: 20261121, numRuns: runs },
      );
      // the mutations reach both outcomes: some files still decode, others fail with a typed error
      expect(counts.get('ok')).toBeGreaterThan(0);
      expect([...counts.keys()].filter((k) => k !== 'ok').length).toBeGreaterThan(1);
    }, 120_000);
  }

  it('mutate() never modifies its input', () => {
    const [file] = seeds('png');
    const copy = file.bytes.slice();
    fc.assert(fc.property(mutationsArb, (ms) => { mutate(file.bytes, ms); expect(file.bytes).toEqual(copy); }), { seed: 1, numRuns: 200 });
  });

  it('regression fixtures (fixtures/fuzz) give a typed outcome', async () => {
    for (const target of TARGETS) {
      for (const f of seeds(target).filter((s) => s.name.startsWith('fuzz/'))) {
        expect(await runCase(f.bytes, target), f.name).not.toMatch(/^bug/);
      }
    }
  });
});
