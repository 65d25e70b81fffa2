/**
 * The fused CHW float32 conversion's WebAssembly kernel (src/kernels/planes.wat, planes.ts)
 * against the JavaScript kernel it replaces (to-array.ts affineKernel), bit for bit.
 */
import { useImplementation } from '../../src/kernels/choose.js';
import { afterEach, describe, expect, it } from 'vitest';
import { fromStorage, toArray } from '../../src/index.js';
import { wasmPlanes } from '../../src/kernels/planes.js';
import { PLANES_WASM } from '../../src/kernels/planes-wasm.js';
import { kernelIsBuilt, seededBytes } from '../helpers/wasm.js';

const pixels = seededBytes;

/** Index of the first element whose bits differ, or -1. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  if (x.length !== y.length) return Math.min(x.length, y.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

describe('planes.wasm', () => {
  afterEach(() => { useImplementation('planes', 'wasm'); });

  it('is the compiled planes.wat (npm run wasm)', async () => {
    expect(await kernelIsBuilt('PLANES_WASM', PLANES_WASM)).toBe(true);
  });

  it('loads in this engine, for permutations of three bytes only', () => {
    const t = [new Float32Array(256), new Float32Array(256), new Float32Array(256)];
    const out = new Float32Array(30);
    expect(wasmPlanes(t, [0, 1, 2], 3, out, 10)).toBeTypeOf('function');
    expect(wasmPlanes(t, [2, 1, 0], 4, out, 10)).toBeTypeOf('function');
    expect(wasmPlanes(t, [0, 0, 1], 3, out, 10)).toBeUndefined();
    expect(wasmPlanes(t, [3, 1, 0], 4, out, 10)).toBeUndefined();
  });

  const cases: [string, 'RGB' | 'RGBA', number, number, 'RGB' | 'BGR'][] = [
    ['RGB 1x1', 'RGB', 1, 1, 'RGB'],
    ['RGB 97x61 (one block)', 'RGB', 97, 61, 'RGB'],
    ['RGB 301x203 BGR (several blocks, a partial last one)', 'RGB', 301, 203, 'BGR'],
    ['RGBA 301x203 (4-byte pixels, alpha dropped)', 'RGBA', 301, 203, 'RGB'],
    ['RGBA 64x64 BGR', 'RGBA', 64, 64, 'BGR'],
  ];
  const norms = [
    { scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
    { scale: 1, mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] },
    { scale: 2 / 255, mean: [1, 1, 1], std: [1, 1, 1] },
  ];

  it.each(cases)('gives the JavaScript kernel\'s bits: %s', (_name, mode, w, h, order) => {
    const data = pixels(w * h * (mode === 'RGB' ? 3 : 4), w * 31 + h);
    const before = data.slice();
    const img = fromStorage(mode, [w, h], data);
    for (const norm of norms) {
      const opts = { layout: 'CHW', dtype: 'float32', order, ...norm } as const;
      useImplementation('planes', 'js');
      const js = toArray(img, opts);
      useImplementation('planes', 'wasm');
      const wasm = toArray(img, opts);
      expect(wasm.shape).toEqual([3, h, w]);
      expect(firstDifference(wasm.data, js.data), JSON.stringify(norm)).toBe(-1);
      const into = new Float32Array(3 * w * h);
      toArray(img, { ...opts, out: into });
      expect(firstDifference(into, js.data)).toBe(-1);
    }
    expect(Buffer.from(data).equals(before)).toBe(true);
  });
});
