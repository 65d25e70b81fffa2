/**
 * Truncation sweep (reliability): fixtures cut at many offsets must give a typed error
 * (ImarrayError with a stable code) or an image, never another exception; with
 * `loadTruncated` a file cut inside the pixel data loads with the right shape (missing rows 0).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { open, toArray, ImarrayError, TruncatedImageError } from '../../src/index.js';
import { fixture } from '../helpers/fixtures.js';

import { CODECS } from '../../src/codecs/registry.js';
import type { Codec } from '../../src/codecs/codec.js';

/** Each registered format's truncation fixtures and how many cut points (its descriptor's `fuzz`). */
const SWEEP = CODECS.flatMap((c: Codec) => (c.fuzz?.truncation ?? []).map((name) => ({ name, max: c.fuzz?.cuts ?? 4000 })));

/** open + load + toArray; returns 'ok', or the error code. Anything not an ImarrayError fails the test. */
async function attempt(bytes: Uint8Array, loadTruncated: boolean): Promise<string> {
  try {
    const img = await open(bytes, { loadTruncated });
    await img.load();
    const arr = toArray(img, { copy: false });
    expect(arr.shape.slice(0, 2)).toEqual([img.height, img.width]);
    return 'ok';
  } catch (err) {
    if (!(err instanceof ImarrayError)) throw new Error(`cut at ${String(bytes.length)}: ${String(err)}`, { cause: err });
    return err.code;
  }
}

function cuts(length: number, max: number): number[] {
  const step = Math.max(1, Math.floor(length / max));
  const out: number[] = [];
  for (let n = 0; n < length; n += step) out.push(n);
  return out;
}

describe('truncation sweep', () => {
  it('covers every registered format', () => {
    expect(CODECS.filter((c: Codec) => (c.fuzz?.truncation ?? []).length === 0).map((c) => c.format)).toEqual([]);
  });
  for (const { name, max } of SWEEP) {
    it(`${name}: every cut gives an image or a typed error`, async () => {
      const data = new Uint8Array(readFileSync(fixture(name)));
      const seen = new Map<string, number>();
      for (const n of cuts(data.length, max)) {
        const cut = data.slice(0, n);
        const code = await attempt(cut, false);
        seen.set(code, (seen.get(code) ?? 0) + 1);
        if (code === 'ok') continue;
        const lenient = await attempt(cut, true);
        // loadTruncated never turns a typed error into another exception, and never makes a
        // truncation at load fail differently
        if (code === 'ERR_IMARRAY_TRUNCATED' && lenient !== 'ok') expect(['ERR_IMARRAY_TRUNCATED', 'ERR_IMARRAY_UNIDENTIFIED', 'ERR_IMARRAY_DECODE']).toContain(lenient);
      }
      // a cut before the signature is unidentified, a cut in the pixel data is truncated
      expect(seen.get('ERR_IMARRAY_UNIDENTIFIED')).toBeGreaterThan(0);
      expect(seen.get('ERR_IMARRAY_TRUNCATED')).toBeGreaterThan(0);
      expect(await attempt(data, false)).toBe('ok');
    }, 120_000);
  }

  it('a PNG cut inside IDAT loads with loadTruncated and raises TruncatedImageError without', async () => {
    const data = new Uint8Array(readFileSync(fixture('png/pngsuite/basn2c08.png')));
    const cut = data.slice(0, Math.floor(data.length * 0.7));
    await expect((await open(cut)).load()).rejects.toBeInstanceOf(TruncatedImageError);
    const img = await (await open(cut, { loadTruncated: true })).load();
    expect(toArray(img).shape).toEqual([32, 32, 3]);
  });
});
