/**
 * `imread(src, { order })` decodes straight into the requested band order (PNG: permuted on the
 * row copy the decoder makes anyway; JPEG: the back-ends permute their own output), and
 * imread's other toArray options. The reference is always the two-pass result: load the
 * image as usual, then `toArray(img, options)` (whose kernels test/convert and test/swizzle
 * check against Pillow and naive loops).
 */
import { useImplementation } from '../../src/kernels/choose.js';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { exifTranspose, imread, open, toArray, type ReadOptions } from '../../src/index.js';
import { InvalidArgumentError, TruncatedImageError } from '../../src/core/errors.js';
import { seededBytes } from '../helpers/wasm.js';
import { PILLOW_94, fixture, sha256 } from '../helpers/fixtures.js';

const RGB_ORDERS = ['BGR', 'BRG', 'GRB', 'GBR', 'RBG'];
const RGBA_ORDERS = ['BGRA', 'ARGB', 'ABGR', 'GBAR'];

/** sha256 of the array, or the error's code and message. */
function describeArray(a: { data: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }; shape: number[] }): string {
  return `${a.shape.join('x')} ${sha256(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength))}`;
}
function describeError(e: unknown): string {
  return `error ${(e as { code?: string }).code ?? '?'} ${e instanceof Error ? e.message : String(e)}`;
}

/** The two-pass reference: the usual decode, then toArray with the options. */
async function twoPass(bytes: Uint8Array, options: ReadOptions): Promise<string> {
  const { loadTruncated, backend, ...arrayOptions } = options;
  try {
    const img = await (await open(bytes, { loadTruncated: loadTruncated ?? false, backend: backend ?? 'auto' })).load();
    return describeArray(toArray(img, arrayOptions));
  } catch (e) {
    return describeError(e);
  }
}

async function viaImread(bytes: Uint8Array, options: ReadOptions): Promise<string> {
  try {
    return describeArray(await imread(bytes, options));
  } catch (e) {
    return describeError(e);
  }
}

/** Whether the decoder itself applied `order` (imread's fused path), and its result. */
async function fused(bytes: Uint8Array, order: string, loadTruncated = false): Promise<{ ran: boolean; result: string }> {
  const img = await open(bytes, { loadTruncated });
  const bands = img.mode === 'RGB' ? 'RGB' : 'RGBA';
  const perm = Array.from(order, (c) => bands.indexOf(c));
  try {
    const data = await img._decodeReordered(perm);
    return { ran: data !== undefined, result: data === undefined ? 'not fused' : describeArray({ data, shape: img.shape }) };
  } catch (e) {
    return { ran: true, result: describeError(e) };
  }
}

