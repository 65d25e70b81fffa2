/**
 * The native kernel (src/kernels/swizzle.c via src/kernels/native.ts): built by `npm ci`, loaded on
 * this platform, and its argument checks: anything out of range, of the wrong type or partly
 * overlapping is a thrown TypeError / RangeError, never a read or write outside the arrays.
 * Its pixel results are checked in swizzle.test.ts (both back-ends against a naive loop).
 */
import { useImplementation } from '../../src/kernels/choose.js';
import { describe, expect, it } from 'vitest';
import { nativeKernel, type NativeKernel } from '../../src/kernels/native.js';
import { fromArray, toArray } from '../../src/index.js';
import ndarray from 'ndarray';
import { seededBytes } from '../helpers/wasm.js';

function kernel(): NativeKernel {
  const k = nativeKernel();
  if (k === null) throw new Error(`no native kernel for ${process.platform}-${process.arch}: npm ci builds it (npm run native; needs a C compiler)`);
  return k;
}

describe('native kernel', () => {
  it('is built for this platform and loads (npm ci runs scripts/build-native.mjs)', () => {
    const k = kernel();
    const expected = process.arch === 'x64' ? ['avx512vbmi', 'avx2', 'ssse3'] : process.arch === 'arm64' ? ['neon'] : ['scalar'];
    expect(expected).toContain(k.kernel);
    expect(k.level).toBe(['scalar', process.arch === 'arm64' ? 'neon' : 'ssse3', 'avx2', 'avx512vbmi'].indexOf(k.kernel));
  });

  // Every kernel this CPU can run (maxLevel caps the choice), every permutation (and a few
  // band repeats: RRG, AAAA...), lengths around each kernel's step (12/16, 24/32, 60/64 bytes) and its unrolling,
  // odd offsets, out of place and in place, against a naive loop.
  const counts = [...Array.from({ length: 70 }, (_, i) => i), 79, 80, 81, 127, 128, 129, 1000, 4099];
  const perms = (bands: number): number[][] => {
    let all: number[][] = [[]];
    for (let c = 0; c < bands; c++) all = all.flatMap((p) => Array.from({ length: bands }, (_, b) => [...p, b]));
    const repeats = bands === 3 ? [[0, 0, 1], [2, 2, 2]] : [[0, 0, 1, 1], [3, 3, 3, 3], [1, 2, 3, 3]];
    return [...all.filter((p) => new Set(p).size === bands), ...repeats];
  };
  it('3-byte pixels at every destination alignment (the aligned-store kernel\'s head, body and tail)', () => {
    const k = kernel();
    for (const perm of [[2, 1, 0], [1, 2, 0], [0, 0, 2]]) {
      const p = Uint8Array.of(...perm);
      for (let di = 0; di < 64; di++) {
        for (const n of [64, 129, 130, 131, 192, 200, 257, 383, 384, 385, 1000]) {
          const src = seededBytes(n * 3 + 3, di + n);
          const expected = seededBytes(di + n * 3 + 70, 5);
          const got = expected.slice();
          for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) expected[di + i * 3 + c] = src[i * 3 + (perm[c] ?? 0)] ?? 0;
          k.permute(src, 0, got, di, n, p);
          expect(Buffer.from(got).equals(expected), `perm ${perm.join('')} di ${di} n ${n}`).toBe(true);
        }
      }
    }
  });

  for (const bands of [3, 4] as const) {
    it(`${bands}-byte pixels: each kernel level equals the naive loop, out of place and in place, input untouched`, () => {
      const k = kernel();
      for (let level = 0; level <= k.level; level++) {
        for (const perm of perms(bands)) {
          const p = Uint8Array.from(perm);
          for (const n of counts) {
            for (const [si, di] of [[0, 0], [1, 6], [bands * 5 + 2, 3]] as const) {
              const src = seededBytes(si + n * bands + 70, n + si + level);
              const before = src.slice();
              const expected = seededBytes(di + n * bands + 70, 3);
              const got = expected.slice();
              for (let i = 0; i < n; i++) for (let c = 0; c < bands; c++) expected[di + i * bands + c] = src[si + i * bands + (perm[c] ?? 0)] ?? 0;
              k.permute(src, si, got, di, n, p, level);
              const where = `level ${level} perm ${perm.join('')} n ${n} si ${si} di ${di}`;
              expect(Buffer.from(got).equals(expected), where).toBe(true);
              expect(Buffer.from(src).equals(before), where).toBe(true);
              k.permute(src, si, src, si, n, p, level); // in place
              expect(Buffer.from(src.subarray(si, si + n * bands)).equals(expected.subarray(di, di + n * bands)), `${where} in place`).toBe(true);
              expect(Buffer.from(src.subarray(si + n * bands)).equals(before.subarray(si + n * bands)), `${where} in place, bytes after`).toBe(true);
              expect(Buffer.from(src.subarray(0, si)).equals(before.subarray(0, si)), `${where} in place, bytes before`).toBe(true);
            }
          }
        }
      }
    });
  }

  it('permutes (a direct call)', () => {
    const src = Uint8Array.of(1, 2, 3, 4, 5, 6, 7);
    const dst = new Uint8Array(7);
    kernel().permute(src, 1, dst, 0, 2, Uint8Array.of(2, 1, 0));
    expect([...dst]).toEqual([4, 3, 2, 7, 6, 5, 0]);
    expect([...src]).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('refuses bad arguments with a thrown error, touching nothing', () => {
    const k = kernel();
    const src = seededBytes(300, 1);
    const dst = new Uint8Array(300);
    const p3 = Uint8Array.of(2, 1, 0);
    const call = (...args: unknown[]) => () => { (k.permute as (...a: unknown[]) => void)(...args); };
    // types
    expect(call(Array.from(src), 0, dst, 0, 1, p3)).toThrow(TypeError);
    expect(call(src, 0, new Uint16Array(300), 0, 1, p3)).toThrow(TypeError);
    expect(call(src, 0, new Uint8ClampedArray(300), 0, 1, p3)).toThrow(TypeError);
    expect(call(src, 0, dst, 0, 1, [2, 1, 0])).toThrow(TypeError);
    expect(call(src, 0, dst, 0, 1, Uint8Array.of(1, 0))).toThrow(TypeError);
    expect(call(src, 0, dst, 0, 1)).toThrow(TypeError);
    expect(call(src, 0, dst, 0, 1, p3, 0, 0)).toThrow(TypeError);
    expect(call(src, 0, dst, 0, 1, p3, 4)).toThrow(RangeError);
    expect(call(src, 0, dst, 0, 1, p3, -1)).toThrow(RangeError);
    expect(call(src, '0', dst, 0, 1, p3)).toThrow(TypeError);
    // values
    expect(call(src, 0, dst, 0, 1, Uint8Array.of(0, 1, 3))).toThrow(RangeError);
    for (const bad of [-1, 0.5, NaN, Infinity, 2 ** 53]) {
      expect(call(src, bad, dst, 0, 1, p3)).toThrow(RangeError);
      expect(call(src, 0, dst, bad, 1, p3)).toThrow(RangeError);
      expect(call(src, 0, dst, 0, bad, p3)).toThrow(RangeError);
    }
    // ranges: past either end, by one byte
    expect(call(src, 0, dst, 0, 101, p3)).toThrow(RangeError);
    expect(call(src, 1, dst, 0, 100, p3)).toThrow(RangeError);
    expect(call(src, 0, dst, 1, 100, p3)).toThrow(RangeError);
    expect(call(src, 301, dst, 0, 0, p3)).toThrow(RangeError);
    expect(call(src.subarray(10, 40), 0, dst, 0, 11, p3)).toThrow(RangeError);
    // partial overlap (exactly in place is allowed)
    expect(call(src, 0, src, 3, 50, p3)).toThrow(RangeError);
    expect(call(src.subarray(3), 0, src, 0, 50, p3)).toThrow(RangeError);
    expect(call(src, 0, dst, 0, 100, p3)).not.toThrow();
    expect(dst.some((v) => v !== 0)).toBe(true);
    // a detached buffer has no bytes
    const gone = new Uint8Array(30);
    structuredClone(gone.buffer, { transfer: [gone.buffer] });
    expect(call(gone, 0, dst, 0, 1, p3)).toThrow(RangeError);
  });

  it('prefault maps pages without changing a byte; bad arguments throw', () => {
    const k = kernel();
    const buf = seededBytes(3 << 20, 11);
    const before = buf.slice();
    expect(typeof k.prefault(buf.subarray(5, 3_000_001))).toBe('boolean');
    if (process.platform === 'linux') expect(k.prefault(buf)).toBe(true);
    expect(Buffer.from(buf).equals(before)).toBe(true);
    const fresh = new Uint8Array(40 << 20);
    k.prefault(fresh);
    expect(fresh.every((v) => v === 0)).toBe(true);
    expect(k.prefault(new Uint8Array(0))).toBe(false);
    expect(() => { (k.prefault as (...a: unknown[]) => boolean)(new Uint16Array(8)); }).toThrow(TypeError);
    expect(() => { (k.prefault as (...a: unknown[]) => boolean)(); }).toThrow(TypeError);
  });

  it('a fused output above the prefault size (40 MB BGR) is right end to end', () => {
    const [w, h] = [3700, 3700]; // 41 MB: fresh pages from the allocator, prefaulted before the permute
    const px = new Uint8Array(w * h * 3);
    for (let i = 0; i < px.length; i += 4099) px[i] = (i >> 12) & 255;
    const img = fromArray(ndarray(px, [h, w, 3]), 'RGB');
    const bgr = toArray(img, { order: 'BGR' }).data;
    for (let i = 0; i < px.length; i += 4099) {
      const p = i - (i % 3);
      expect(bgr[p + 2 - (i % 3)]).toBe(px[i]);
    }
    expect(bgr[bgr.length - 1]).toBe(px[px.length - 3]);
  });

  it('toArray order BGR is the same with it and without it (the wasm fallback)', () => {
    const [w, h] = [257, 131];
    for (const bands of [3, 4] as const) {
      const img = fromArray(ndarray(seededBytes(w * h * bands, bands), [h, w, bands]), bands === 3 ? 'RGB' : 'RGBA');
      const order = bands === 3 ? 'BGR' : 'ABGR';
      const viaNative = toArray(img, { order });
      useImplementation('swizzle', 'wasm');
      let viaWasm;
      try {
        viaWasm = toArray(img, { order });
      } finally {
        useImplementation('swizzle', 'native');
      }
      expect(Buffer.from(viaNative.data.buffer).equals(Buffer.from(viaWasm.data.buffer))).toBe(true);
      const src = toArray(img, { copy: false }).data;
      const perm = bands === 3 ? [2, 1, 0] : [3, 2, 1, 0];
      const i = 1234 * bands;
      expect([...viaNative.data.subarray(i, i + bands)]).toEqual(perm.map((p) => src[i + p]));
    }
  });
});
