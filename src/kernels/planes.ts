/**
 * The fused CHW float32 conversion's inner loop in WebAssembly (./planes.wat, compiled into
 * ./planes-wasm.ts by `npm run wasm`): 8-bit, 3-channel pixels in, three float32 planes out,
 * each value a lookup in a 256-entry table per channel (to-array.ts builds the tables with the
 * same double-precision formula as its JavaScript kernel, so the results are the same bits).
 *
 * WebAssembly reaches only its own memory: each block of pixels is copied in, expanded there
 * into three plane blocks, and those are copied out (TypedArray.set: memcpy).
 * `wasmPlanes` returns undefined where WebAssembly is missing; the caller keeps its kernel.
 */
import { implementation } from './choose.js';
import { PLANES_WASM } from './planes-wasm.js';
import { loadKernel } from './wasm.js';

/** Pixels per block: sized so a block's input and its three output planes stay in L2 cache. */
const BLOCK = 4096;
const TABLES = 0;
const SRC = 3072;
const DST = SRC + 4 * BLOCK;

type PlanesFn = (src: number, n: number, step: number, d0: number, d1: number, d2: number) => void;
interface Kernel { mem: Uint8Array; f32: Float32Array; planes: PlanesFn }
let kernel: Kernel | null | undefined;

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  const k = loadKernel(PLANES_WASM);
  const planes = k?.exports.planes;
  kernel = k !== null && typeof planes === 'function' && k.memory.buffer.byteLength >= DST + 3 * 4 * BLOCK
    ? { mem: new Uint8Array(k.memory.buffer), f32: new Float32Array(k.memory.buffer), planes: planes as PlanesFn }
    : null; // no WebAssembly here: the caller keeps its JavaScript kernel
  return kernel;
}

/**
 * A kernel writing `n` pixels from `src[si..]` (`bands` bytes each) to planes `out[p0..]`,
 * `out[planeSize + p0..]`, `out[2 * planeSize + p0..]`, plane c taking source byte `perm[c]`
 * through `tables[c]`. Undefined unless `perm` is a permutation of the bytes 0, 1, 2.
 */
export function wasmPlanes(
  tables: readonly Float32Array[], perm: readonly number[], bands: number, out: Float32Array, planeSize: number,
): ((src: Uint8Array, si: number, p0: number, n: number) => void) | undefined {
  const permutes012 = perm.length === 3 && new Set(perm).size === 3 && perm.every((p) => p >= 0 && p < 3);
  if (!permutes012 || tables.length !== 3 || bands < 3 || bands > 4) return undefined;
  const k = implementation('planes') === 'wasm' ? load() : null;
  if (k === null) return undefined;
  const { mem, f32, planes } = k;
  // source byte b goes to plane `planeOf[b]`, through that plane's table (stored at b * 1024)
  const planeOf = [0, 1, 2].map((b) => perm.indexOf(b));
  const dst = planeOf.map((_, b) => DST + b * 4 * BLOCK);
  return (src, si, p0, n) => {
    planeOf.forEach((c, b) => { f32.set(tables[c] ?? new Float32Array(256), (TABLES + b * 1024) / 4); });
    for (let done = 0; done < n; done += BLOCK) {
      const m = Math.min(BLOCK, n - done);
      const s = si + done * bands;
      mem.set(src.subarray(s, s + m * bands), SRC);
      planes(SRC, m, bands, dst[0] ?? 0, dst[1] ?? 0, dst[2] ?? 0);
      planeOf.forEach((c, b) => {
        const at = (dst[b] ?? 0) / 4;
        out.set(f32.subarray(at, at + m), c * planeSize + p0 + done);
      });
    }
  };
}
