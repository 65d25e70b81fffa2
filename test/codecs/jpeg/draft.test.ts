/**
 * `Image.draft` / `open(src, { draft })` against Pillow's JpegImagePlugin.draft
 * (fixtures/jpeg-draft-reference.json, scripts/make-jpeg-draft-references.py): the value it
 * returns, a second call, the mode and size it leaves, and the drafted pixels, for every DCT
 * scale, L / YCbCr from RGB files, grey, CMYK, progressive, arithmetic, MPO.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { open, toArray, imread, imreadBatch, type Mode } from '../../../src/index.js';
import { nativeJpeg } from '../../../src/kernels/native.js';
import { fixture, sha256 } from '../../helpers/fixtures.js';

interface DraftRecord {
  file: string;
  mode: Mode | null;
  size: [number, number] | null;
  result: [Mode, number[]] | null;
  second: [Mode, number[]] | null;
  image: { mode: Mode; size: [number, number] };
  array: { shape: number[]; sha256: string };
}
const REF = JSON.parse(readFileSync(fixture('jpeg-draft-reference.json'), 'utf8')) as { records: DraftRecord[]; afterLoad: null };
const native = nativeJpeg() !== null;

describe.runIf(native)('draft with the native decoder equals Pillow', () => {
  it(`${REF.records.length} requests: return value, second call, mode, size and pixels`, async () => {
    for (const r of REF.records) {
      const what = `${r.file} draft(${String(r.mode)}, ${JSON.stringify(r.size)})`;
      const img = await open(fixture(r.file));
      expect(img.draft(r.mode, r.size), what).toEqual(r.result);
      expect(img.draft('L', [1, 1]), what).toEqual(r.second);
      expect([img.mode, [...img.size]], what).toEqual([r.image.mode, r.image.size]);
      await img.load();
      const a = toArray(img, { copy: false });
      expect(a.shape, what).toEqual(r.array.shape);
      expect(sha256(a.data), what).toBe(r.array.sha256);
    }
  });

  it('open(src, { draft }) and imread: one step, the same pixels', async () => {
    const r = REF.records.find((x) => x.file === 'jpeg/flower.jpg' && x.mode === 'L' && x.size !== null);
    expect(r).toBeDefined();
    const a = await imread(fixture(r!.file), { draft: { mode: r!.mode, size: r!.size } });
    expect(a.shape).toEqual(r!.array.shape);
    expect(sha256(a.data)).toBe(r!.array.sha256);
    const img = await open(fixture(r!.file), { draft: { size: r!.size } });
    expect(img.mode).toBe('RGB');
    expect(img.width).toBeLessThan(r!.image.size[0] * 2);
  });

  it('imreadBatch decodes drafted images straight into the batch (BGR too)', async () => {
    const r = REF.records.find((x) => x.file === 'jpeg/hopper.jpg' && x.mode === null && x.size?.[0] === 32);
    const files = [fixture('jpeg/hopper.jpg'), fixture('jpeg/hopper.jpg')];
    for (const workers of [0, 2]) {
      const batch = await imreadBatch(files, { workers, open: { draft: { size: [32, 32] } } });
      expect(batch.shape).toEqual([2, ...r!.array.shape]);
      const data = batch.data as Uint8Array;
      expect(sha256(data.subarray(data.length / 2))).toBe(r!.array.sha256);
      const bgr = (await imreadBatch(files, { workers, order: 'BGR', open: { draft: { size: [32, 32] } } })).data as Uint8Array;
      expect([...bgr.subarray(0, 3)]).toEqual([data[2], data[1], data[0]]);
    }
  });

  it('is ignored after load, under the other back-ends, and on formats without it', async () => {
    const loaded = await (await open(fixture('jpeg/hopper.jpg'))).load();
    expect(loaded.draft('L', [16, 16])).toBe(REF.afterLoad);
    for (const backend of ['sharp', 'js'] as const) {
      const img = await open(fixture('jpeg/hopper.jpg'), { backend });
      expect(img.draft('L', [16, 16])).toBeNull();
      expect(img.size).toEqual([128, 128]);
    }
    const png = await open(fixture('png/pngsuite/basn6a08.png'), { draft: { size: [8, 8] } });
    expect(png.size).toEqual([32, 32]);
  });

  it('seek leaves a draft behind (the frame decodes at its own size)', async () => {
    const img = await open(fixture('jpeg/frame_size.mpo'));
    const full = [...img.size];
    expect(img.draft(null, [Math.floor(full[0] / 2), Math.floor(full[1] / 2)])).not.toBeNull();
    await img.seek(1);
    await img.seek(0);
    expect([...img.size]).toEqual(full);
    await img.load();
    expect(toArray(img, { copy: false }).shape.slice(0, 2)).toEqual([full[1], full[0]]);
  });
});

describe('draft arguments', () => {
  it('rejects bad modes and sizes with InvalidArgumentError', async () => {
    const img = await open(fixture('jpeg/hopper.jpg'));
    // @ts-expect-error: not a mode
    expect(() => img.draft('XYZ', null)).toThrow(/mode/);
    expect(() => img.draft(null, [0, 10])).toThrow(/positive integers/); // Pillow: ZeroDivisionError
    // @ts-expect-error: not a size
    expect(() => img.draft(null, [10])).toThrow(/positive integers/);
    // @ts-expect-error: unknown key
    await expect(open(fixture('jpeg/hopper.jpg'), { draft: { scale: 2 } })).rejects.toMatchObject({ code: 'ERR_IMARRAY_INVALID_ARGUMENT' });
    if (!native) expect(img.draft('L', [16, 16])).toBeNull(); // without the native decoder: Pillow's "not configured"
  });
});
