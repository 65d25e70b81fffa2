/** Zero-copy views on images and ndarrays, and fused toArray conversions. */
import { useImplementation } from '../../src/kernels/choose.js';
import ndarray from 'ndarray';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  open, toArray, fromStorage, flipud, fliplr, rot90, swapAxes, crop, exifTranspose, transpose, Transpose,
  toBytes, isContiguous, InvalidArgumentError, UnsupportedError,
} from '../../src/index.js';
import { EXTRA, fixture, sha256 } from '../helpers/fixtures.js';

const FLOWER = 'jpeg/flower.jpg';
const load = async (name: string) => (await open(fixture(name))).load();

describe('views share storage and equal Pillow transpose', () => {
  const cases = [
    ['flipud', (i: Parameters<typeof flipud>[0]) => flipud(i), Transpose.FLIP_TOP_BOTTOM],
    ['fliplr', (i: Parameters<typeof flipud>[0]) => fliplr(i), Transpose.FLIP_LEFT_RIGHT],
    ['rot90', (i: Parameters<typeof flipud>[0]) => rot90(i), Transpose.ROTATE_90],
    ['rot90 k=2', (i: Parameters<typeof flipud>[0]) => rot90(i, 2), Transpose.ROTATE_180],
    ['rot90 k=-1', (i: Parameters<typeof flipud>[0]) => rot90(i, -1), Transpose.ROTATE_270],
    ['swapAxes', (i: Parameters<typeof flipud>[0]) => swapAxes(i), Transpose.TRANSPOSE],
  ] as const;
  for (const [name, f, method] of cases) {
    it(`${name} of an image is a view equal to Pillow's transpose(${String(method)})`, async () => {
      const img = await load(FLOWER);
      const view = f(img) as typeof img;
      expect(view.isView).toBe(true);
      expect(toArray(view, { copy: false }).data).toBe(toArray(img, { copy: false }).data); // same memory
      const ref = EXTRA[`transpose:${String(method)}:${FLOWER}`];
      expect(view.size).toEqual(ref?.size);
      const owned = toArray(view);
      expect(isContiguous(owned)).toBe(true);
      expect(sha256(owned.data)).toBe(ref?.sha256);
      // every consumer reads the view correctly: encoder, convert, fused toArray
      expect(sha256(toBytes(view))).toBe(ref?.sha256);
      const gray = await view.convert('L');
      const grayOfCopy = await fromStorage('RGB', view.size, owned.data as Uint8Array).convert('L');
      expect(sha256(toArray(gray).data)).toBe(sha256(toArray(grayOfCopy).data));
      expect(sha256(toArray(view, { order: 'BGR' }).data)).toBe(sha256(toBytes(fromStorage('RGB', view.size, owned.data as Uint8Array), 'BGR')));
    });
  }

  it('the same functions work on plain ndarrays', () => {
    const a = ndarray(new Uint8Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect(flipud(a).get(0, 0)).toBe(4);
    expect(fliplr(a).get(0, 0)).toBe(3);
    expect(rot90(a).shape).toEqual([3, 2]);
    expect(rot90(a).get(0, 0)).toBe(3); // numpy: rot90([[1,2,3],[4,5,6]]) = [[3,6],[2,5],[1,4]]
    expect(rot90(a).get(0, 1)).toBe(6);
    expect(swapAxes(a).get(2, 1)).toBe(6);
    expect(crop(a, [1, 0, 3, 2]).get(1, 1)).toBe(6);
    expect(flipud(a).data).toBe(a.data);
  });

  it('exifTranspose is a view for all eight orientations', async () => {
    for (const n of [2, 3, 4, 5, 6, 7, 8]) {
      const img = await load(`jpeg/hopper_orientation_${String(n)}.jpg`);
      const up = await exifTranspose(img);
      expect(toArray(up, { copy: false }).data).toBe(toArray(img, { copy: false }).data);
      expect(sha256(toArray(up).data)).toBe(EXTRA[`exif_transpose:jpeg/hopper_orientation_${String(n)}.jpg`]?.sha256);
    }
  });

  it('transpose() composes with other views', async () => {
    const img = await load(FLOWER);
    const twice = transpose(transpose(img, Transpose.ROTATE_90), Transpose.ROTATE_270);
    expect(sha256(toArray(twice).data)).toBe(sha256(toArray(img).data));
    expect(toArray(twice, { copy: false }).data).toBe(toArray(img, { copy: false }).data);
  });
});

describe('crop', () => {
  it('inside the image: a view with the right pixels', async () => {
    const img = await load(FLOWER);
    const c = crop(img, [10, 20, 110, 70]);
    expect(c.size).toEqual([100, 50]);
    expect(c.isView).toBe(true);
    const full = toArray(img, { copy: false });
    const got = toArray(c);
    for (const [y, x, b] of [[0, 0, 0], [49, 99, 2], [17, 33, 1]] as const) {
      expect(got.get(y, x, b)).toBe(full.get(y + 20, x + 10, b));
    }
  });
  it('outside the image: Pillow fills with 0 (a copy), and rounds half to even', () => {
    const img = fromStorage('L', [3, 2], new Uint8Array([1, 2, 3, 4, 5, 6]));
    const c = crop(img, [-1, 0.5, 2.5, 3]); // round(0.5) = 0, round(2.5) = 2
    expect(c.size).toEqual([3, 3]);
    expect([...toArray(c).data]).toEqual([0, 1, 2, 0, 4, 5, 0, 0, 0]);
    expect(() => crop(img, [2, 0, 1, 1])).toThrow(InvalidArgumentError);
  });
});

describe('OpenGL readPixels: bottom-up rows wrapped and flipped without a copy', () => {
  it('flipud over the foreign buffer gives the upright image', () => {
    const [w, h] = [4, 3];
    const gl = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++) gl.fill(10 * (h - 1 - y), y * w * 4, (y + 1) * w * 4); // row 0 is the bottom
    const upright = flipud(fromStorage('RGBA', [w, h], gl));
    const view = toArray(upright, { copy: false });
    expect(view.data).toBe(gl);
    expect([view.get(0, 0, 0), view.get(1, 0, 0), view.get(2, 0, 0)]).toEqual([0, 10, 20]);
  });
});

