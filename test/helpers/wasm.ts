/** Shared by the WebAssembly kernel tests (swizzle, unfilter, planes). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileWat, wasmModuleSource, KERNELS } from '../../scripts/build-wasm.mjs';

/** Deterministic pseudo-random bytes (an LCG's high byte). */
export function seededBytes(length: number, seed: number): Uint8Array {
  const a = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    a[i] = x >>> 24;
  }
  return a;
}

/**
 * Whether the committed `*-wasm.ts` of kernel `name` is exactly what `npm run wasm` makes
 * from its `.wat` today, and the base64 the module exports (`committed`) decodes to those bytes.
 */
export async function kernelIsBuilt(name: (typeof KERNELS)[number]['name'], committed: string): Promise<boolean> {
  const kernel = KERNELS.find((k) => k.name === name);
  if (kernel === undefined) return false;
  const root = new URL('../../', import.meta.url);
  const bytes = await compileWat(fileURLToPath(new URL(kernel.wat, root)));
  return Buffer.from(committed, 'base64').equals(bytes) &&
    readFileSync(new URL(kernel.ts, root), 'utf8') === wasmModuleSource(bytes, kernel);
}
