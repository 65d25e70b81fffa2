/**
 * TIFF beyond the pixel conformance (test/conformance): `info` frame by frame against Pillow's
 * (fixtures/tiff-info-reference.json, scripts/make-tiff-info-references.py), the header read
 * without decoding, orientation, back-ends, limits before allocation, truncation and damaged
 * files as typed errors, and the decompressors on hand-made data.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { open, toArray, DecompressionBombError, TruncatedImageError, UnsupportedError, DecodeError, ImarrayError } from '../../../src/index.js';
import { nativeJpeg, nativeLzma } from '../../../src/kernels/native.js';
import { ycbcrTables } from '../../../src/codecs/tiff/ojpeg.js';
import { lzwDecode, packBitsDecode, horizontalPredictor, floatPredictor } from '../../../src/codecs/tiff/decompress.js';
import { fixture } from '../../helpers/fixtures.js';

const refs = (JSON.parse(readFileSync(fixture('tiff-info-reference.json'), 'utf8')) as { files: Record<string, Record<string, unknown>[]> }).files;

const rendered = (v: unknown): unknown =>
  v instanceof Uint8Array ? { len: v.length, sha256: createHash('sha256').update(v).digest('hex') } : Array.isArray(v) ? v.map(Number) : v;
const KEYS = ['compression', 'dpi', 'resolution', 'icc_profile', 'xmp'];

describe('TIFF info equals Pillow, frame by frame', () => {
  for (const [file, frames] of Object.entries(refs)) {
    it(file, async () => {
      const img = await open(fixture(file));
      for (const [i, want] of frames.entries()) {
        await img.seek(i);
        const got = Object.fromEntries(KEYS.filter((k) => k in img.info && k in want).map((k) => [k, rendered(img.info[k])]));
        const missing = Object.keys(want).filter((k) => !(k in img.info));
        expect(missing, `${file} frame ${i}: keys Pillow has`).toEqual([]);
        for (const [k, v] of Object.entries(want)) {
          if (Array.isArray(v)) (got[k] as number[]).forEach((g, j) => { expect(g, `${file} frame ${i} ${k}`).toBeCloseTo(v[j] as number, 6); });
          else expect(got[k], `${file} frame ${i} ${k}`).toEqual(v);
        }
      }
      await img.close();
    });
  }
});

/** A little-endian baseline TIFF: one IFD of `entries` ([tag, type, count, value or bytes]) after `data` at offset 8. */
function tiff(entries: [number, number, number, number | Uint8Array][], data: Uint8Array): Uint8Array {
  const ifdAt = 8 + data.length + (data.length & 1);
  const extraAt = ifdAt + 2 + entries.length * 12 + 4;
  const extras: Uint8Array[] = [];
  let extraLen = 0;
  const out = new Uint8Array(extraAt + entries.reduce((n, e) => n + (e[3] instanceof Uint8Array ? e[3].length + 1 : 0), 0) + 2);
  const v = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0]);
  v.setUint32(4, ifdAt, true);
  out.set(data, 8);
  v.setUint16(ifdAt, entries.length, true);
  entries.sort((a, b) => a[0] - b[0]).forEach(([tag, type, count, value], i) => {
    const p = ifdAt + 2 + i * 12;
    v.setUint16(p, tag, true);
    v.setUint16(p + 2, type, true);
    v.setUint32(p + 4, count, true);
    if (value instanceof Uint8Array) {
      const at = extraAt + extraLen;
      out.set(value, at);
      extras.push(value);
      extraLen += value.length + (value.length & 1);
      v.setUint32(p + 8, at, true);
    } else if (type === 3) v.setUint16(p + 8, value, true);
    else v.setUint32(p + 8, value, true);
  });
  return out;
}

const SHORT = 3;
const LONG = 4;
/** A w x h grey image's tags, its strip at offset 8 of `bytes` bytes. */
const grey = (w: number, h: number, bytes: number, compression = 1, more: [number, number, number, number | Uint8Array][] = []): [number, number, number, number | Uint8Array][] => [
  [256, LONG, 1, w], [257, LONG, 1, h], [258, SHORT, 1, 8], [259, SHORT, 1, compression], [262, SHORT, 1, 1],
  [273, LONG, 1, 8], [277, SHORT, 1, 1], [278, LONG, 1, h], [279, LONG, 1, bytes], ...more,
];