describe('imread order: PNG, decoded in that order', () => {
  afterEach(() => { useImplementation('unfilter', 'simd'); });

  const suite = PILLOW_94.filter((e) => e.name.startsWith('pngsuite/') && e.pillow.ok && (e.pillow.mode === 'RGB' || e.pillow.mode === 'RGBA'));

  it.each(['simd', 'js'] as const)('every RGB / RGBA PngSuite file, every order, %s unfilter', async (kind) => {
    expect(suite.length).toBeGreaterThan(40); // 8/16-bit, Adam7, tRNS, all filter types
    useImplementation('unfilter', kind);
    for (const entry of suite) {
      const bytes = readFileSync(fixture(entry.fixture));
      const orders = entry.pillow.ok && entry.pillow.mode === 'RGB' ? RGB_ORDERS : RGBA_ORDERS;
      for (const order of orders) {
        const want = await twoPass(bytes, { order });
        expect(want, entry.name).not.toMatch(/^error/);
        const got = await fused(bytes, order);
        expect(got.ran, `${entry.name} ${order}`).toBe(true);
        expect(got.result, `${entry.name} ${order}`).toBe(want);
        expect(await viaImread(bytes, { order }), `${entry.name} ${order}`).toBe(want);
      }
    }
  });

  // Rows of 64+ bytes take the SIMD kernels and its permute; narrower ones the JS kernels.
  const cases: [string, number, number, 8 | 16, boolean][] = [];
  for (const bands of [3, 4]) {
    for (const depth of [8, 16] as const) {
      for (const adam7 of [false, true]) {
        for (const width of [203, 9]) cases.push([`${bands} bands ${depth}-bit ${width} px${adam7 ? ' Adam7' : ''}`, bands, width, depth, adam7]);
      }
    }
  }
  it.each(cases)('%s, mixed filters, whole and truncated, both unfilter paths', async (_name, bands, width, depth, adam7) => {
    const H = 57;
    const noise = seededBytes(width * H * bands * 2, bands * depth + width);
    const px = depth === 8 ? new Uint8Array(width * H * bands) : new Uint16Array(width * H * bands);
    for (let i = 0; i < px.length; i++) px[i] = depth === 8 ? (i * 7 + (noise[i] & 31)) & 255 : ((i * 7) & 255) * 257 + noise[i];
    const png = await sharp(px, { raw: { width, height: H, channels: bands as 3 | 4 } })
      .toColourspace(depth === 16 ? 'rgb16' : 'srgb')
      .png({ adaptiveFiltering: true, progressive: adam7, compressionLevel: 1 })
      .toBuffer();
    const orders = bands === 3 ? RGB_ORDERS : RGBA_ORDERS;
    for (const kind of ['simd', 'js'] as const) {
      useImplementation('unfilter', kind);
      for (const order of orders) {
        const want = await twoPass(png, { order });
        expect(want).not.toMatch(/^error/);
        expect((await fused(png, order)).result, `${kind} ${order}`).toBe(want);
      }
      for (const frac of [0.4, 0.8]) {
        const cut = png.subarray(0, Math.floor(png.length * frac));
        for (const loadTruncated of [false, true]) {
          const want = await twoPass(cut, { order: orders[0], loadTruncated });
          const got = await fused(cut, orders[0] ?? '', loadTruncated);
          expect(got.ran).toBe(true);
          expect(got.result, `${kind} ${frac} ${loadTruncated}`).toBe(want);
        }
      }
    }
  });

  it('a truncated file gives the same typed error as the plain decode', async () => {
    const bytes = readFileSync(fixture('png/pngsuite/basn2c08.png'));
    const cut = bytes.subarray(0, bytes.length - 40);
    await expect(imread(cut, { order: 'BGR' })).rejects.toBeInstanceOf(TruncatedImageError);
    expect(await viaImread(cut, { order: 'BGR' })).toBe(await twoPass(cut, {}));
  });

  it('leaves the input bytes untouched', async () => {
    const bytes = new Uint8Array(readFileSync(fixture('png/pngsuite/basn6a08.png')));
    const before = sha256(bytes);
    await imread(bytes, { order: 'ABGR' });
    expect(sha256(bytes)).toBe(before);
  });
});

describe('imread order: where the decoder cannot, the two-pass result', () => {
  it.each([
    ['an animated PNG (frame 0)', 'extra/apng_RGBA_d0_b0.png', 'BGRA'],
    ['a grey PNG (one band)', 'png/pngsuite/basn0g08.png', 'L'],
    ['a palette PNG', 'png/pngsuite/basn3p08.png', 'P'],
    ['RGBA, alpha dropped', 'png/pngsuite/basn6a08.png', 'BGR'],
    ['RGB, bands repeated', 'png/pngsuite/basn2c08.png', 'GGG'],
    ['a CMYK JPEG', 'jpeg/pil_sample_cmyk.jpg', 'KYMC'],
  ])('%s', async (_name, file, order) => {
    const bytes = readFileSync(fixture(file));
    const img = await open(bytes);
    const bands = img.getBands().join('');
    const perm = Array.from(order, (c) => bands.indexOf(c));
    const permutes = perm.length === bands.length && new Set(perm).size === perm.length;
    if (permutes && perm.some((p, i) => p !== i)) expect(await img._decodeReordered(perm)).toBeUndefined();
    const want = await twoPass(bytes, { order });
    expect(want).not.toMatch(/^error/);
    expect(await viaImread(bytes, { order })).toBe(want);
  });
});

