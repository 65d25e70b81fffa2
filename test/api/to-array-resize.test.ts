/**
 * `toArray(img, { resize, crop, ... })` and `imread(src, { resize })`: the fused pass equals the
 * resize (checked against Pillow elsewhere) followed by toArray with the same options, for
 * mode conversions, orders, CHW float32 normalisation, premultiplied modes and every filter;
 * unknown option keys are InvalidArgumentErrors.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fromStorage } from '../../src/image.js';
import { resize } from '../../src/api/resize.js';
import { convert } from '../../src/api/image-functions.js';
import { toArray, type ToArrayOptions } from '../../src/api/to-array.js';
import { imread } from '../../src/api/open.js';
import { InvalidArgumentError } from '../../src/core/errors.js';
import type { Mode } from '../../src/core/modes.js';
import { fixture } from '../helpers/fixtures.js';
import { seededBytes } from '../helpers/wasm.js';

const W = 123;
const H = 77;

describe('toArray({ resize }) is resize then toArray, in one pass', () => {
  const sources: [Mode, number][] = [['RGB', 3], ['RGBA', 4], ['L', 1], ['LA', 2], ['P', 1]];
  const options: ToArrayOptions[] = [
    {},
    { mode: 'L' },
    { mode: 'RGB', order: 'BGR' },
    { mode: 'RGB', layout: 'CHW', dtype: 'float32', scale: 1 / 255, mean: [0.5, 0.4, 0.3], std: [0.2, 0.3, 0.4] },
    { dtype: 'float64' },
  ];
  for (const [mode, bands] of sources) {
    it(mode, () => {
      const img = fromStorage(mode, [W, H], seededBytes(W * H * bands, bands), {}, mode === 'P' ? { mode: 'RGB', colors: seededBytes(768, 9) } : undefined);
      for (const o of options) {
        for (const [size, resample, reducingGap] of [[[40, 30], 'bicubic', undefined], [[200, 31], 'lanczos', undefined], [[17, 80], 'nearest', undefined], [[30, 20], 'bilinear', 2]] as const) {
          const resizeOptions = { resample, ...(reducingGap === undefined ? {} : { reducingGap }) };
          const spec = { size, ...resizeOptions };
          const converted = o.mode === undefined ? img : convert(img, o.mode);
          const rest = { ...o };
          delete rest.mode;
          const want = toArray(resize(converted, size, resizeOptions), rest);
          const got = toArray(img, { ...o, resize: spec });
          expect(got.shape).toEqual(want.shape);
          expect(Array.from(got.data)).toEqual(Array.from(want.data));
        }
      }
    });
  }
  it('resize as a plain [w, h] is BICUBIC, and crop follows it', () => {
    const img = fromStorage('RGB', [W, H], seededBytes(W * H * 3, 5));
    expect(toArray(img, { resize: [50, 40] }).data).toEqual(toArray(resize(img, [50, 40])).data);
    const cropped = toArray(img, { resize: [50, 40], crop: [5, 6, 25, 36] });
    expect(cropped.shape).toEqual([30, 20, 3]);
    expect(cropped.get(3, 4, 1)).toBe(toArray(resize(img, [50, 40])).get(9, 9, 1));
  });
  it('imread takes resize with the other options', async () => {
    const path = fixture('png/pngsuite/basn2c08.png');
    const x = await imread(path, { resize: { size: [16, 16], resample: 'bilinear' }, layout: 'CHW', dtype: 'float32', scale: 1 / 255 });
    expect(x.shape).toEqual([3, 16, 16]);
    const { open } = await import('../../src/api/open.js');
    const img = await (await open(readFileSync(path))).load();
    expect(Array.from(x.data)).toEqual(Array.from(toArray(resize(img, [16, 16], { resample: 'bilinear' }), { layout: 'CHW', dtype: 'float32', scale: 1 / 255 }).data));
  });
});

describe('unknown option keys', () => {
  const img = fromStorage('L', [4, 4], new Uint8Array(16));
  it('toArray, resize spec, imread', async () => {
    expect(() => toArray(img, { layuot: 'CHW' } as ToArrayOptions)).toThrow(InvalidArgumentError);
    expect(() => toArray(img, { layuot: 'CHW' } as ToArrayOptions)).toThrow(/unknown option "layuot"/);
    expect(() => toArray(img, { resize: { size: [2, 2], filter: 'box' } } as unknown as ToArrayOptions)).toThrow(/unknown option "filter"/);
    await expect(imread(fixture('png/pngsuite/basn2c08.png'), { dtpye: 'float32' } as never)).rejects.toThrow(/unknown option "dtpye"/);
  });
  it('copy: false with resize', () => {
    expect(() => toArray(img, { copy: false, resize: [2, 2] })).toThrow(/copy: true/);
  });
});
