/**
 * Loading imarray's WebAssembly kernels (kernels/swizzle.wat, codecs/png/unfilter.wat,
 * ndarray/planes.wat; each compiled into a `*-wasm.ts` of base64 by `npm run wasm`). Every
 * kernel has a JavaScript fallback: these return null where the engine cannot compile or
 * instantiate it (no WebAssembly, no SIMD), and callers then keep their JavaScript kernels.
 */

/** The slice of the WebAssembly global used here (Node has it; @types/node 20 does not declare it). */
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
};

export interface KernelMemory {
  buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface KernelInstance {
  memory: KernelMemory;
  exports: Record<string, unknown>;
}

/** The compiled kernel, or null where this engine cannot compile it. */
export function compileKernel(base64: string): object | null {
  try {
    return new WebAssembly.Module(Buffer.from(base64, 'base64'));
  } catch {
    return null;
  }
}

/** A new instance of a compiled kernel (with its own memory), or null. */
export function instantiateKernel(module: object): KernelInstance | null {
  try {
    const { exports } = new WebAssembly.Instance(module);
    const memory = exports.memory;
    if (typeof memory !== 'object' || memory === null || !('buffer' in memory) || !(memory.buffer instanceof ArrayBuffer) || !('grow' in memory)) return null;
    return { memory: memory as KernelMemory, exports };
  } catch {
    return null;
  }
}

/** Compiles and instantiates a kernel used through one instance per thread, or null. */
export function loadKernel(base64: string): KernelInstance | null {
  const module = compileKernel(base64);
  return module === null ? null : instantiateKernel(module);
}
