/**
 * Loading imarray's optional native kernel (kernels/swizzle.c, built into
 * build/native/<platform>-<arch>/imarray.node by scripts/build-native.mjs, which `npm ci` runs).
 * It is optional the way ws's bufferutil is: where it was not built (no C compiler, Windows)
 * or will not load, this returns null and callers keep their WebAssembly / JavaScript kernels.
 * `IMARRAY_NATIVE=0` in the environment switches it off (read once, at first use).
 */
import { implementation } from './choose.js';
import { createRequire } from 'node:module';

export interface NativeKernel {
  /** Which vector code this CPU runs: 'avx512vbmi', 'avx2', 'ssse3', 'neon' or 'scalar'. */
  kernel: string;
  /** The same as a number: 3 AVX-512 VBMI, 2 AVX2, 1 SSSE3 / NEON, 0 scalar. */
  level: number;
  /**
   * `n` pixels of `perm.length` (3 or 4) bytes: output byte c = input byte perm[c], from byte
   * `si` of `src` to byte `di` of `dst` (the same bytes in place, or no overlap). Throws a
   * TypeError / RangeError on anything else, never reads or writes out of range. `maxLevel`
   * (tests) caps the kernel used, so each one can be checked on a CPU that has a better one.
   */
  permute(src: Uint8Array, si: number, dst: Uint8Array, di: number, n: number, perm: Uint8Array, maxLevel?: number): void;
  /** Maps in the pages of a fresh buffer in one system call (Linux 5.14+); false where it could not. Bytes unchanged. */
  prefault(buf: Uint8Array): boolean;
}

/**
 * From this size up glibc's malloc always maps fresh pages (this is its largest mmap threshold on
 * 64-bit), so a new array's every page faults on first write; smaller arrays usually reuse
 * heap pages that are already mapped, where the call would only cost time.
 */
const PREFAULT_MIN = 32 * 2 ** 20;

/**
 * Before writing a large array imarray has just allocated: map its pages in one call rather
 * than one fault per 4 KB page during the write (docs/internals.md has the measurement). A no-op
 * without the native kernel.
 */
export function prefaultFresh(arr: ArrayBufferView): void {
  if (arr.byteLength < PREFAULT_MIN) return;
  nativeKernel()?.prefault(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
}

let loaded: NativeKernel | null | undefined;

/** The native kernel for this platform, or null. */
export function nativeKernel(): NativeKernel | null {
  if (implementation('swizzle') !== 'native') return null;
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (process.env.IMARRAY_NATIVE === '0') return loaded;
  try {
    const m: unknown = createRequire(import.meta.url)(`../../build/native/${process.platform}-${process.arch}/imarray.node`);
    if (typeof m === 'object' && m !== null && 'permute' in m && typeof m.permute === 'function' && 'prefault' in m && typeof m.prefault === 'function' && 'kernel' in m && typeof m.kernel === 'string' && 'level' in m && typeof m.level === 'number') {
      loaded = m as NativeKernel;
    }
  } catch {
    // not built for this platform, or built for another libc / CPU: the fallbacks run
  }
  return loaded;
}