describe('imread order: JPEG', () => {
  const files = ['jpeg/hopper.jpg', 'jpeg/testorig.jpg', 'jpeg/flower.jpg', 'jpeg/pil_sample_rgb.jpg'];
  it.each(['sharp', 'js'] as const)('RGB files on the %s back-end, every order', async (backend) => {
    for (const file of files) {
      const bytes = readFileSync(fixture(file));
      for (const order of RGB_ORDERS) {
        const want = await twoPass(bytes, { order, backend });
        expect(want, file).not.toMatch(/^error/);
        const img = await open(bytes, { backend });
        const data = await img._decodeReordered(Array.from(order, (c) => 'RGB'.indexOf(c)));
        expect(data, `${file} ${order}`).toBeDefined();
        expect(describeArray({ data: data ?? new Uint8Array(0), shape: img.shape }), `${file} ${order}`).toBe(want);
        expect(await viaImread(bytes, { order, backend }), `${file} ${order}`).toBe(want);
      }
    }
  });

  it('a truncated JPEG: the same error, or with loadTruncated the same partial image', async () => {
    const bytes = readFileSync(fixture('jpeg/hopper.jpg'));
    const cut = bytes.subarray(0, Math.floor(bytes.length * 0.6));
    for (const loadTruncated of [false, true]) {
      const want = await twoPass(cut, { order: 'BGR', loadTruncated });
      expect(await viaImread(cut, { order: 'BGR', loadTruncated })).toBe(want);
    }
  });
});

describe('imread with toArray options', () => {
  const bytes = readFileSync(fixture('png/pngsuite/basn2c08.png'));
  it.each<[string, ReadOptions]>([
    ['mode L', { mode: 'L' }],
    ['CHW float32 normalised', { layout: 'CHW', dtype: 'float32', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }],
    ['BGR with dtype float32', { order: 'BGR', dtype: 'float32' }],
    ['mode 1 without dither', { mode: '1', dither: 'none' }],
  ])('%s: the decode, then toArray', async (_name, options) => {
    const want = await twoPass(bytes, options);
    expect(want).not.toMatch(/^error/);
    expect(await viaImread(bytes, options)).toBe(want);
  });

  it('out: decodes, then fills the caller array, and returns it', async () => {
    const out = new Uint8Array(32 * 32 * 3);
    const arr = await imread(bytes, { order: 'BGR', out });
    expect(arr.data).toBe(out);
    expect(describeArray(arr)).toBe(await twoPass(bytes, { order: 'BGR' }));
  });

  it('bad options are InvalidArgumentErrors naming the option', async () => {
    await expect(imread(bytes, { order: 'BGX' })).rejects.toThrow(/letters of the RGB bands.*options\.order/);
    await expect(imread(bytes, { order: 'BGX' })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(imread(bytes, { layout: 'WHC' as 'HWC' })).rejects.toThrow(/options\.layout/);
    await expect(imread(bytes, 'BGR' as unknown as ReadOptions)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(imread(bytes, { loadTruncated: 1 as unknown as boolean, order: 'BGR' })).rejects.toThrow(/options\.loadTruncated/);
  });

  it("the mode's own order is the plain decode; copy is refused (imread's array is always owned)", async () => {
    expect(describeArray(await imread(bytes, { order: 'RGB' }))).toBe(describeArray(await imread(bytes)));
    await expect(imread(bytes, { copy: false } as ReadOptions)).rejects.toThrow(/options\.copy/);
  });

  it('the types follow the options', async () => {
    const f32 = await imread(bytes, { dtype: 'float32' });
    const bgr = await imread(bytes, { order: 'BGR' });
    expect(f32.data).toBeInstanceOf(Float32Array);
    expect(bgr.data).toBeInstanceOf(Uint8Array);
    const check: Float32Array = f32.data; // compile-time: ToArrayResult picks Float32Array
    expect(check.length).toBe(32 * 32 * 3);
  });
});

describe('imread as an OpenCV user expects', () => {
  it("order 'BGR' on a grey image converts to RGB first (OpenCV's imread gives colour)", async () => {
    const path = fixture('jpeg/hopper_gray.jpg');
    const bgr = await imread(path, { order: 'BGR' });
    expect(bgr.shape).toEqual([128, 128, 3]);
    const img = await (await open(path)).load();
    expect(Array.from(bgr.data)).toEqual(Array.from(toArray(img, { mode: 'RGB', order: 'BGR' }).data));
  });
  it('autoOrient applies the EXIF orientation', async () => {
    const path = fixture('webp/hopper_orientation_6.webp');
    const upright = await imread(path, { autoOrient: true });
    const img = await (await open(path)).load();
    const want = toArray(await exifTranspose(img));
    expect(upright.shape).toEqual(want.shape);
    expect(Array.from(upright.data)).toEqual(Array.from(want.data));
    expect(Array.from(upright.data)).not.toEqual(Array.from(toArray(img).data));
  });
});
