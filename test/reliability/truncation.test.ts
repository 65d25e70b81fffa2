/**
 * Truncation sweep (reliability): fixtures cut at many offsets must give a typed error
 * (ImarrayError with a stable code) or an image, never another exception; with
 * `loadTruncated` a file cut inside the pixel data loads with the right shape (missing rows 0).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { open, toArray, ImarrayError, TruncatedImageError } from '../../src/index.js';
import { fixture } from '../helpers/fixtures.js';

const PNGS = ['basn0g01', 'basn0g16', 'basn2c08', 'basn3p04', 'basn4a08', 'basn6a16', 'basi0g08', 'basi3p02', 'basi6a08', 'ct1n0g04', 'tbbn3p08']
  .map((n) => `png/pngsuite/${n}.png`);
const JPEGS = ['jpeg/hopper.jpg', 'jpeg/hopper_gray.jpg', 'jpeg/pil_sample_cmyk.jpg', 'jpeg/testimgint.jpg', 'jpeg/frame_size.mpo'];

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
  for (const name of [...PNGS, ...JPEGS]) {
    const isPng = name.endsWith('.png');
    it(`${name}: every cut gives an image or a typed error`, async () => {
      const data = new Uint8Array(readFileSync(fixture(name)));
      const seen = new Map<string, number>();
      // every byte for small PNGs, ~150 cut points for the JPEGs (each is a full sharp decode)
      for (const n of cuts(data.length, isPng ? 4000 : 150)) {
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
