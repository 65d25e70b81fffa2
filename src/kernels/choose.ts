/**
 * The one switch for choosing an implementation where a kernel has several (tests and
 * benchmarks hold them equal, or time them against each other; the defaults are what users
 * get): `useImplementation('planes', 'js')`. Each kernel reads its choice when it runs.
 */
export interface Implementations {
  /** Byte permutations (swizzle.c where the native kernel loads, else WebAssembly): 'native' or 'wasm'. */
  swizzle: 'native' | 'wasm';
  /** The fused CHW float32 planes: 'wasm' or 'js'. */
  planes: 'wasm' | 'js';
  /** The PNG unfilter: 'simd' (WebAssembly SIMD) or 'js'. */
  unfilter: 'simd' | 'js';
  /** Pillow's 8-bit resampling passes: 'simd' (WebAssembly SIMD) or 'js'. */
  resample: 'simd' | 'js';
  /** The PNG inflate: 'auto' (a helper thread for large images), 'thread', 'block' or 'stream'. */
  inflater: 'auto' | 'thread' | 'block' | 'stream';
  /** TIFF LZW and PackBits strips: 'native' (codecs/tiff/strips.c in the native kernel, where it loads) or 'js'. */
  tiffStrips: 'native' | 'js';
}

const DEFAULTS: Implementations = { swizzle: 'native', planes: 'wasm', unfilter: 'simd', resample: 'simd', inflater: 'auto', tiffStrips: 'native' };
const current: Implementations = { ...DEFAULTS };

/** Chooses the implementation of `kernel` from now on (process-wide). */
export function useImplementation<K extends keyof Implementations>(kernel: K, impl: Implementations[K]): void {
  current[kernel] = impl;
}

/** The implementation chosen for `kernel`. */
export function implementation<K extends keyof Implementations>(kernel: K): Implementations[K] {
  return current[kernel];
}

/** Back to the defaults (for tests' afterEach). */
export function resetImplementations(): void {
  Object.assign(current, DEFAULTS);
}
