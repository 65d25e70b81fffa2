/**
 * Byte permutations within 3- or 4-byte pixels (RGB -> BGR, RGBA -> BGRA, RGBA -> ABGR...) with
 * SIMD, on one of two back-ends:
 *
 * - native (./swizzle.c, where `npm ci` built it: see ./native.ts): one pass straight from
 *   the source array into the destination, AVX-512 VBMI / AVX2 / SSSE3 / NEON byte shuffles.
 * - WebAssembly (./swizzle.wat, compiled into ./swizzle-wasm.ts by `npm run wasm`): one
 *   `i8x16.swizzle` per 16 bytes; WebAssembly reaches only its own memory, so each block of up
 *   to BLOCK bytes is copied in, permuted there and copied out (two memcpys of a block that
 *   stays in L1 cache, plus the SIMD pass); still faster than the scalar 32-bit-word kernel
 *   (pack.ts `swapRB3`). Figures: bench/RESULTS.md "Fused BGR", docs/internals.md.
 *
 * `simdPermute` returns undefined where neither loads (no native build, no WebAssembly SIMD);
 * callers keep their scalar kernel for that case and for non-byte storage.
 */
import { SWIZZLE_WASM } from './swizzle-wasm.js';
import { loadKernel } from './wasm.js';
import { nativeKernel, type NativeKernel } from './native.js';

/** Memory layout of the kernel's one page: mask, source block, destination block (16-byte slack after each). */
const MASK = 0;
const BLOCK = 30720; // a multiple of 48: whole 12- and 16-byte groups, 10240 RGB or 7680 RGBA pixels
const IN = 64;
const OUT = IN + BLOCK + 64;

export type BytePermute = (src: Uint8Array, si: number, dst: Uint8Array, di: number, n: number) => void;

interface Kernel {
  mem: Uint8Array;
  permute: (src: number, dst: number, len: number, step: number) => void;
}
let kernel: Kernel | null | undefined;

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  const k = loadKernel(SWIZZLE_WASM);
  const permute = k?.exports.permute;
  kernel = k !== null && typeof permute === 'function' && k.memory.buffer.byteLength >= OUT + BLOCK + 16
    ? { mem: new Uint8Array(k.memory.buffer), permute: permute as Kernel['permute'] }
    : null; // no WebAssembly SIMD in this engine: callers keep their scalar kernels
  return kernel;
}

/**
 * The 16-lane `i8x16.swizzle` mask that applies `perm` to four pixels of `bands` bytes
 * (3 bands: lanes 12..15 pass through; the kernels step 12 bytes and the next store covers them).
 */
export function permuteMask(bands: 3 | 4, perm: readonly number[]): Uint8Array {
  const step = bands * 4;
  const mask = new Uint8Array(16);
  for (let j = 0; j < 16; j++) mask[j] = j < step ? j - (j % bands) + (perm[j % bands] ?? 0) : j;
  return mask;
}

/** Which back-end `simdPermute` uses: the native one where it loaded, else WebAssembly. */
export type PermuteBackend = 'auto' | 'native' | 'wasm';

/**
 * Pixels of `bands` bytes in, pixels of `bands` bytes out, output byte `c` of each pixel =
 * input byte `perm[c]`. `n` is the pixel count; `si` / `di` are byte offsets. `dst` may be
 * `src` at the same offset (in place); other overlaps are not allowed.
 */
export function simdPermute(bands: 3 | 4, perm: readonly number[], backend: PermuteBackend = 'auto'): BytePermute | undefined {
  if (perm.length !== bands || perm.some((p) => !Number.isInteger(p) || p < 0 || p >= bands)) return undefined;
  const native = backend === 'wasm' ? null : nativeKernel();
  const key = `${native === null ? 'wasm' : 'native'} ${backend} ${bands} ${perm.join('')}`;
  const made = MADE.get(key);
  if (made !== undefined) return made;
  const kernel = native === null ? (backend === 'native' ? undefined : wasmPermute(bands, perm)) : nativePermute(native, bands, perm, backend);
  if (kernel !== undefined) MADE.set(key, kernel);
  return kernel;
}

/**
 * Kernels already made, by back-end and permutation, so a caller asking per image gets the same
 * one; its native `perm` array is then made once, off the JS heap (Node-API reads a small on-heap
 * typed array by first moving it into an ArrayBuffer of its own, a cost on every call).
 */
const MADE = new Map<string, BytePermute>();

function nativePermute(native: NativeKernel, bands: 3 | 4, perm: readonly number[], backend: PermuteBackend): BytePermute {
  const p = new Uint8Array(new ArrayBuffer(bands)); // off the JS heap from the start
  p.set(perm);
  let staged: BytePermute | undefined; // the wasm kernel, made on the first partial overlap
  return (src, si, dst, di, n) => {
    if (backend !== 'native' && overlaps(src, si, dst, di, n * bands)) { // e.g. an `out` over the image's own bytes
      staged ??= wasmPermute(bands, perm);
      if (staged !== undefined) {
        staged(src, si, dst, di, n);
        return;
      }
    }
    native.permute(src, si, dst, di, n, p);
  };
}

/** Whether two byte ranges share memory without being the same range (the native kernel refuses those). */
function overlaps(a: Uint8Array, ai: number, b: Uint8Array, bi: number, len: number): boolean {
  if (a.buffer !== b.buffer) return false;
  const x = a.byteOffset + ai;
  const y = b.byteOffset + bi;
  return x !== y && x < y + len && y < x + len;
}

function wasmPermute(bands: 3 | 4, perm: readonly number[]): BytePermute | undefined {
  const k = load();
  if (k === null) return undefined;
  const { mem, permute } = k;
  const mask = permuteMask(bands, perm);
  const step = bands * 4;
  return (src, si, dst, di, n) => {
    mem.set(mask, MASK);
    const end = si + n * bands;
    for (let s = si, d = di; s < end; s += BLOCK, d += BLOCK) {
      const len = Math.min(BLOCK, end - s);
      mem.set(src.subarray(s, s + len), IN);
      permute(IN, OUT, len, step);
      dst.set(mem.subarray(OUT, OUT + len), d);
    }
  };
}
