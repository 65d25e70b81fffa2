/**
 * The native TIFF strip decoders against the TypeScript ones they replace where the native
 * kernel loads (decompress.ts, kept as the fallback): LZW and PackBits (src/codecs/tiff/strips.c)
 * and libdeflate's Deflate (deflate.c, falling back to node:zlib for what it does not decode
 * whole). On every fixture of those compressions the whole image, and on thousands of byte strings
 * (real strip data cut at random places, mutated, old-style LSB LZW, garbage) the same bytes, the
 * same count and the same error.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { open, toArray } from '../../../src/index.js';
import { deflateInto, lzwDecode, packBitsDecode, StripError } from '../../../src/codecs/tiff/decompress.js';
import { resetImplementations, useImplementation } from '../../../src/kernels/choose.js';
import { nativeDeflate, nativeStrips } from '../../../src/kernels/native.js';
import { fixture, sha256 } from '../../helpers/fixtures.js';
import { seededBytes } from '../../helpers/wasm.js';

afterEach(() => { resetImplementations(); });

const tiffs = (re: RegExp): string[] => readdirSync(fixture('tiff')).filter((f) => re.test(f) && /\.tiff?$/.test(f)).map((f) => `tiff/${f}`);
const LZW_FILES = tiffs(/lzw/i);

type Decoder = (src: Uint8Array, out: Uint8Array) => number;

function run(src: Uint8Array, size: number, impl: 'native' | 'js', decode: Decoder = lzwDecode): { written: number; out: string } | { error: string } {
  useImplementation('tiffStrips', impl);
  const out = new Uint8Array(size);
  try {
    const written = decode(src, out);
    return { written, out: sha256(out) };
  } catch (e) {
    expect(e).toBeInstanceOf(StripError);
    return { error: (e as Error).message };
  }
}

/** Every fixture in `files` decodes to the same image natively and in TypeScript. */
async function sameImages(files: string[]): Promise<void> {
  for (const f of files) {
    const hashes = [];
    for (const impl of ['native', 'js'] as const) {
      useImplementation('tiffStrips', impl);
      hashes.push(await open(fixture(f)).then((img) => img.load()).then((img) => sha256(toArray(img).data), (e: unknown) => `error ${(e as Error).message}`));
    }
    expect(hashes[0], f).toBe(hashes[1]);
  }
}

/**
 * `count` cut or mutated pieces of `files`' strips and random bytes (then `tweak`ed): `decode`
 * gives the same natively as in TypeScript.
 */
function sameOnPieces(files: string[], decode: Decoder, seed: number, count = 2000, tweak?: (src: Uint8Array, i: number) => void): { errors: number; full: number } {
  const data = files.map((f) => new Uint8Array(readFileSync(fixture(f))));
  const rnd = seededBytes(40_000, seed);
  let r = 0;
  const next = (n: number): number => {
    const v = (rnd[r % rnd.length] | (rnd[(r + 1) % rnd.length] << 8) | (rnd[(r + 2) % rnd.length] << 16)) % n;
    r += 3;
    return v;
  };
  let errors = 0;
  let full = 0;
  for (let i = 0; i < count; i++) {
    const file = data[i % data.length];
    const at = next(file.length);
    let src = file.slice(at, at + 1 + next(4000));
    if (i % 3 === 1 && src.length > 0) src[next(src.length)] ^= 1 << next(8);
    if (i % 7 === 2) src = rnd.slice(next(30_000), next(30_000) + 2000);
    tweak?.(src, i);
    const size = 1 + next(20_000);
    const a = run(src, size, 'native', decode);
    const b = run(src, size, 'js', decode);
    expect(a, `case ${i}`).toEqual(b);
    if ('error' in a) errors++;
    else if (a.written === size) full++;
  }
  return { errors, full };
}

describe.runIf(nativeStrips('lzw') !== null)('TIFF LZW: the native decoder equals the TypeScript one', () => {
  it(`every LZW fixture decodes to the same image (${LZW_FILES.length} files)`, async () => {
    expect(LZW_FILES.length).toBeGreaterThan(3);
    await sameImages(LZW_FILES);
  });
  it('cut, mutated and random byte strings: the same bytes, count or error', () => {
    const { errors } = sameOnPieces(LZW_FILES, lzwDecode, 11, 3000, (src, i) => {
      if (i % 5 === 3 && src.length > 2) { src[0] = 0; src[1] |= 1; } // old-style LSB codes
      if (i % 11 === 4 && src.length > 2) { src[0] = 0x80; src[1] &= 0x7f; } // starts with a clear code
    });
    // both paths of the comparison were exercised
    expect(errors).toBeGreaterThan(100);
    expect(errors).toBeLessThan(2900);
  });
});

describe.runIf(nativeStrips('packbits') !== null)('TIFF PackBits: the native decoder equals the TypeScript one', () => {
  const FILES = tiffs(/packbits/i);
  it(`every PackBits fixture decodes to the same image (${FILES.length} files)`, async () => {
    expect(FILES.length).toBeGreaterThan(3);
    await sameImages(FILES);
  });
  it('cut, mutated and random byte strings: the same bytes and count', () => {
    const { full } = sameOnPieces(FILES, packBitsDecode, 12);
    // strings that fill the buffer and strings that run out both occur
    expect(full).toBeGreaterThan(100);
    expect(full).toBeLessThan(1900);
  });
});

describe.runIf(nativeDeflate() !== null)('TIFF Deflate: libdeflate (with zlib behind it) equals node:zlib alone', () => {
  const FILES = tiffs(/deflate/i);
  it(`every Deflate fixture decodes to the same image (${FILES.length} files)`, async () => {
    expect(FILES.length).toBeGreaterThan(3);
    await sameImages(FILES);
  });
  it('whole, cut, mutated and over-long zlib streams: the same bytes, count or error', () => {
    // whole streams first: libdeflate decodes them itself (into a buffer of the exact size, or larger)
    const whole = [deflateSync(seededBytes(5000, 3)), deflateSync(new Uint8Array(7000).fill(9)), deflateSync(seededBytes(300, 4).map((b) => b & 7))];
    for (const z of whole) {
      for (const size of [1, 299, 300, 5000, 7000, 9000]) expect(run(z, size, 'native', deflateInto)).toEqual(run(z, size, 'js', deflateInto));
    }
    const { errors } = sameOnPieces(FILES, deflateInto, 13);
    expect(errors).toBeGreaterThan(100);
  });
});