describe('fused toArray', () => {
  it("{ mode: 'L' } equals convert('L') then toArray, in one pass", async () => {
    const img = await load('jpeg/hopper.jpg');
    const fused = toArray(img, { mode: 'L' });
    const twoPass = toArray(await img.convert('L'));
    expect(fused.shape).toEqual(twoPass.shape);
    expect(sha256(fused.data)).toBe(sha256(twoPass.data));
    const p = await load('png/pngsuite/tbbn3p08.png');
    expect(sha256(toArray(p, { mode: 'RGBA' }).data)).toBe(sha256(toArray(await p.convert('RGBA')).data));
    expectTypeOf(toArray(img, { mode: 'F' }).data).toEqualTypeOf<Float32Array>();
  });

  it("{ order: 'BGR' } swaps channels; from RGBA it drops alpha; bad letters are refused", async () => {
    const rgba = fromStorage('RGBA', [2, 1], new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
    expect([...toArray(rgba, { order: 'BGR' }).data]).toEqual([3, 2, 1, 7, 6, 5]);
    expect([...toArray(rgba, { order: 'BGRA' }).data]).toEqual([3, 2, 1, 4, 7, 6, 5, 8]);
    expect(toArray(rgba, { order: 'BGR' }).shape).toEqual([1, 2, 3]);
    expect(() => toArray(rgba, { order: 'BGRZ' })).toThrow(InvalidArgumentError);
    const img = await load('jpeg/hopper.jpg');
    expect(sha256(toArray(img, { order: 'BGR' }).data)).toBe(sha256(toBytes(img, 'BGR')));
  });

  it('BGR / BGRA word kernels equal a byte loop, aligned or not, any pixel count', () => {
    for (const bands of [3, 4] as const) {
      for (const [w, h, shift] of [[7, 3, 0], [5, 5, 1], [64, 2, 0], [1, 1, 3]] as const) {
        const backing = new Uint8Array(w * h * bands + shift);
        for (let i = 0; i < backing.length; i++) backing[i] = (i * 37 + 11) & 255;
        const data = backing.subarray(shift);
        const img = fromStorage(bands === 3 ? 'RGB' : 'RGBA', [w, h], data);
        const want: number[] = [];
        for (let i = 0; i < data.length; i += bands) want.push(data[i + 2] ?? -1, data[i + 1] ?? -1, data[i] ?? -1, ...(bands === 4 ? [data[i + 3] ?? -1] : []));
        const order = bands === 3 ? 'BGR' : 'BGRA';
        expect([...toArray(img, { order }).data], `${order} ${String(w)}x${String(h)}+${String(shift)}`).toEqual(want);
        expect([...toBytes(img, order)]).toEqual(want);
      }
    }
  });

  it('{ order } alone (a kernel kept per mode and order) equals a byte loop for every permutation, offset storage, out, either back-end', () => {
    const permutations = (xs: string[]): string[][] => (xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p])));
    for (const mode of ['RGB', 'LAB', 'HSV', 'RGBA', 'RGBa', 'RGBX', 'CMYK'] as const) {
      const letters = mode === 'CMYK' ? ['C', 'M', 'Y', 'K'] : mode === 'LAB' ? ['L', 'A', 'B'] : mode === 'HSV' ? ['H', 'S', 'V'] : mode.split('');
      const bands = letters.length;
      const [w, h] = [9, 4];
      const backing = new Uint8Array((w * (h + 1) + 1) * bands);
      for (let i = 0; i < backing.length; i++) backing[i] = (i * 29 + 7) & 255;
      const kept = backing.slice();
      const whole = fromStorage(mode, [w, h + 1], backing.subarray(bands)); // storage at a byte offset
      const img = crop(whole, [0, 1, w, h + 1]); // full rows: packed, at an element offset
      expect(isContiguous(toArray(img, { copy: false }))).toBe(true);
      const src = toArray(img).data;
      for (const perm of permutations(letters)) {
        const order = perm.join('');
        const want: number[] = [];
        for (let p = 0; p < w * h; p++) for (const l of perm) want.push(src[p * bands + letters.indexOf(l)] ?? -1);
        for (const native of [true, false]) {
          useImplementation('swizzle', native ? 'native' : 'wasm');
          try {
            expect([...toArray(img, { order }).data], `${mode} -> ${order}, native ${String(native)}`).toEqual(want);
            expect([...toArray(img, { order }).data]).toEqual(want); // the kept kernel
            const out = new Uint8Array(w * h * bands);
            const arr = toArray(img, { order, out });
            expect(arr.data).toBe(out);
            expect(arr.shape).toEqual([h, w, bands]);
            expect([...out]).toEqual(want);
          } finally {
            useImplementation('swizzle', 'native');
          }
        }
      }
      expect(backing).toEqual(kept);
      expect(() => toArray(img, { order: letters.join(''), out: new Uint8Array(w * h * bands - 1) })).toThrow(InvalidArgumentError);
      expect(() => toArray(img, { order: letters.join(''), out: new Uint16Array(w * h * bands) })).toThrow(InvalidArgumentError);
      expect(() => toArray(img, { order: `${letters.join('')}Z` })).toThrow(InvalidArgumentError);
      // not a permutation (repeats, fewer bands) and strided views: planned per call, same values
      expect([...toArray(img, { order: `${letters[0] ?? ''}${letters[0] ?? ''}` }).data].slice(0, 4)).toEqual([src[0], src[0], src[bands], src[bands]]);
      const flipped = toArray(fliplr(img), { order: [...letters].reverse().join('') });
      expect(flipped.get(0, 0, 0)).toBe(src[(w - 1) * bands + bands - 1]);
    }
  });

  it("{ layout: 'CHW', dtype: 'float32', scale, mean, std } equals the formula per element", async () => {
    const img = await load('jpeg/hopper.jpg');
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    const out = toArray(img, { layout: 'CHW', dtype: 'float32', scale: 1 / 255, mean, std });
    expectTypeOf(out.data).toEqualTypeOf<Float32Array>();
    const [w, h] = img.size;
    expect(out.shape).toEqual([3, h, w]);
    const src = toArray(img, { copy: false });
    for (let c = 0; c < 3; c++) {
      for (const [y, x] of [[0, 0], [h - 1, w - 1], [37, 91]] as const) {
        const want = Math.fround((src.get(y, x, c) * (1 / 255) - (mean[c] ?? 0)) / (std[c] ?? 1));
        expect(out.get(c, y, x)).toBe(want);
      }
    }
    // BGR + CHW + float, and uint16 sources (no table path)
    const bgr = toArray(img, { order: 'BGR', layout: 'CHW', dtype: 'float32' });
    expect(bgr.get(0, 5, 7)).toBe(src.get(5, 7, 2));
    const i16 = fromStorage('I;16', [2, 1], new Uint16Array([1000, 65535]));
    expect([...toArray(i16, { dtype: 'float64', scale: 1 / 65535 }).data]).toEqual([1000 / 65535, 1]);
  });

  it('writes into a caller array (one slot of a batch)', async () => {
    const img = await load('jpeg/hopper.jpg');
    const [w, h] = img.size;
    const batch = new Float32Array(2 * 3 * w * h);
    const slot = batch.subarray(3 * w * h);
    const arr = toArray(img, { layout: 'CHW', dtype: 'float32', out: slot });
    expect(arr.data).toBe(slot);
    expect(batch[3 * w * h]).toBe(toArray(img, { copy: false }).get(0, 0, 0));
    expect(() => toArray(img, { dtype: 'float32', out: new Float32Array(3) })).toThrow(InvalidArgumentError);
  });

  it('refuses what cannot be done', async () => {
    const img = await load('jpeg/hopper.jpg');
    expect(() => toArray(img, { copy: false, mode: 'L' })).toThrow(InvalidArgumentError);
    expect(() => toArray(img, { dtype: 'uint8', scale: 2 })).toThrow(InvalidArgumentError);
    expect(() => toArray(img, { mode: 'P' })).toThrow(UnsupportedError);
    expect(() => toArray(img, { layout: 'WHC' as 'HWC' })).toThrow(InvalidArgumentError);
    expect(() => toArray(img, { mean: [1, 2] })).toThrow(InvalidArgumentError);
  });
});
