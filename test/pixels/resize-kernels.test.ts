/**
 * The WebAssembly SIMD resampling passes against the JavaScript ones (which the Pillow suite
 * also checks): random pixels, every band count, odd widths, and images wide enough that the
 * streaming window of intermediate rows is refilled and compacted many times over.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fromStorage } from '../../src/image.js';
import { resize } from '../../src/api/resize.js';
import { toArray } from '../../src/api/to-array.js';
import { resetImplementations, useImplementation } from '../../src/kernels/choose.js';
import type { Mode } from '../../src/core/modes.js';
import { resampleSimdAvailable } from '../../src/pixels/resize/accelerated.js';
import { RESAMPLE_WASM } from '../../src/pixels/resize/resample-wasm.js';
import { kernelIsBuilt, seededBytes } from '../helpers/wasm.js';

const random = seededBytes;

const MODES: [Mode, number][] = [['L', 1], ['LA', 2], ['RGB', 3], ['RGBA', 4], ['CMYK', 4]];
const CASES: [number, number, number, number, string][] = [
  [3001, 200, 2999, 80, 'bicubic'], // rows of up to 12 KB: several output blocks, window compaction
  [2500, 40, 333, 97, 'lanczos'], // upscale vertically, downscale horizontally
  [97, 300, 3500, 20, 'bilinear'], // wide output rows from a narrow source
  [1234, 150, 1234, 91, 'hamming'], // vertical pass only
  [1777, 30, 311, 30, 'box'], // horizontal pass only
];

describe('WebAssembly SIMD resampling equals the JavaScript passes', () => {
  afterEach(() => { resetImplementations(); });
  it('runs here (Node >= 20 has WebAssembly SIMD), built from resample.wat', async () => {
    expect(resampleSimdAvailable()).toBe(true);
    expect(await kernelIsBuilt('RESAMPLE_WASM', RESAMPLE_WASM)).toBe(true);
  });
  for (const [mode, bands] of MODES) {
    it(`${mode}: every case`, () => {
      for (const [w, h, ow, oh, resample] of CASES) {
        const img = fromStorage(mode, [w, h], random(w * h * bands, w * 31 + h));
        useImplementation('resample', 'simd');
        const simd = toArray(resize(img, [ow, oh], { resample: resample as 'box' })).data as Uint8Array;
        const box = [w / 7, h / 9, w - w / 11, h - 0.5] as const;
        const simdBox = toArray(resize(img, [ow, oh], { resample: resample as 'box', box })).data as Uint8Array;
        useImplementation('resample', 'js');
        const js = toArray(resize(img, [ow, oh], { resample: resample as 'box' })).data as Uint8Array;
        const jsBox = toArray(resize(img, [ow, oh], { resample: resample as 'box', box })).data as Uint8Array;
        expect(Buffer.compare(simd, js), `${mode} ${w}x${h} -> ${ow}x${oh} ${resample}`).toBe(0);
        expect(Buffer.compare(simdBox, jsBox), `${mode} ${w}x${h} -> ${ow}x${oh} ${resample} box`).toBe(0);
      }
    });
  }
});
