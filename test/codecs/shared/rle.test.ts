/** PackBits (src/codecs/shared/rle.ts) on known vectors and cut inputs. */
import { describe, expect, it } from 'vitest';
import { unpackBits } from '../../../src/codecs/shared/rle.js';

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
