/**
 * Pillow's Unpack.c table (src/pixels/unpack.ts) against Pillow itself: for every (mode,
 * rawmode) pair, one seeded row through `Image.frombytes(mode, size, row, 'raw', rawmode)`
 * (fixtures/unpack-reference.json, scripts/make-unpack-references.py with Debian's Pillow 9.4).
 * Pairs that Pillow 9.4 lacks and current Pillow has are checked against their definition.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DTYPES, MODES, bandCount } from '../../src/core/modes.js';
import { isIdentity, rowBytes, unpacker, unpackPairs } from '../../src/pixels/unpack.js';
import { fixture } from '../helpers/fixtures.js';

interface Case { input: string; output?: number[]; error?: string }
const REF = JSON.parse(readFileSync(fixture('unpack-reference.json'), 'utf8')) as { width: number; cases: Record<string, Case> };
const W = REF.width;

/** Current Pillow's unpackers missing from 9.4, by their definition in Unpack.c. */
const NEWER: Record<string, (input: Uint8Array) => number[]> = {
  'I;16 I;16B': (b) => Array.from({ length: W }, (_, i) => (b[2 * i] << 8) | b[2 * i + 1]),
  // BMP bitfields layouts (Pillow >= 11): B G X R and B G A R in memory order
  'RGB BGXR': (b) => Array.from({ length: W * 3 }, (_, i) => b[Math.floor(i / 3) * 4 + [3, 1, 0][i % 3]]),
  'RGBA BGRA;15Z': (b) => Array.from({ length: W }, (_, i) => {
    const px = b[2 * i] | (b[2 * i + 1] << 8);
    const f = (v: number): number => Math.floor((v * 255) / 31);
    return [f((px >> 10) & 31), f((px >> 5) & 31), f(px & 31), px >> 15 ? 0 : 255];
  }).flat(),
  // TIFF layouts (Pillow >= 10): a pad sample, extra samples, 16-bit RGBX (high bytes)
  'P PX': (b) => Array.from({ length: W }, (_, i) => b[2 * i]),
  'RGB RGBXX': (b) => Array.from({ length: W * 3 }, (_, i) => b[Math.floor(i / 3) * 5 + (i % 3)]),
  'RGB RGBXXX': (b) => Array.from({ length: W * 3 }, (_, i) => b[Math.floor(i / 3) * 6 + (i % 3)]),
  'RGB RGBX;16L': (b) => Array.from({ length: W * 3 }, (_, i) => b[Math.floor(i / 3) * 8 + (i % 3) * 2 + 1]),
  'RGB RGBX;16B': (b) => Array.from({ length: W * 3 }, (_, i) => b[Math.floor(i / 3) * 8 + (i % 3) * 2]),
  'RGBA BGAR': (b) => Array.from({ length: W * 4 }, (_, i) => b[Math.floor(i / 4) * 4 + [3, 1, 0, 2][i % 4]]),
};

const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));

describe('unpackers equal Pillow', () => {
  it('has a reference for every pair', () => {
    expect(unpackPairs().map(([m, r]) => `${m} ${r}`).sort()).toEqual(Object.keys(REF.cases).sort());
  });
  for (const [mode, rawmode] of unpackPairs()) {
    const key = `${mode} ${rawmode}`;
    it(key, () => {
      const c = REF.cases[key];
      const info = unpacker(mode, rawmode)!;
      const input = hex(c.input);
      expect(input.length).toBe(rowBytes(info, W));
      const bands = bandCount(mode);
      const Ctor = DTYPES[MODES[mode].dtype];
      // packed, and at an offset with a wider step (the scatter Adam7 uses), from an offset in the input
      const packed = new Ctor(W * bands);
      info.unpack(input, 0, packed, 0, W, bands);
      const shifted = new Uint8Array(input.length + 3);
      shifted.set(input, 3);
      const spread = new Ctor(5 + W * bands * 2);
      info.unpack(shifted, 3, spread, 5, W, bands * 2);
      const want = c.output ?? NEWER[key]?.(input);
      expect(want, c.error).toBeDefined();
      expect(Array.from(packed)).toEqual(want);
      const gathered = Array.from({ length: W * bands }, (_, i) => spread[5 + Math.floor(i / bands) * bands * 2 + (i % bands)]);
      expect(gathered).toEqual(want);
    });
  }
  it('marks as identity only pairs whose bytes are the pixels', () => {
    for (const [mode, rawmode] of unpackPairs()) {
      if (!isIdentity(mode, rawmode)) continue;
      const c = REF.cases[`${mode} ${rawmode}`];
      expect(c.output, `${mode} ${rawmode}`).toEqual(Array.from(hex(c.input)));
    }
  });
  it('has no unpacker where Pillow has none', () => {
    expect(unpacker('RGB', 'nonsense')).toBeUndefined();
    expect(unpacker('L', 'RGB')).toBeUndefined();
  });
});
