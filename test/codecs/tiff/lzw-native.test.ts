/**
 * The native TIFF LZW decoder (src/codecs/tiff/lzw.c) against the TypeScript one it replaces
 * where the native kernel loads (decompress.ts lzwDecode, kept as the fallback): on every LZW
 * fixture the whole image, and on thousands of byte strings (real LZW data cut at random places,
 * mutated, old-style LSB streams, garbage) the same bytes, the same count and the same error.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { open, toArray } from '../../../src/index.js';
import { lzwDecode, StripError } from '../../../src/codecs/tiff/decompress.js';
import { resetImplementations, useImplementation } from '../../../src/kernels/choose.js';
import { nativeLzw } from '../../../src/kernels/native.js';
import { fixture, sha256 } from '../../helpers/fixtures.js';
import { seededBytes } from '../../helpers/wasm.js';

afterEach(() => { resetImplementations(); });

const LZW_FILES = readdirSync(fixture('tiff')).filter((f) => /lzw/i.test(f) && /\.tiff?$/.test(f)).map((f) => `tiff/${f}`);

function run(src: Uint8Array, size: number, impl: 'native' | 'js'): { written: number; out: string } | { error: string } {
  useImplementation('lzw', impl);
  const out = new Uint8Array(size);
  try {
    const written = lzwDecode(src, out);
    return { written, out: sha256(out) };
  } catch (e) {
    expect(e).toBeInstanceOf(StripError);
    return { error: (e as Error).message };
  }
}

describe.runIf(nativeLzw() !== null)('TIFF LZW: the native decoder equals the TypeScript one', () => {
  it(`every LZW fixture decodes to the same image (${LZW_FILES.length} files)`, async () => {
    expect(LZW_FILES.length).toBeGreaterThan(3);
    for (const f of LZW_FILES) {
      const hashes = [];
      for (const impl of ['native', 'js'] as const) {
        useImplementation('lzw', impl);
        const got = await open(fixture(f)).then((img) => img.load()).then((img) => sha256(toArray(img).data), (e: unknown) => `error ${(e as Error).message}`);
        hashes.push(got);
      }
      expect(hashes[0], f).toBe(hashes[1]);
    }
  });
  it('cut, mutated and random byte strings: the same bytes, count or error', () => {
    const files = LZW_FILES.map((f) => new Uint8Array(readFileSync(fixture(f))));
    const rnd = seededBytes(40_000, 11);
    let r = 0;
    const next = (n: number): number => {
      const v = (rnd[r % rnd.length] | (rnd[(r + 1) % rnd.length] << 8) | (rnd[(r + 2) % rnd.length] << 16)) % n;
      r += 3;
      return v;
    };
    let errors = 0;
    for (let i = 0; i < 3000; i++) {
      const file = files[i % files.length];
      const at = next(file.length);
      let src = file.slice(at, at + 1 + next(4000));
      if (i % 3 === 1 && src.length > 0) src[next(src.length)] ^= 1 << next(8);
      if (i % 7 === 2) src = rnd.slice(next(30_000), next(30_000) + 2000);
      if (i % 5 === 3 && src.length > 2) { src[0] = 0; src[1] |= 1; } // old-style LSB codes
      if (i % 11 === 4 && src.length > 2) { src[0] = 0x80; src[1] &= 0x7f; } // starts with a clear code
      const size = 1 + next(20_000);
      const a = run(src, size, 'native');
      const b = run(src, size, 'js');
      expect(a, `case ${i}`).toEqual(b);
      if ('error' in a) errors++;
    }
    // both paths of the comparison were exercised
    expect(errors).toBeGreaterThan(100);
    expect(errors).toBeLessThan(2900);
  });
});