describe('TIFF decoding', () => {
  it('open reads the header only; every page is a frame', async () => {
    const img = await open(fixture('tiff/multipage.tiff'));
    expect([img.loaded, img.format, img.mode, img.size, img.nFrames]).toEqual([false, 'TIFF', 'P', [10, 10], 3]);
    await img.seek(2);
    await img.load();
    expect(img.tell()).toBe(2);
    await img.close();
  });
  it('orientation: stored 88x590 for 5-8, reported and decoded 590x88 like 1-4 (pixels: test/conformance)', async () => {
    for (let o = 1; o <= 8; o++) {
      const bytes = readFileSync(fixture(`tiff/g4_orientation_${o}.tif`));
      const img = await open(bytes);
      expect(img.size, `orientation ${o}`).toEqual([590, 88]);
      expect(toArray(await img.load()).shape, `orientation ${o}`).toEqual([88, 590]);
    }
  });
  it("backend 'js' decodes LZW/Deflate/PackBits and refuses what only sharp decodes", async () => {
    const lzw = await open(fixture('tiff/hopper_lzw.tif'), { backend: 'js' });
    expect(toArray(await lzw.load()).shape).toEqual([128, 128, 3]);
    const jpeg = await open(fixture('tiff/hopper_jpg.tif'), { backend: 'js' });
    await expect(jpeg.load()).rejects.toBeInstanceOf(UnsupportedError);
    // LZMA is liblzma's, in the native kernel: 'js' names why it cannot
    await expect((await open(fixture('tiff/hopper_lzma.tif'), { backend: 'js' })).load()).rejects.toThrow(/lzma \(34925\) is not supported: backend 'js'/);
  });
  it.runIf(nativeLzma() !== null)('LZMA strips decode with liblzma as libtiff does; a damaged stream is DecodeError, a cut file TruncatedImageError', async () => {
    const good = new Uint8Array(readFileSync(fixture('tiff/hopper_lzma.tif')));
    expect(toArray(await (await open(good)).load()).shape).toEqual([128, 128, 3]);
    const lz = nativeLzma()!;
    const out = new Uint8Array(10);
    expect(() => lz.decodeSync(Uint8Array.from({ length: 32 }, (_, i) => i + 1), out)).toThrow(/LZMA: not an \.xz stream/);
    expect(() => lz.decodeSync(good.subarray(0, 8), out)).toThrow(/LZMA: the data ends early/);
    const bad = Uint8Array.from(good);
    for (let i = 200; i < 1200; i += 5) bad[i] ^= 0x5a;
    const err: unknown = await open(bad).then((img) => img.load()).then(() => 'ok', (e: unknown) => e);
    expect(err).toBeInstanceOf(ImarrayError);
    for (let n = 100; n < good.length; n += 997) {
      const got: unknown = await open(good.subarray(0, n)).then((img) => img.load()).then(() => 'ok', (e: unknown) => e);
      if (got !== 'ok') expect(got, `cut at ${n}`).toBeInstanceOf(ImarrayError);
    }
  });
  it.runIf(nativeJpeg() !== null)("old-style JPEG (compression 6): libtiff's YCbCr conversion over libjpeg's samples; 'js' refuses it; a cut file is TruncatedImageError, or with loadTruncated an image", async () => {
    const path = fixture('tiff/old-style-jpeg-compression.tif');
    await expect((await open(path, { backend: 'js' })).load()).rejects.toBeInstanceOf(UnsupportedError);
    const good = new Uint8Array(readFileSync(path));
    const cut = good.subarray(0, Math.floor(good.length * 0.6));
    await expect((await open(cut)).load()).rejects.toBeInstanceOf(TruncatedImageError);
    expect(toArray(await (await open(cut, { loadTruncated: true })).load()).shape).toEqual([870, 4160, 3]);
    // libtiff's tables for the default coefficients: R = Y + 1.402 Cr, B = Y + 1.772 Cb, in 16-bit fixed point
    const t = ycbcrTables([0.299, 0.587, 0.114], [0, 255, 128, 255, 128, 255]);
    expect([t.crR[0], t.crR[255], t.cbB[0], t.cbB[255], t.y[17]]).toEqual([-179, 178, -227, 225, 17]);
  });
  it("an uncompressed file's pixels are the bytes read from it (one allocation); a caller's buffer is never aliased", async () => {
    const path = fixture('tiff/current_tiff_rgb_raw.tif');
    const bytes = new Uint8Array(readFileSync(path));
    const fromFile = toArray(await (await open(path)).load(), { copy: false });
    expect(fromFile.data.buffer.byteLength).toBe(bytes.length);
    const fromBuffer = toArray(await (await open(bytes)).load(), { copy: false });
    expect(fromBuffer.data.buffer).not.toBe(bytes.buffer);
    expect(Buffer.compare(Buffer.from(fromFile.data as Uint8Array), Buffer.from(fromBuffer.data as Uint8Array))).toBe(0);
  });
  it('a huge header with 100 bytes is a bomb error at open, before any allocation', async () => {
    const bytes = tiff(grey(100000, 100000, 16), new Uint8Array(16));
    await expect(open(bytes)).rejects.toBeInstanceOf(DecompressionBombError);
  });
  it('uncompressed data cut short: TruncatedImageError, loadTruncated gives the rows that are there', async () => {
    const px = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
    const whole = tiff(grey(8, 4, 32), px);
    const cut = whole.slice(0, whole.length);
    // point the strip near the end of the file so it runs past it
    new DataView(cut.buffer).setUint32(cut.indexOf(273 & 255, 10) + 8, cut.length - 12, true);
    await expect((await open(cut)).load()).rejects.toBeInstanceOf(TruncatedImageError);
    const part = toArray(await (await open(cut, { loadTruncated: true })).load());
    expect(part.shape).toEqual([4, 8]);
    expect(Array.from(part.data.subarray(0, 8))).toEqual(Array.from(cut.subarray(cut.length - 12, cut.length - 4)));
    expect(Array.from(part.data.subarray(8))).toEqual(new Array(24).fill(0));
  });
  it('Deflate strips with the horizontal predictor, and a strip past the end of the file', async () => {
    const rows = Array.from({ length: 4 }, (_, y) => Array.from({ length: 8 }, (_, x) => (x * 20 + y * 3) & 255));
    const diff = rows.flatMap((r) => r.map((v, x) => (x === 0 ? v : (v - r[x - 1]) & 255)));
    const z = deflateSync(Uint8Array.from(diff));
    const file = tiff(grey(8, 4, z.length, 8, [[317, SHORT, 1, 2]]), z);
    expect(Array.from(toArray(await (await open(file)).load()).data)).toEqual(rows.flat());
    const cut = file.slice();
    new DataView(cut.buffer).setUint32(cut.indexOf(273 & 255, 10) + 8, cut.length - 2, true);
    await expect((await open(cut)).load()).rejects.toBeInstanceOf(TruncatedImageError);
  });
  it('damaged files raise typed errors, never crash', async () => {
    const bad = tiff(grey(8, 4, 3, 5), Uint8Array.from([0x80, 0, 0]));
    const err: unknown = await (await open(bad)).load().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as Error).message).toMatch(/decoder error -2|LZW/);
    const noSize = tiff([[259, SHORT, 1, 1]], new Uint8Array(4));
    await expect(open(noSize)).rejects.toMatchObject({ code: 'ERR_IMARRAY_UNIDENTIFIED' });
    const unknownCompression = tiff(grey(8, 4, 32, 12345), new Uint8Array(32));
    await expect(open(unknownCompression)).rejects.toBeInstanceOf(ImarrayError);
  });
});

