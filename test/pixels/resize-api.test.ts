/**
 * The resize family beyond the Pillow suite: I;16 (Pillow >= 11 resamples it in 16 bits;
 * Debian's 9.4 cannot, so it is held to the I-mode path, which the suite checks against
 * Pillow), strided view inputs, inputs left untouched, and typed errors for bad arguments.
 */
import { describe, expect, it } from 'vitest';
import { fromStorage } from '../../src/image.js';
import { ImageOps, reduce, resize, thumbnail } from '../../src/api/resize.js';
import { transpose, Transpose } from '../../src/api/transpose.js';
import { toArray } from '../../src/api/to-array.js';
import { DecompressionBombError, InvalidArgumentError, UnsupportedError } from '../../src/core/errors.js';
import type { Box } from '../../src/core/types.js';

const W = 41;
const H = 23;
const FILTERS = ['nearest', 'box', 'bilinear', 'hamming', 'bicubic', 'lanczos'] as const;

function midRange(): { i16: Uint16Array; i32: Int32Array } {
  const i16 = new Uint16Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) i16[y * W + x] = 20000 + ((x * 977 + y * 613) % 25000);
  return { i16, i32: Int32Array.from(i16) };
}

describe('I;16 resize (Pillow >= 11: 16-bit path)', () => {
  const { i16, i32 } = midRange();
  const a = fromStorage('I;16', [W, H], i16);
  const b = fromStorage('I', [W, H], i32);
  for (const resample of FILTERS) {
    it(`${resample}: equals the I path where nothing clips`, () => {
      for (const size of [[13, 7], [90, 50], [41, 9], [5, 23]] as [number, number][]) {
        const got = resize(a, size, { resample });
        expect(got.mode).toBe('I;16');
        expect(Array.from(toArray(got).data)).toEqual(Array.from(toArray(resize(b, size, { resample })).data));
      }
    });
  }
  it('clips to 0..65535 where the filter overshoots', () => {
    const edge = new Uint16Array(W * H).map((_, i) => ((i % W) < W / 2 ? 0 : 65535));
    const out = toArray(resize(fromStorage('I;16', [W, H], edge), [97, 23], { resample: 'lanczos' })).data;
    expect(Math.min(...out)).toBe(0);
    expect(Math.max(...out)).toBe(65535);
  });
  it('reducing_gap and reduce raise as Pillow does (reduce has no I;16 path)', () => {
    expect(() => resize(a, [5, 3], { reducingGap: 2 })).toThrow(UnsupportedError);
    expect(() => reduce(a, 2)).toThrow(UnsupportedError);
  });
});

describe('inputs', () => {
  const data = Uint8Array.from({ length: W * H * 3 }, (_, i) => (i * 31) % 256);
  const img = fromStorage('RGB', [W, H], data);
  it('a strided view (transpose) resizes like its packed copy', () => {
    const view = transpose(img, Transpose.ROTATE_90);
    const packed = fromStorage('RGB', view.size, toArray(view).data);
    for (const resample of FILTERS) {
      expect(toArray(resize(view, [17, 30], { resample })).data).toEqual(toArray(resize(packed, [17, 30], { resample })).data);
    }
  });
  it('never modifies the source (RGBA premultiplies a copy)', () => {
    const rgba = Uint8Array.from({ length: W * H * 4 }, (_, i) => (i * 7) % 256);
    const before = rgba.slice();
    const src = fromStorage('RGBA', [W, H], rgba);
    resize(src, [10, 10]);
    reduce(src, 3);
    thumbnail(src, [8, 8]);
    ImageOps.pad(src, [30, 30]);
    expect(rgba).toEqual(before);
  });
  it('the same size and box is a copy, not the same storage', () => {
    const out = resize(img, [W, H]);
    expect(toArray(out).data).toEqual(data);
    expect(toArray(out, { copy: false }).data).not.toBe(data);
  });
  it('Image methods load and resize', async () => {
    expect((await img.resize([5, 4])).size).toEqual([5, 4]);
    expect((await img.reduce([2, 3])).size).toEqual([21, 8]);
    expect((await img.thumbnail([10, 10])).size).toEqual([10, 6]);
  });
  it('pad fills with the colour, expand adds a border, crop removes one', () => {
    const padded = ImageOps.pad(img, [50, 50], { color: [1, 2, 3] });
    expect(Array.from(toArray(padded).data.subarray(0, 3))).toEqual([1, 2, 3]);
    const ex = ImageOps.expand(img, [2, 3], 9);
    expect(ex.size).toEqual([W + 4, H + 6]);
    expect(toArray(ex).data[0]).toBe(9);
    expect(toArray(ImageOps.crop(ex, [2, 3])).data).toEqual(data);
  });
});

