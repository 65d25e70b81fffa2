/** PackBits and TGA-style packet RLE (src/codecs/shared/rle.ts) on known vectors and cut inputs. */
import { describe, expect, it } from 'vitest';
import { unpackBits, unpackPackets } from '../../../src/codecs/shared/rle.js';

const h = (s: string): Uint8Array => Uint8Array.from(s.split(/\s+/).filter(Boolean), (x) => parseInt(x, 16));

describe('PackBits', () => {
  it("decodes Apple's example (TN1023)", () => {
    const src = h('FE AA 02 80 00 2A FD AA 03 80 00 2A 22 F7 AA');
    const want = h('AA AA AA 80 00 2A AA AA AA AA 80 00 2A 22 AA AA AA AA AA AA AA AA AA AA');
    const out = new Uint8Array(want.length);
    expect(unpackBits(src, 0, out, 0, want.length)).toEqual({ read: src.length, written: want.length });
    expect(out).toEqual(want);
  });
  it('skips 0x80, stops at the count and at the input end', () => {
    const out = new Uint8Array(8);
    expect(unpackBits(h('80 01 05 06'), 0, out, 0, 8)).toEqual({ read: 4, written: 2 });
    expect(out.subarray(0, 2)).toEqual(h('05 06'));
    const two = new Uint8Array(8);
    expect(unpackBits(h('FD 07 FD 08'), 0, two, 1, 5).written).toBe(5);
    expect(two).toEqual(h('00 07 07 07 07 08 00 00'));
    expect(unpackBits(h('05 01 02'), 0, new Uint8Array(8), 0, 8).written).toBe(2); // literal run cut short
  });
});

describe('packet RLE (TGA)', () => {
  it('repeats and copies pixels, packets crossing the requested count are cut', () => {
    // run of 3 RGB pixels, then 2 literal pixels
    const src = h('82 01 02 03 01 0A 0B 0C 0D 0E 0F');
    const out = new Uint8Array(15);
    expect(unpackPackets(src, 0, out, 0, 15, 3)).toEqual({ read: src.length, written: 15 });
    expect(out).toEqual(h('01 02 03 01 02 03 01 02 03 0A 0B 0C 0D 0E 0F'));
    const part = new Uint8Array(4);
    expect(unpackPackets(src, 0, part, 0, 4, 3).written).toBe(4);
    expect(part).toEqual(h('01 02 03 01'));
  });
  it('reports how far a cut input got', () => {
    const r = unpackPackets(h('83 01'), 0, new Uint8Array(8), 0, 8, 2);
    expect(r.written).toBe(0);
    const lit = unpackPackets(h('03 01 02 03'), 0, new Uint8Array(8), 0, 8, 2);
    expect(lit.written).toBe(3);
  });
});