describe('TIFF IFD chains', () => {
  it('a long chain of directories opens, every one a frame (Pillow counts them all)', async () => {
    const n = 20000;
    const stride = 2 + 3 * 12 + 4; // 1x1 bilevel pages: ImageWidth, ImageLength, StripOffsets
    const bytes = new Uint8Array(8 + n * stride + 1);
    const v = new DataView(bytes.buffer);
    bytes.set([0x49, 0x49, 42, 0]);
    v.setUint32(4, 8, true);
    const pixel = bytes.length - 1;
    for (let k = 0; k < n; k++) {
      const at = 8 + k * stride;
      v.setUint16(at, 3, true);
      [[256, 1], [257, 1], [273, pixel]].forEach(([tag, value], i) => {
        const e = at + 2 + i * 12;
        v.setUint16(e, tag, true);
        v.setUint16(e + 2, 4, true);
        v.setUint32(e + 4, 1, true);
        v.setUint32(e + 8, value, true);
      });
      v.setUint32(at + 38, k + 1 < n ? at + stride : 0, true);
    }
    const img = await open(bytes);
    expect([img.mode, img.size, img.nFrames]).toEqual(['1', [1, 1], n]);
    await img.seek(n - 1);
    expect(toArray(await img.load()).shape).toEqual([1, 1]);
  });
});

