/**
 * The WebAssembly SIMD unfilter (src/codecs/png/unfilter.wat, unfilter-simd.ts) against the
 * JavaScript kernels (unfilter.ts, which png.test.ts checks against Pillow on the PngSuite):
 * kernel by kernel on random rows, then whole decodes on both paths.
 */
import { useImplementation } from '../../../src/kernels/choose.js';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { open, toArray } from '../../../src/index.js';
import { DecodeError } from '../../../src/core/errors.js';
import { unfilterRow } from '../../../src/codecs/png/unfilter.js';
import { acquireSimdRows, MAX_ROW, SimdRows } from '../../../src/codecs/png/unfilter-simd.js';
import { UNFILTER_WASM } from '../../../src/codecs/png/unfilter-wasm.js';
import { kernelIsBuilt, seededBytes } from '../../helpers/wasm.js';
import { PILLOW_94, fixture, sha256 } from '../../helpers/fixtures.js';

const random = seededBytes;

/** Index of the first byte where a and b differ, or -1 (toEqual is slow on long arrays). */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function rowsOf(): SimdRows {
  const rows = acquireSimdRows(16);
  if (rows === undefined) throw new Error('no WebAssembly SIMD');
  return rows;
}

/** Unfilters `row` (after `prev`, or as a pass's first row) with the SIMD kernel. */
function simd(rows: SimdRows, type: number, row: Uint8Array, prev: Uint8Array | null, bpp: number): Uint8Array {
  expect(rows.reserve(row.length)).toBe(true);
  rows.startPass();
  if (prev !== null) {
    rows.mem.set(prev, rows.raw);
    rows.unfilter(0, prev.length, bpp, () => 'prev');
  }
  rows.mem.set(row, rows.raw);
  const o = rows.unfilter(type, row.length, bpp, () => 'row');
  return rows.mem.slice(o, o + row.length);
}

describe('unfilter.wasm', () => {
  it('is the compiled unfilter.wat (npm run wasm)', async () => {
    expect(await kernelIsBuilt('UNFILTER_WASM', UNFILTER_WASM)).toBe(true);
  });

  it('loads in this engine (WebAssembly SIMD present in Node >= 16)', () => {
    expect(acquireSimdRows(100)).toBeInstanceOf(SimdRows);
  });

  it('equals the JavaScript kernels for every filter, every PNG bpp, first rows and others, at lengths around the vector size', () => {
    const rows = rowsOf();
    let cases = 0;
    for (const bpp of [1, 2, 3, 4, 6, 8]) {
      for (const pixels of [1, 2, 3, 5, 7, 15, 16, 17, 31, 33, 100, 1001]) {
        const n = pixels * bpp;
        for (let type = 0; type <= 4; type++) {
          for (const first of [true, false]) {
            const prev = random(n, n * 7 + type);
            const row = random(n, n * 13 + bpp);
            const want = row.slice();
            unfilterRow(type, want, 0, first ? null : prev, 0, n, bpp, () => '');
            const before = row.slice();
            expect(firstDifference(simd(rows, type, row, first ? null : prev, bpp), want), `bpp ${bpp} n ${n} filter ${type} first ${first}`).toBe(-1);
            expect(firstDifference(row, before)).toBe(-1);
            cases++;
          }
        }
      }
    }
    expect(cases).toBe(6 * 12 * 5 * 2);
    rows.release();
  });

  it('grows its memory for long rows (a 300 000-byte row) and still agrees', () => {
    const rows = rowsOf();
    const n = 300_000;
    const prev = random(n, 5);
    const row = random(n, 6);
    for (const type of [1, 2, 3, 4]) {
      const want = row.slice();
      unfilterRow(type, want, 0, prev, 0, n, 3, () => '');
      expect(firstDifference(simd(rows, type, row, prev, 3), want), `filter ${type}`).toBe(-1);
    }
    expect(rows.mem.byteLength).toBeGreaterThanOrEqual(3 * n);
    rows.release();
  });

  it('declines rows past its memory\'s maximum (the JavaScript kernels take those)', () => {
    expect(acquireSimdRows(MAX_ROW)).toBeInstanceOf(SimdRows);
    expect(acquireSimdRows(MAX_ROW + 1)).toBeUndefined();
    expect(rowsOf().reserve(MAX_ROW + 1)).toBe(false);
  });

  it('rejects an unknown filter type with a DecodeError naming the row', () => {
    const rows = rowsOf();
    expect(rows.reserve(8)).toBe(true);
    rows.startPass();
    expect(() => rows.unfilter(5, 8, 1, () => 'row 3 of pass 0')).toThrow(DecodeError);
    expect(() => rows.unfilter(255, 8, 1, () => 'row 3 of pass 0')).toThrow(/unknown PNG filter type 255 \(row 3 of pass 0\)/);
  });

  it('hands each decoder its own instance; released ones are reused', () => {
    const a = rowsOf();
    const b = rowsOf();
    expect(a).not.toBe(b);
    expect(a.mem.buffer).not.toBe(b.mem.buffer);
    a.release();
    expect(rowsOf()).toBe(a);
    b.release();
  });
});

