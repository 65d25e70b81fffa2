/**
 * Memory soak (reliability): 10,000 decodes of mixed fixtures (every fixture of every registered
 * format, JPEG on both back-ends, failing files included) in one process. After a warm-up,
 * RSS, external and heap memory sampled after a forced GC must show no growth trend.
 * `npm run soak` prints the whole curve.
 */
import { describe, expect, it } from 'vitest';
import { soak, slopePer10k } from './soak.js';

describe('memory soak', () => {
  it('10,000 mixed decodes: no growth in RSS, external or heap memory', async () => {
    const samples = await soak(10000, 500);
    const steady = samples.filter((s) => s.decodes >= 2000); // after the pools and caches warm up
    // a leak of one 8 KB buffer per decode would be +80 MB per 10,000
    expect(slopePer10k(steady, (s) => s.externalMB)).toBeLessThan(4);
    expect(slopePer10k(steady, (s) => s.heapMB)).toBeLessThan(4);
    // RSS: glibc keeps freed pages in steps (9-31 MB per 10,000 in repeated runs of this mix of
    // 10 formats, with external and heap flat), so its bound is wider; a native leak of 8 KB a
    // decode would still be +80 MB
    expect(slopePer10k(steady, (s) => s.rssMB)).toBeLessThan(48);
    // external steps up when the wasm decoder's heap grows for a larger JPEG, and never shrinks
    // back (wasm memory cannot): bounded by the largest fixture, not by the number of decodes
    const half = Math.floor(steady.length / 2);
    const peak = (xs: typeof steady): number => Math.max(...xs.map((s) => s.externalMB));
    expect(peak(steady.slice(half))).toBeLessThan(peak(steady.slice(0, half)) + 24);
  }, 600_000);
});
