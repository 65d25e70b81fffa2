/**
 * Resize, reduce, thumbnail and ImageOps against Pillow, bit for bit, on the generated suite
 * of scripts/make-resize-references.py (fixtures/resize: filters x modes x up/down/odd sizes x
 * boxes x reducing gaps, reduce factors and boxes, thumbnail and ImageOps sizes).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetImplementations, useImplementation } from '../../src/kernels/choose.js';
import { readFileSync } from 'node:fs';
import { fixture } from '../helpers/fixtures.js';
import { fromStorage, type Image } from '../../src/image.js';
import { ImageOps, reduce, resize, thumbnail, type ResizeOptions } from '../../src/api/resize.js';
import { allocate, type Mode } from '../../src/core/modes.js';
import type { TypedArray } from '../../src/core/ndarray.js';
import type { Box } from '../../src/core/types.js';

interface Stored { offset: number; bytes: number; dtype: string; shape: number[] }
interface Source extends Stored { mode: Mode; size: [number, number]; palette?: number[] }
interface Case extends Stored {
  op: 'resize' | 'reduce' | 'thumbnail' | 'contain' | 'cover' | 'fit' | 'pad' | 'scale';
  src: string;
  args: unknown[];
  resample?: string;
  box?: number[];
  reducingGap?: number | null;
  bleed?: number;
  centering?: [number, number];
  mode: Mode;
  size: [number, number];
}

const suite = JSON.parse(readFileSync(fixture('resize/cases.json'), 'utf8')) as { sources: Record<string, Source>; cases: Case[] };
const blob = readFileSync(fixture('resize/data.bin'));

function bytesOf(s: Stored): Uint8Array {
  return new Uint8Array(blob.buffer, blob.byteOffset + s.offset, s.bytes);
}

const images = new Map<string, Image>();
function sourceImage(name: string): Image {
  let img = images.get(name);
  if (img !== undefined) return img;
  const s = suite.sources[name];
  if (s === undefined) throw new Error(`no source ${name}`);
  const data: TypedArray = allocate(s.mode, s.size[0], s.size[1]);
  new Uint8Array(data.buffer).set(bytesOf(s));
  const palette = s.palette === undefined ? undefined : { mode: 'RGB' as const, colors: Uint8Array.from(s.palette) };
  img = fromStorage(s.mode, s.size, data, {}, palette);
  images.set(name, img);
  return img;
}

function run(c: Case): Image {
  const img = sourceImage(c.src);
  const resample = c.resample as ResizeOptions['resample'];
  const size = c.args[0] as [number, number];
  switch (c.op) {
    case 'resize': {
      const o: ResizeOptions = {};
      if (resample !== undefined) o.resample = resample;
      if (c.box !== undefined) o.box = c.box as unknown as Box;
      if (c.reducingGap !== undefined && c.reducingGap !== null) o.reducingGap = c.reducingGap;
      return resize(img, size, o);
    }
    case 'reduce': return reduce(img, c.args[0] as number | [number, number], c.box as Box | undefined);
    case 'thumbnail': {
      const o: Parameters<typeof thumbnail>[2] = {};
      if (resample !== undefined) o.resample = resample;
      if (c.reducingGap !== undefined) o.reducingGap = c.reducingGap;
      return thumbnail(img, size, o);
    }
    case 'contain': return ImageOps.contain(img, size);
    case 'cover': return ImageOps.cover(img, size);
    case 'fit': return ImageOps.fit(img, size, { ...(resample === undefined ? {} : { resample }), ...(c.bleed === undefined ? {} : { bleed: c.bleed }), ...(c.centering === undefined ? {} : { centering: c.centering }) });
    case 'pad': return ImageOps.pad(img, size, { ...(resample === undefined ? {} : { resample }), ...(c.centering === undefined ? {} : { centering: c.centering }) });
    case 'scale': return ImageOps.scale(img, c.args[0] as number);
  }
}

function label(c: Case): string {
  const extra = [c.resample, c.box && `box ${c.box.map((v) => +v.toFixed(3)).join(',')}`, c.reducingGap != null && `gap ${c.reducingGap}`, c.bleed && `bleed ${c.bleed}`, c.centering && `centering ${c.centering.join(',')}`].filter(Boolean).join(' ');
  return `${c.op} ${c.src} ${JSON.stringify(c.args)} ${extra}`;
}

/** Largest absolute difference between two stored arrays of the same dtype (for the failure message). */
function maxDiff(got: TypedArray, want: Uint8Array, dtype: string): number {
  const W = dtype.includes('f4') ? Float32Array : dtype.includes('i4') ? Int32Array : dtype.includes('u2') ? Uint16Array : Uint8Array;
  const w = new W(want.slice().buffer);
  let m = 0;
  for (let i = 0; i < w.length; i++) m = Math.max(m, Math.abs((got[i] ?? 0) - (w[i] ?? 0)));
  return m;
}

describe.each(['simd', 'js'] as const)('resize family (%s passes): bit-exact with Pillow on the generated suite', (impl) => {
  beforeAll(() => { useImplementation('resample', impl); });
  afterAll(() => { resetImplementations(); });
  const byOp = new Map<string, Case[]>();
  for (const c of suite.cases) byOp.set(c.op, [...(byOp.get(c.op) ?? []), c]);
  for (const [op, cases] of byOp) {
    it(`${op}: ${cases.length} cases`, () => {
      const failures: string[] = [];
      for (const c of cases) {
        const out = run(c);
        const raster = out._raster();
        const data = raster.pixels.data;
        const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
        const want = bytesOf(c);
        const same = out.mode === c.mode && out.width === c.size[0] && out.height === c.size[1] && Buffer.compare(Buffer.from(bytes), Buffer.from(want)) === 0;
        if (!same) failures.push(`${label(c)}: got ${out.mode} ${out.width}x${out.height}, want ${c.mode} ${c.size.join('x')}, max diff ${out.width === c.size[0] && out.height === c.size[1] ? maxDiff(data, want, c.dtype) : 'n/a'}`);
      }
      expect(failures.slice(0, 20), `${failures.length} of ${cases.length} differ`).toEqual([]);
    });
  }
});