describe('the PNG decoder on both unfilter paths', () => {
  afterEach(() => { useImplementation('unfilter', 'simd'); });

  async function outcome(bytes: Uint8Array, kind: 'simd' | 'js', loadTruncated = false): Promise<string> {
    useImplementation('unfilter', kind);
    try {
      const img = await (await open(bytes, { loadTruncated })).load();
      return `${img.mode} ${img.size.join('x')} ${sha256(toArray(img).data)}`;
    } catch (e) {
      return `error ${(e as { code?: string }).code ?? String(e)}`;
    } finally {
      useImplementation('unfilter', 'simd');
    }
  }

  it('agree on every PngSuite file (pixels and errors)', async () => {
    const suite = PILLOW_94.filter((e) => e.name.startsWith('pngsuite/'));
    expect(suite.length).toBe(175);
    for (const entry of suite) {
      const bytes = readFileSync(fixture(entry.fixture));
      expect(await outcome(bytes, 'simd'), entry.name).toBe(await outcome(bytes, 'js'));
    }
  });

  // Wider than the PngSuite's 32 pixels: libvips' adaptive filtering mixes all five filters.
  const W = 203;
  const H = 61;
  const photo = (bands: number, depth: 8 | 16): Uint8Array | Uint16Array => {
    const px = depth === 8 ? new Uint8Array(W * H * bands) : new Uint16Array(W * H * bands);
    const noise = random(px.length, bands * depth);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        for (let c = 0; c < bands; c++) {
          const i = (y * W + x) * bands + c;
          const v = (x * (c + 1) + y * 3 + (noise[i] & 15)) & 255;
          px[i] = depth === 8 ? v : v * 257 + noise[i];
        }
      }
    }
    return px;
  };
  const cases: [string, () => Promise<Buffer>][] = [];
  for (const bands of [1, 2, 3, 4] as const) {
    for (const depth of [8, 16] as const) {
      for (const progressive of [false, true]) {
        cases.push([`${bands} bands, ${depth}-bit${progressive ? ', Adam7' : ''}`, () => {
          const px = photo(bands, depth);
          return sharp(px, { raw: { width: W, height: H, channels: bands } })
            .toColourspace(depth === 16 ? (bands <= 2 ? 'grey16' : 'rgb16') : bands <= 2 ? 'b-w' : 'srgb')
            .png({ adaptiveFiltering: true, progressive, compressionLevel: 1 })
            .toBuffer();
        }]);
      }
    }
  }
  cases.push(['palette, 2-bit', () => sharp(photo(3, 8), { raw: { width: W, height: H, channels: 3 } }).png({ palette: true, colours: 4 }).toBuffer()]);
  cases.push(['palette, 8-bit, Adam7', () => sharp(photo(3, 8), { raw: { width: W, height: H, channels: 3 } }).png({ palette: true, progressive: true }).toBuffer()]);

  it.each(cases)('agree on a %s image with mixed filters, whole and truncated', async (_name, make) => {
    const png = await make();
    const whole = await outcome(png, 'simd');
    expect(whole).not.toMatch(/^error/);
    expect(whole).toBe(await outcome(png, 'js'));
    for (const frac of [0.4, 0.8]) {
      const cut = png.subarray(0, Math.floor(png.length * frac));
      for (const lt of [false, true]) expect(await outcome(cut, 'simd', lt), `${frac} ${lt}`).toBe(await outcome(cut, 'js', lt));
    }
  });

  it('keep concurrent decodes apart (each holds its own kernel instance)', async () => {
    const a = await cases[4][1]();
    const b = await cases[7][1]();
    const want = [await outcome(a, 'js'), await outcome(b, 'js')];
    async function* pieces(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
      for (let o = 0; o < bytes.length; o += 997) {
        await new Promise((r) => setImmediate(r));
        yield bytes.subarray(o, o + 997);
      }
    }
    const [x, y] = await Promise.all([a, b].map(async (bytes) => {
      const img = await (await open(pieces(bytes))).load();
      return `${img.mode} ${img.size.join('x')} ${sha256(toArray(img).data)}`;
    }));
    expect([x, y]).toEqual(want);
  });
});
