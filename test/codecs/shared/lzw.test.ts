/**
 * LZW (src/codecs/shared/lzw.ts): the image data of two GIFs written by Pillow 12.3 decodes to
 * Pillow's arrays (P mode: the indices themselves), and seeded data round-trips through a
 * reference encoder in both bit orders (GIF's, and TIFF's with early change), including table
 * overflow past 4096 codes, clear codes, and broken streams.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lzwDecode } from '../../../src/codecs/shared/lzw.js';
import { PILLOW_CURRENT, fixture, sha256 } from '../../helpers/fixtures.js';
import { seededBytes } from '../../helpers/wasm.js';

/** The first image's LZW minimum code size and its sub-blocks joined (a test-only GIF walk). */
function firstImageData(gif: Uint8Array): { minBits: number; data: Uint8Array; width: number; height: number; interlaced: boolean } {
  let p = 13;
  if (gif[10] & 0x80) p += 3 << ((gif[10] & 7) + 1);
  for (;;) {
    const t = gif[p++];
    if (t === 0x21) {
      p++;
      while (gif[p] !== 0) p += gif[p] + 1;
      p++;
    } else if (t === 0x2c) {
      const width = gif[p + 4] | (gif[p + 5] << 8);
      const height = gif[p + 6] | (gif[p + 7] << 8);
      const flags = gif[p + 8];
      p += 9;
      if (flags & 0x80) p += 3 << ((flags & 7) + 1);
      const minBits = gif[p++];
      const parts: number[] = [];
      while (gif[p] !== 0) {
        for (let i = 1; i <= gif[p]; i++) parts.push(gif[p + i]);
        p += gif[p] + 1;
      }
      return { minBits, data: Uint8Array.from(parts), width, height, interlaced: (flags & 0x40) !== 0 };
    } else {
      throw new Error(`unexpected GIF block 0x${t.toString(16)}`);
    }
  }
}

/** A plain LZW encoder (the test's oracle): GIF or TIFF code packing. */
function lzwEncode(input: Uint8Array, minBits: number, tiff: boolean, clearEvery = Infinity): Uint8Array {
  const clear = 1 << minBits;
  const out: number[] = [];
  let acc = 0;
  let accBits = 0;
  let bits = minBits + 1;
  const put = (code: number): void => {
    if (tiff) {
      acc = (acc << bits) | code;
      accBits += bits;
      while (accBits >= 8) { out.push((acc >>> (accBits - 8)) & 255); accBits -= 8; acc &= (1 << accBits) - 1; }
    } else {
      acc |= code << accBits;
      accBits += bits;
      while (accBits >= 8) { out.push(acc & 255); acc >>>= 8; accBits -= 8; }
    }
  };
  let dict = new Map<string, number>();
  let next = clear + 2;
  const reset = (): void => { dict = new Map(); next = clear + 2; bits = minBits + 1; };
  put(clear);
  /** Before a clear or end code: the decoder, one entry behind, has just reached this table size. */
  const catchUp = (): void => { if (next + (tiff ? 1 : 0) >= 1 << bits && bits < 12) bits++; };
  let w = '';
  let sinceClear = 0;
  for (const byte of input) {
    const wc = w === '' ? String.fromCharCode(byte) : w + String.fromCharCode(byte);
    if (w === '' || (wc.length === 1) || dict.has(wc)) { w = wc; continue; }
    put(w.length === 1 ? w.charCodeAt(0) : dict.get(w)!);
    if (next < 4096) {
      dict.set(wc, next++);
      if (next + (tiff ? 1 : 0) > 1 << bits && bits < 12) bits++;
    }
    w = String.fromCharCode(byte);
    if (++sinceClear >= clearEvery) { put(w.charCodeAt(0)); w = ''; catchUp(); put(clear); reset(); sinceClear = 0; }
  }
  if (w !== '') put(w.length === 1 ? w.charCodeAt(0) : dict.get(w)!);
  catchUp();
  put(clear + 1);
  if (accBits > 0) out.push(tiff ? (acc << (8 - accBits)) & 255 : acc & 255);
  return Uint8Array.from(out);
}

describe('LZW', () => {
  for (const name of ['gif/gif_l.gif', 'gif/gif_p.gif']) {
    it(`${name}: the indices of Pillow 12.3's array`, () => {
      const ref = PILLOW_CURRENT.find((e) => e.fixture === name)!.pillow;
      if (!ref.ok) throw new Error('reference is a failure');
      const gif = firstImageData(new Uint8Array(readFileSync(fixture(name))));
      expect(gif.interlaced).toBe(true); // Pillow writes interlaced GIFs
      const rows = new Uint8Array(gif.width * gif.height);
      const r = lzwDecode(gif.data, rows, 0, { minBits: gif.minBits });
      expect(r.written).toBe(rows.length);
      expect(r.broken).toBe(false);
      const out = new Uint8Array(rows.length);
      let k = 0;
      for (const [start, step] of [[0, 8], [4, 8], [2, 4], [1, 2]]) {
        for (let y = start; y < gif.height; y += step, k++) out.set(rows.subarray(k * gif.width, (k + 1) * gif.width), y * gif.width);
      }
      expect(sha256(out)).toBe(ref.array.sha256);
    });
  }

  for (const tiff of [false, true]) {
    for (const minBits of [2, 4, 8]) {
      it(`${tiff ? 'TIFF' : 'GIF'} order, ${minBits}-bit literals: seeded data round-trips (table full, clear codes)`, () => {
        const mask = (1 << minBits) - 1;
        const data = seededBytes(60_000, minBits * 7).map((v, i) => (i % 97 < 60 ? (i >> 6) & mask : v & mask));
        for (const clearEvery of [Infinity, 1000]) {
          const enc = lzwEncode(data, minBits, tiff, clearEvery);
          const out = new Uint8Array(data.length + 1); // room to read on to the end code
          const r = lzwDecode(enc, out, 0, { minBits, tiff });
          expect(r.ended).toBe(true);
          expect(r.written).toBe(data.length);
          expect(out.subarray(0, data.length)).toEqual(data);
        }
      });
    }
  }

  it('stops at the output end, reports a cut stream and a code past the table', () => {
    const data = seededBytes(5000, 3).map((v) => v & 15);
    const enc = lzwEncode(data, 4, false);
    const small = new Uint8Array(1000);
    expect(lzwDecode(enc, small, 0, { minBits: 4 }).written).toBe(1000);
    expect(small).toEqual(data.subarray(0, 1000));
    const cut = lzwDecode(enc.subarray(0, 100), new Uint8Array(5000), 0, { minBits: 4 });
    expect(cut.ended).toBe(false);
    expect(cut.written).toBeLessThan(5000);
    // clear, then a code far past the table
    expect(lzwDecode(Uint8Array.of(0x10, 0xff, 0xff), new Uint8Array(10), 0, { minBits: 4 }).broken).toBe(true);
    expect(lzwDecode(Uint8Array.of(0), new Uint8Array(10), 0, { minBits: 0 }).broken).toBe(true);
  });
});