describe('TIFF decompressors', () => {
  it('LZW: clear, literals, a KwKwK code, EOI; old-style LSB codes', () => {
    // codes 256, 65 ('A'), 258 (KwKwK: 'AA'), 257 at 9 bits, MSB first
    const codes = [256, 65, 258, 257];
    const bits = codes.map((c) => c.toString(2).padStart(9, '0')).join('');
    const src = Uint8Array.from(bits.padEnd(Math.ceil(bits.length / 8) * 8, '0').match(/.{8}/g)!, (b) => parseInt(b, 2));
    const out = new Uint8Array(3);
    expect(lzwDecode(src, out)).toBe(3);
    expect(Array.from(out)).toEqual([65, 65, 65]);
    // the same codes LSB first (old-style, which libtiff recognises by its first bytes 00 01)
    let acc = 0n;
    codes.forEach((c, i) => { acc |= BigInt(c) << BigInt(9 * i); });
    const old = Uint8Array.from({ length: 5 }, (_, i) => Number((acc >> BigInt(8 * i)) & 255n));
    expect(Array.from(old.subarray(0, 2))).toEqual([0, 1 | (65 << 1) & 255]);
    const out2 = new Uint8Array(3);
    expect(lzwDecode(old, out2)).toBe(3);
    expect(Array.from(out2)).toEqual([65, 65, 65]);
  });
  it('PackBits runs across rows, drops what overflows, takes only whole literals', () => {
    const out = new Uint8Array(6);
    expect(packBitsDecode(Uint8Array.from([0xfd, 7, 0x01, 1, 2]), out)).toBe(6);
    expect(Array.from(out)).toEqual([7, 7, 7, 7, 1, 2]);
    expect(packBitsDecode(Uint8Array.from([0x03, 1, 2]), new Uint8Array(4))).toBe(0);
  });
  it('predictors: 16-bit horizontal in the file byte order, floating point to little-endian', () => {
    const b = new Uint8Array(6);
    const v = new DataView(b.buffer);
    [1000, 5, 65535].forEach((x, i) => { v.setUint16(i * 2, x, false); });
    horizontalPredictor(b, 6, 1, 16, 1, false);
    expect([0, 1, 2].map((i) => v.getUint16(i * 2, false))).toEqual([1000, 1005, 1004]);
    const f = new Float32Array([1.5, -2.25]);
    const bytes = new Uint8Array(f.buffer).slice();
    // encode: byte planes most significant first, then differences
    const planes = new Uint8Array(8);
    for (let c = 0; c < 2; c++) for (let k = 0; k < 4; k++) planes[k * 2 + c] = bytes[c * 4 + (3 - k)];
    const enc = planes.map((x, i) => (i === 0 ? x : (x - planes[i - 1]) & 255));
    floatPredictor(enc, 8, 1, 32, 1);
    expect(Array.from(new Float32Array(enc.buffer))).toEqual([1.5, -2.25]);
  });
});
