/** PNM details the corpus files do not reach: Python's rounding, comments inside header tokens, ASCII edge cases, limits. */
import { describe, expect, it } from 'vitest';
import { open, toArray } from '../../../src/index.js';
import { pyRound } from '../../../src/core/numbers.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const read = async (s: string | Uint8Array, loadTruncated = false) => toArray(await (await open(typeof s === 'string' ? enc(s) : s, { loadTruncated })).load());

describe('PPM', () => {
  it("rounds halves to even, as Python's round", () => {
    expect([0.5, 1.5, 2.5, 3.5, 2.4999, 2.5001, -1.5].map(pyRound)).toEqual([0, 2, 2, 4, 2, 3, -2]);
  });
  it('reads header comments anywhere, even inside a token (Pillow joins the two halves)', async () => {
    const a = await read('P5 2#c\n 1\n25#x\n5\n\x07\x08');
    expect(a.shape).toEqual([1, 2]);
    expect(Array.from(a.data)).toEqual([7, 8]);
  });
  it('scales ASCII samples by maxval and reads Python int syntax', async () => {
    const a = await read('P2 3 1 4\n+1 0_2 4');
    expect(Array.from(a.data)).toEqual([pyRound(255 / 4), pyRound(510 / 4), 255]);
    const bits = await read('P1 3 2 0 1 0\n1 1 # comment\n 0');
    expect(Array.from(bits.data)).toEqual([1, 0, 1, 0, 0, 1]);
  });
  it('maxval > 255 makes grey an int32 image scaled to 65535; 16-bit RGB is scaled to 8 bits', async () => {
    const a = await read(Uint8Array.of(...enc('P5 2 1 1023\n'), 0x03, 0xff, 0x01, 0x00));
    expect(a.data).toBeInstanceOf(Int32Array);
    expect(Array.from(a.data)).toEqual([65535, pyRound((256 / 1023) * 65535)]);
    const rgb = await read(Uint8Array.of(...enc('P6 1 1 65535\n'), 0xff, 0xff, 0x80, 0x00, 0x00, 0x01));
    expect(Array.from(rgb.data)).toEqual([255, pyRound((0x8000 / 65535) * 255), 0]);
  });
  it('typed errors for bad headers and data, partial images with loadTruncated', async () => {
    await expect(read('P5 0 1 255\n')).rejects.toMatchObject({ code: 'ERR_IMARRAY_UNIDENTIFIED' });
    await expect(read('P5 1 1 65536\n\x00')).rejects.toMatchObject({ code: 'ERR_IMARRAY_UNIDENTIFIED' });
    await expect(read('Pf 1 1 nan\n\x00\x00\x00\x00')).rejects.toMatchObject({ code: 'ERR_IMARRAY_UNIDENTIFIED' });
    await expect(read('P2 2 1 9 1 10')).rejects.toMatchObject({ code: 'ERR_IMARRAY_DECODE' });
    await expect(read('P2 2 1 9 1 -1')).rejects.toMatchObject({ code: 'ERR_IMARRAY_DECODE' });
    await expect(read('P2 2 1 9 1')).rejects.toMatchObject({ code: 'ERR_IMARRAY_TRUNCATED' });
    expect(Array.from((await read('P2 2 1 9 9', true)).data)).toEqual([255, 0]);
    await expect(read('P5 2 2 255\n\x01\x02\x03')).rejects.toMatchObject({ code: 'ERR_IMARRAY_TRUNCATED' });
  });
  it('checks the size against the pixel limit before decoding', async () => {
    await expect(open(enc('P5 100000 100000 255\n'))).rejects.toMatchObject({ code: 'ERR_IMARRAY_DECOMPRESSION_BOMB' });
  });
});
