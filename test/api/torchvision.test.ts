/**
 * torchvisionPreprocess against torchvision 0.14 on Pillow (scripts/make-torchvision-references.py):
 * T.Resize (int, (h, w), max_size, bicubic), T.CenterCrop (inside and larger than the image),
 * T.ToTensor and T.Normalize, bit for bit in float32.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fixture } from '../helpers/fixtures.js';
import { fromStorage } from '../../src/image.js';
import { centerCropBox, torchvisionPreprocess, torchvisionResizeSize, transforms, type TorchvisionOptions } from '../../src/api/torchvision.js';
import type { NdArray } from 'ndarray';
import { toArray } from '../../src/api/to-array.js';
import { InvalidArgumentError, UnsupportedError } from '../../src/core/errors.js';

interface Stored { offset: number; bytes: number; shape: number[] }
interface Source extends Stored { mode: 'RGB' | 'L'; size: [number, number] }
interface Case extends Partial<Stored> { src: string; options: TorchvisionOptions; shape: number[]; sha256: string }

const suite = JSON.parse(readFileSync(fixture('torchvision/cases.json'), 'utf8')) as { sources: Record<string, Source>; cases: Case[] };
const blob = readFileSync(fixture('torchvision/data.bin'));
const slice = (s: { offset: number; bytes: number }) => blob.subarray(s.offset, s.offset + s.bytes);

describe('torchvisionPreprocess equals torchvision on PIL images', () => {
  for (const c of suite.cases) {
    it(`${c.src} ${JSON.stringify(c.options)}`, () => {
      const s = suite.sources[c.src];
      if (s === undefined) throw new Error(`no source ${c.src}`);
      const img = fromStorage(s.mode, s.size, Uint8Array.from(slice(s)));
      const out = torchvisionPreprocess(img, c.options);
      expect(out.shape).toEqual(c.shape);
      const bytes = Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength);
      if (c.offset !== undefined && c.bytes !== undefined) {
        const want = new Float32Array(Uint8Array.from(slice({ offset: c.offset, bytes: c.bytes })).buffer);
        let worst = 0;
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs((out.data[i] ?? 0) - (want[i] ?? 0)));
        expect(worst).toBe(0);
      }
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(c.sha256);
    });
  }
});

describe('torchvision sizing rules', () => {
  it('short side to the size, long side truncated; max_size caps it', () => {
    expect(torchvisionResizeSize(500, 375, 256)).toEqual([341, 256]);
    expect(torchvisionResizeSize(375, 500, 256)).toEqual([256, 341]);
    expect(torchvisionResizeSize(1000, 100, 50, 200)).toEqual([200, 20]);
    expect(torchvisionResizeSize(640, 480, [100, 200])).toEqual([200, 100]);
  });
  it('center crop offsets round half to even; larger crops pad', () => {
    expect(centerCropBox(341, 256, 224)).toEqual([58, 16, 282, 240]);
    expect(centerCropBox(5, 5, 2)).toEqual([2, 2, 4, 4]); // round(1.5) == 2
    expect(centerCropBox(6, 6, 1)).toEqual([2, 2, 3, 3]); // round(2.5) == 2
    expect(centerCropBox(30, 40, 48)).toEqual([-9, -4, 39, 44]);
  });
  it('the fused crop equals a crop of the resized image', () => {
    const s = suite.sources['rgb-160x120'];
    if (s === undefined) throw new Error('no source');
    const img = fromStorage('RGB', s.size, Uint8Array.from(slice(s)));
    const fused = toArray(img, { resize: { size: [90, 70], resample: 'bilinear' }, crop: [-3, 5, 80, 75] });
    const small = toArray(img, { resize: { size: [90, 70], resample: 'bilinear' } });
    for (const [x, y] of [[0, 0], [3, 0], [10, 10], [82, 64], [1, 66], [40, 69]] as [number, number][]) {
      const inside = x - 3 >= 0 && x - 3 < 90 && y + 5 < 70;
      for (let c = 0; c < 3; c++) expect(fused.get(y, x, c)).toBe(inside ? small.get(y + 5, x - 3, c) : 0);
    }
  });
  it('bad arguments', () => {
    const img = fromStorage('RGB', [10, 10], new Uint8Array(300));
    expect(() => torchvisionPreprocess(img, { resize: 0 })).toThrow(InvalidArgumentError);
    expect(() => torchvisionPreprocess(img, { resize: 8, maxSize: 8 })).toThrow(/maxSize/);
    expect(() => torchvisionPreprocess(img, { mean: [0, 0, 0] })).toThrow(/mean and std/);
    expect(() => torchvisionPreprocess(img, { crops: 3 } as TorchvisionOptions)).toThrow(/unknown option "crops"/);
    expect(() => torchvisionPreprocess(fromStorage('F', [4, 4], new Float32Array(16)))).toThrow(UnsupportedError);
  });
});

describe('transforms.Compose of Resize, CenterCrop, ToTensor, Normalize equals torchvision', () => {
  for (const c of suite.cases.filter((k) => k.options.mean !== undefined || k.options.crop !== undefined || k.options.resize !== undefined)) {
    it(`${c.src} ${JSON.stringify(c.options)}`, () => {
      const s = suite.sources[c.src];
      if (s === undefined) throw new Error(`no source ${c.src}`);
      const img = fromStorage(s.mode, s.size, Uint8Array.from(slice(s)));
      const o = c.options;
      const steps = [
        ...(o.resize === undefined ? [] : [transforms.Resize(o.resize, { ...(o.maxSize === undefined ? {} : { maxSize: o.maxSize }), ...(o.resample === undefined ? {} : { interpolation: o.resample }) })]),
        ...(o.crop === undefined ? [] : [transforms.CenterCrop(o.crop)]),
        transforms.ToTensor(),
        ...(o.mean === undefined || o.std === undefined ? [] : [transforms.Normalize(o.mean, o.std)]),
      ];
      const out = transforms.Compose<NdArray<Float32Array>>(steps)(img);
      expect(out.shape).toEqual(c.shape);
      expect(createHash('sha256').update(Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength)).digest('hex')).toBe(c.sha256);
    });
  }
});
