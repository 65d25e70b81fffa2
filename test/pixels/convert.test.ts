/**
 * convert() and the raw encoder against Pillow (fixtures/convert-reference.json, made by
 * scripts/make-convert-references.py with Debian's Pillow 9.4; current-Pillow rules where
 * they differ are marked `emulated` there): every PngSuite file and a synthetic image of
 * every storage mode, to every target mode; toBytes() in 26 raw modes; all 2^24 RGB colours.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  fromStorage, open, toArray, toBytes, encoder, encodeInto, crop, fliplr, DTYPES, MODES, isMode,
  UnsupportedError, InvalidArgumentError, type Image, type ImageInfo, type Mode,
} from '../../src/index.js';
import { fixture, sha256 } from '../helpers/fixtures.js';

interface Rec { mode?: string; shape?: number[]; dtype?: string; sha256?: string; transparency?: unknown; error?: string; via?: string }
interface Case { source?: string; mode?: string; size?: [number, number]; transparency?: unknown; convert?: Record<string, Rec>; tobytes?: Record<string, Rec> }
const REF = JSON.parse(readFileSync(fixture('convert-reference.json'), 'utf8')) as Record<string, Case>;

function decodeTransparency(t: unknown): NonNullable<ImageInfo['transparency']> {
  if (typeof t === 'string' && t.startsWith('bytes:')) return new Uint8Array(Buffer.from(t.slice(6), 'hex'));
  return t as number | [number, number, number];
}
function shownTransparency(t: unknown): unknown {
  return t instanceof Uint8Array ? `bytes:${Buffer.from(t).toString('hex')}` : t;
}

const palette = new Uint8Array(readFileSync(fixture('convert/palette.bin')));
function synthetic(c: Case): Image {
  const mode = c.mode as Mode;
  const bytes = readFileSync(fixture(c.source ?? ''));
  const Ctor = DTYPES[MODES[mode].dtype];
  const data = new Ctor(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const info: ImageInfo = c.transparency === undefined ? {} : { transparency: decodeTransparency(c.transparency) };
  const [w, h] = c.size ?? [0, 0];
  return fromStorage(mode, [w, h], data as never, info, mode === 'P' ? { mode: 'RGB', colors: palette } : undefined);
}

async function check(img: Image, target: string, rec: Rec): Promise<void> {
  const mode = target === '1:none' ? '1' : target;
  const options = target === '1:none' ? { dither: 'none' as const } : undefined;
  if (!isMode(mode)) throw new Error(mode);
  if (rec.error !== undefined) {
    await expect(img.convert(mode, options)).rejects.toBeInstanceOf(UnsupportedError);
    return;
  }
  const out = await img.convert(mode, options);
  expect(out.mode).toBe(rec.mode);
  const arr = toArray(out, { copy: false });
  expect(arr.shape).toEqual(rec.shape);
  expect(sha256(arr.data)).toBe(rec.sha256);
  expect(shownTransparency(out.info.transparency)).toEqual(rec.transparency);
}

describe('convert() equals Pillow', () => {
  const png = Object.keys(REF).filter((k) => k.startsWith('png/'));
  it('covers PngSuite and every synthetic mode', () => {
    expect(png.length).toBeGreaterThan(150);
    const modes = new Set(Object.values(REF).map((c) => c.mode).filter(Boolean));
    expect([...modes].sort()).toEqual(['1', 'CMYK', 'F', 'I', 'I;16', 'L', 'LA', 'P', 'RGB', 'RGBA', 'RGBX']);
  });
  for (const name of png) {
    it(`${name} to every mode`, async () => {
      const img = await open(fixture(name));
      await img.load();
      for (const [target, rec] of Object.entries(REF[name]?.convert ?? {})) {
        await check(img, target, rec).catch((err: unknown) => {
          throw new Error(`${name} -> ${target}: ${String(err)}`);
        });
      }
    });
  }
  for (const [key, c] of Object.entries(REF).filter(([k]) => k.startsWith('synthetic:'))) {
    it(`${key} to every mode`, async () => {
      const img = synthetic(c);
      for (const [target, rec] of Object.entries(c.convert ?? {})) {
        await check(img, target, rec).catch((err: unknown) => {
          throw new Error(`${key} -> ${target}: ${String(err)}`);
        });
      }
    });
  }
  it('does not modify the source image or its info', async () => {
    const c = REF['synthetic:P:trns'];
    if (c === undefined) throw new Error('missing case');
    const img = synthetic(c);
    const before = sha256(toArray(img).data);
    await img.convert('RGBA');
    expect(img.info.transparency).toBe(7);
    expect(sha256(toArray(img).data)).toBe(before);
  });
});

describe('all 2^24 RGB colours', () => {
  const side = 4096;
  const rgb = new Uint8Array(side * side * 3);
  for (let v = 0, o = 0; v < 1 << 24; v++, o += 3) {
    rgb[o] = v >> 16;
    rgb[o + 1] = (v >> 8) & 255;
    rgb[o + 2] = v & 255;
  }
  const img = fromStorage('RGB', [side, side], rgb);
  for (const [target, rec] of Object.entries(REF.allrgb ?? {})) {
    if (typeof rec !== 'object') continue;
    it(`RGB -> ${target} equals Pillow for every colour`, async () => {
      await check(img, target, rec as Rec);
    });
  }
  it("is Pillow's fixed-point L, not round(299/587/114): they differ for 9040 colours", async () => {
    expect((REF.allrgb as Record<string, unknown>).differs_from_rounded_299_587_114).toBe(9040);
    const l = toArray(await img.convert('L'), { copy: false }).data;
    let differ = 0;
    for (let v = 0, o = 0; v < 1 << 24; v++, o += 3) {
      const rounded = Math.floor((rgb[o] * 299 + rgb[o + 1] * 587 + rgb[o + 2] * 114) / 1000 + 0.5);
      if (l[v] !== rounded) differ++;
    }
    expect(differ).toBe(9040);
  });
});

describe('tobytes() equals Pillow', () => {
  for (const [key, c] of Object.entries(REF).filter(([, c]) => c.tobytes !== undefined)) {
    it(`${key}: every raw mode`, () => {
      const img = synthetic(c);
      for (const [raw, rec] of Object.entries(c.tobytes ?? {})) {
        const rawmode = raw === 'own' ? undefined : raw;
        if (rec.error !== undefined) {
          expect(() => toBytes(img, rawmode), `${key} ${raw}`).toThrow(UnsupportedError);
          continue;
        }
        expect(sha256(toBytes(img, rawmode)), `${key} ${raw}`).toBe(rec.sha256);
        expect(sha256(img.toBytes(rawmode)), `${key} ${raw}`).toBe(rec.sha256);
      }
    });
  }
  it('encode(bufsize) yields whole rows that join to toBytes()', () => {
    const c = REF['synthetic:RGB'];
    if (c === undefined) throw new Error('missing case');
    const img = synthetic(c);
    for (const [raw, bufsize] of [['RGB', 1], ['BGRA', 500], ['1', 64], ['L', 1 << 20]] as const) {
      const enc = encoder(img, raw);
      const blocks = [...enc.encode(bufsize)];
      for (const b of blocks) expect(b.length % enc.rowBytes).toBe(0);
      expect(blocks.length).toBe(Math.ceil(img.height / Math.max(1, Math.floor(bufsize / enc.rowBytes))));
      const streamed = new Uint8Array(enc.byteLength);
      let at = 0;
      for (const b of blocks) {
        streamed.set(b, at);
        at += b.length;
      }
      expect(at).toBe(enc.byteLength);
      expect(streamed).toEqual(toBytes(img, raw));
    }
  });
  it("the storage's own layout (copied without planning an encoder) equals the planned blocks, from views too", () => {
    const joined = (img: Image, raw: string) => { // the planned encoder's blocks, in order
      const enc = encoder(img, raw);
      const all = Buffer.alloc(enc.byteLength);
      let at = 0;
      for (const block of enc.encode(4096)) {
        all.set(block, at);
        at += block.length;
      }
      expect(at).toBe(enc.byteLength);
      return all;
    };
    let plain = 0;
    for (const [key, c] of Object.entries(REF).filter(([k]) => k.startsWith('synthetic:'))) {
      const whole = synthetic(c);
      const [w, h] = whole.size;
      if (h < 2) continue;
      // full rows from the second one: packed, at an element offset into the storage
      for (const img of [whole, crop(whole, [0, 1, w, h])]) {
        const raw = img.mode; // its own raw mode; the bit-packed '1' is planned, the rest copied
        const want = joined(img, raw);
        const kept = toArray(whole).data.slice();
        const bytes = toBytes(img, raw);
        expect(Buffer.from(bytes).equals(want), `${key} toBytes`).toBe(true);
        expect(bytes.buffer).not.toBe(toArray(img, { copy: false }).data.buffer); // a copy, not the storage
        const dest = new Uint8Array(want.length + 5).fill(9);
        expect(encodeInto(img, dest.subarray(2, 2 + want.length))).toBe(want.length);
        expect(Buffer.from(dest.subarray(2, 2 + want.length)).equals(want), `${key} encodeInto`).toBe(true);
        expect([...dest.subarray(0, 2), ...dest.subarray(2 + want.length)]).toEqual([9, 9, 9, 9, 9]);
        const at3 = new Uint8Array(want.length + 3).fill(9); // the encoder object's copy, at an offset
        expect(encoder(img, raw).encodeInto(at3, 3)).toBe(want.length);
        expect(Buffer.from(at3.subarray(3)).equals(want), `${key} encoder().encodeInto`).toBe(true);
        expect([...at3.subarray(0, 3)]).toEqual([9, 9, 9]);
        if (want.length > 0) expect(() => encodeInto(img, new Uint8Array(want.length - 1))).toThrow(/needs/);
        expect(toArray(whole).data).toEqual(kept);
        if (raw !== '1') plain++;
      }
      if (whole.mode !== '1') { // a strided view: gathered block by block, the bytes of its owned copy
        const owned = toArray(fliplr(whole)).data;
        const want = Buffer.from(owned.buffer, owned.byteOffset, owned.byteLength);
        expect(Buffer.from(toBytes(fliplr(whole))).equals(want), `${key} fliplr`).toBe(true);
        const dest = new Uint8Array(want.length);
        expect(encoder(fliplr(whole)).encodeInto(dest)).toBe(want.length);
        expect(Buffer.from(dest).equals(want), `${key} fliplr encodeInto`).toBe(true);
      }
    }
    expect(plain).toBeGreaterThanOrEqual(16);
  });
  it('encodeInto fills a caller buffer at an offset, and refuses one too small', () => {
    const c = REF['synthetic:I'];
    if (c === undefined) throw new Error('missing case');
    const img = synthetic(c);
    const want = toBytes(img, 'I;16B');
    const dest = new Uint8Array(want.length + 3).fill(7);
    expect(encoder(img, 'I;16B').encodeInto(dest, 3)).toBe(want.length);
    expect(Buffer.from(dest.subarray(3)).equals(Buffer.from(want))).toBe(true);
    expect(dest.subarray(0, 3)).toEqual(new Uint8Array([7, 7, 7]));
    expect(() => encodeInto(img, new Uint8Array(want.length - 1), 'I;16B')).toThrow(InvalidArgumentError);
    expect(() => toBytes(img, 'NOPE')).toThrow(InvalidArgumentError);
  });
});