describe('bad arguments: typed errors naming the value', () => {
  const img = fromStorage('L', [W, H], new Uint8Array(W * H));
  const cases: [string, () => unknown, new (...a: never[]) => Error, RegExp][] = [
    ['zero width', () => resize(img, [0, 5]), InvalidArgumentError, /\[0, 5\]/],
    ['negative height', () => resize(img, [5, -1]), InvalidArgumentError, /-1/],
    ['fractional size', () => resize(img, [2.5, 3]), InvalidArgumentError, /2\.5/],
    ['not a pair', () => resize(img, [5] as unknown as [number, number]), InvalidArgumentError, /width, height/],
    ['unknown filter', () => resize(img, [5, 5], { resample: 'cubic' as never }), InvalidArgumentError, /cubic/],
    ['gap below 1', () => resize(img, [5, 5], { reducingGap: 0.5 }), InvalidArgumentError, /0\.5/],
    ['box past the image', () => resize(img, [5, 5], { box: [0, 0, W + 1, H] }), InvalidArgumentError, /exceed/],
    ['negative box', () => resize(img, [5, 5], { box: [-1, 0, 5, 5] }), InvalidArgumentError, /negative/],
    ['empty box', () => resize(img, [5, 5], { box: [5, 5, 4, 6] }), InvalidArgumentError, /empty/],
    ['NaN in box', () => resize(img, [5, 5], { box: [0, 0, NaN, 5] as Box }), InvalidArgumentError, /finite/],
    ['absurd output', () => resize(img, [100000, 100000]), DecompressionBombError, /10000000000/],
    ['reduce by 0', () => reduce(img, 0), InvalidArgumentError, /factor/],
    ['reduce by 1.5', () => reduce(img, 1.5), InvalidArgumentError, /1\.5/],
    ['reduce with a fractional box', () => reduce(img, 2, [0.5, 0, 4, 4]), InvalidArgumentError, /integer/],
    ['reduce of P', () => reduce(fromStorage('P', [W, H], new Uint8Array(W * H)), 2), UnsupportedError, /wrong mode P/],
    ['thumbnail to 0', () => thumbnail(img, [0, 10]), InvalidArgumentError, /size/],
    ['scale by 0', () => ImageOps.scale(img, 0), InvalidArgumentError, /factor/],
    ['pad colour of the wrong length', () => ImageOps.pad(img, [60, 60], { color: [1, 2] }), InvalidArgumentError, /color/],
  ];
  for (const [name, f, E, msg] of cases) {
    it(name, () => {
      expect(f).toThrow(E);
      expect(f).toThrow(msg);
    });
  }
  it('an image not loaded yet', async () => {
    const { open } = await import('../../src/api/open.js');
    const { readFileSync } = await import('node:fs');
    const { fixture } = await import('../helpers/fixtures.js');
    const lazy = await open(readFileSync(fixture('png/pngsuite/basn2c08.png')));
    expect(() => resize(lazy, [4, 4])).toThrow(/not loaded/);
    expect((await lazy.resize([4, 4])).size).toEqual([4, 4]);
  });
});

describe('unknown option keys', () => {
  const img = fromStorage('L', [W, H], new Uint8Array(W * H));
  it('resize, thumbnail, ImageOps, open', async () => {
    expect(() => resize(img, [4, 4], { filter: 'box' } as never)).toThrow(/unknown option "filter"/);
    expect(() => thumbnail(img, [4, 4], { gap: 2 } as never)).toThrow(/unknown option "gap"/);
    expect(() => ImageOps.fit(img, [4, 4], { centre: [0, 0] } as never)).toThrow(/unknown option "centre"/);
    expect(() => ImageOps.pad(img, [4, 4], { colour: 3 } as never)).toThrow(/unknown option "colour"/);
    const { open } = await import('../../src/api/open.js');
    await expect(open(new Uint8Array(8), { bakend: 'js' } as never)).rejects.toThrow(/unknown option "bakend"/);
  });
});
