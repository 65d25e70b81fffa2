/** PackBits (src/codecs/shared/rle.ts) on known vectors, Pillow's row rule and cut inputs. */
import { describe, expect, it } from 'vitest';
import { unpackBitsRows } from '../../../src/codecs/shared/rle.js';

const h = (s: string): Uint8Array => Uint8Array.from(s.split(/\s+/).filter(Boolean), (x) => parseInt(x, 16));

describe('PackBits', () => {
  it("decodes Apple's example (TN1023)", () => {
    const src = h('FE AA 02 80 00 2A FD AA 03 80 00 2A 22 F7 AA');
    const want = h('AA AA AA 80 00 2A AA AA AA AA 80 00 2A 22 AA AA AA AA AA AA AA AA AA AA');
    const out = new Uint8Array(want.length);
    expect(unpackBitsRows(src, 0, out, 0, want.length, 1)).toEqual({ read: src.length, written: want.length });
    expect(out).toEqual(want);
  });
  it('skips 0x80 and stops at the last row', () => {
    const out = new Uint8Array(8);
    expect(unpackBitsRows(h('80 01 05 06 00 09'), 0, out, 0, 2, 1)).toEqual({ read: 4, written: 2 });
    expect(out.subarray(0, 2)).toEqual(h('05 06'));
    const two = new Uint8Array(8);
    expect(unpackBitsRows(h('FD 07 FE 08'), 0, two, 1, 4, 1).written).toBe(4);
    expect(two).toEqual(h('00 07 07 07 07 00 00 00'));
  });
  it("drops what overflows a row, as Pillow's PackbitsDecode does", () => {
    const out = new Uint8Array(6);
    // a run of 4 into rows of 3: the fourth byte is dropped, the next packet starts row 2
    expect(unpackBitsRows(h('FD 07 02 01 02 03'), 0, out, 0, 3, 2)).toEqual({ read: 6, written: 6 });
    expect(out).toEqual(h('07 07 07 01 02 03'));
  });
  it('takes a packet only when all its bytes are there; counts whole rows', () => {
    const out = new Uint8Array(8);
    expect(unpackBitsRows(h('01 05 06 05 01 02'), 0, out, 0, 4, 2)).toEqual({ read: 3, written: 0 });
    expect(out.subarray(0, 2)).toEqual(h('05 06'));
    expect(unpackBitsRows(h('03 01 02 03 04 FF'), 0, new Uint8Array(8), 0, 4, 2)).toEqual({ read: 5, written: 4 });
  });
});
