/**
 * The raw tile decoder (src/codecs/shared/tile.ts): a BMP-like layout (bottom-up BGR rows
 * padded to 4 bytes) and a top-down P;4 layout decode to the expected pixels whatever the
 * input's block boundaries, a box writes only its region, and a cut input is a typed
 * truncation error, or the partial image with loadTruncated.
 */
import { describe, expect, it } from 'vitest';
import { Input } from '../../../src/core/input.js';
import { decodeRawTile } from '../../../src/codecs/shared/tile.js';
import { TruncatedImageError } from '../../../src/index.js';
import { seededBytes } from '../../helpers/wasm.js';

async function* chunks(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield await Promise.resolve(bytes.subarray(i, i + size));
}

const W = 7;
const H = 5;
const OFFSET = 10;
/** Bottom-up BGR rows of 7 pixels (21 bytes) padded to 24, after a 10-byte header. */
function bmpLike(): { file: Uint8Array; rgb: Uint8Array } {
  const rgb = seededBytes(W * H * 3, 11);
  const file = new Uint8Array(OFFSET + 24 * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const s = (y * W + x) * 3;
      const d = OFFSET + (H - 1 - y) * 24 + x * 3;
      file[d] = rgb[s + 2];
      file[d + 1] = rgb[s + 1];
      file[d + 2] = rgb[s];
    }
  }
  return { file, rgb };
}

describe('raw tile decoder', () => {
  it('bottom-up BGR with row padding, through blocks of 1, 5, 24, 1000 bytes and a whole buffer', async () => {
    const { file, rgb } = bmpLike();
    for (const input of [...[1, 5, 24, 1000].map((n) => Input.from(chunks(file, n))), Input.from(file)]) {
      const out = new Uint8Array(W * H * 3);
      const rows = await decodeRawTile(input, { offset: OFFSET, rawmode: 'BGR', stride: 24, bottomUp: true }, { out, mode: 'RGB', width: W, height: H }, 'test', false);
      expect(rows).toBe(H);
      expect(out).toEqual(rgb);
    }
  });

  it('top-down P;4 into a box of a larger image', async () => {
    const file = Uint8Array.of(0x12, 0x34, 0x50, 0xab, 0xcd, 0xe0);
    const out = new Uint8Array(8 * 3);
    await decodeRawTile(Input.from(chunks(file, 2)), { offset: 0, rawmode: 'P;4', box: [2, 1, 7, 3] }, { out, mode: 'P', width: 8, height: 3 }, 'test', false);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 0, 0, 0, 10, 11, 12, 13, 14, 0]);
  });

  it('a cut input is a TruncatedImageError naming the rows, or the rows it has with loadTruncated', async () => {
    const { file, rgb } = bmpLike();
    const cut = file.subarray(0, OFFSET + 24 * 2 + 10);
    const tile = { offset: OFFSET, rawmode: 'BGR', stride: 24, bottomUp: true } as const;
    const target = { out: new Uint8Array(W * H * 3), mode: 'RGB', width: W, height: H } as const;
    await expect(decodeRawTile(Input.from(cut), tile, target, 'cut.bmp', false)).rejects.toThrow(TruncatedImageError);
    await expect(decodeRawTile(Input.from(cut), tile, target, 'cut.bmp', false)).rejects.toThrow(/cut\.bmp \(2 of 5 rows/);
    const out = new Uint8Array(W * H * 3);
    expect(await decodeRawTile(Input.from(cut), tile, { ...target, out }, 'cut.bmp', true)).toBe(2);
    // the two bottom rows arrived; the rest stays 0
    expect(out.subarray(3 * W * 3)).toEqual(rgb.subarray(3 * W * 3));
    expect(out.subarray(0, 3 * W * 3).every((v) => v === 0)).toBe(true);
  });

  it('reads a stride shorter than a row as packed rows, refuses a rawmode without an unpacker', async () => {
    const target = { out: new Uint8Array(12), mode: 'RGB', width: 2, height: 2 } as const;
    // Pillow's raw decoder: a stride shorter than the row means no padding
    const packed = Uint8Array.from({ length: 12 }, (_, i) => i);
    expect(await decodeRawTile(Input.from(packed), { offset: 0, rawmode: 'RGB', stride: 5 }, target, 't', false)).toBe(2);
    expect(target.out).toEqual(packed);
    await expect(decodeRawTile(Input.from(new Uint8Array(12)), { offset: 0, rawmode: 'XYZ' }, target, 't', false)).rejects.toMatchObject({ code: 'ERR_IMARRAY_UNSUPPORTED' });
  });
});
