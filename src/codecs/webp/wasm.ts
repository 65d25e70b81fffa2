/**
 * WebP back-end 2 (`backend: 'js'`, or when sharp cannot load): libwebp's still-image decoder
 * compiled to WebAssembly (@jsquash/webp, from Squoosh). It decodes to RGBA with libwebp's
 * defaults, as Pillow's decoder does, and equals Pillow on every still fixture; it has no
 * animation decoder, so animated files raise UnsupportedError here.
 *
 * The module writes RGBA into its own heap and copies it out; we pack that into the image's
 * storage (RGB drops the fourth byte, as Pillow's RGBX rawmode does). After any failure the
 * instance is dropped and the next decode gets a fresh one.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DecodeError, UnsupportedError } from '../../core/errors.js';
import { shuffle } from '../../pixels/pack.js';
import type { WebpHeader } from './parse.js';

/** The slice of the WebAssembly global used here (Node has it; @types/node 20 does not declare it). */
declare const WebAssembly: {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Instance: new (module: WasmModule, imports: WasmImports) => WasmInstance;
};
interface WasmModule { readonly __wasmModule?: never }
type WasmImports = Record<string, unknown>;
interface WasmInstance { exports: Record<string, unknown> }

interface RgbaImage { data: Uint8ClampedArray; width: number; height: number }
interface WebpModule { decode(data: Uint8Array): RgbaImage | null }
type ModuleFactory = (opts: {
  noInitialRun: boolean;
  instantiateWasm: (imports: WasmImports, receive: (instance: WasmInstance) => void) => WasmInstance['exports'];
  print: (s: string) => void;
  printErr: (s: string) => void;
}) => Promise<WebpModule>;

let compiled: Promise<{ factory: ModuleFactory; wasm: WasmModule }> | undefined;
let instance: Promise<WebpModule> | undefined;

function getInstance(): Promise<WebpModule> {
  compiled ??= (async () => {
    const require = createRequire(import.meta.url);
    const bytes = readFileSync(require.resolve('@jsquash/webp/codec/dec/webp_dec.wasm'));
    const [mod, wasm] = await Promise.all([
      import('@jsquash/webp/codec/dec/webp_dec.js') as Promise<unknown> as Promise<{ default: ModuleFactory }>,
      WebAssembly.compile(bytes),
    ]);
    return { factory: mod.default, wasm };
  })();
  instance ??= compiled.then(({ factory, wasm }) =>
    factory({
      noInitialRun: true,
      instantiateWasm(imports, receive) {
        const inst = new WebAssembly.Instance(wasm, imports);
        receive(inst);
        return inst.exports;
      },
      print: () => undefined,
      printErr: () => undefined,
    }),
  );
  return instance;
}

/** The still image of `bytes` as packed RGB or RGBA (`bands`), bands in `order` when given. */
export async function decodeWebpWithWasm(bytes: Uint8Array, h: WebpHeader, bands: 3 | 4, name: string, order?: readonly number[]): Promise<Uint8Array> {
  if (h.durations.length > 1) throw new UnsupportedError(`${name}: animated WebP needs the sharp backend (the WebAssembly decoder reads still images)`);
  const module = await getInstance();
  let out: RgbaImage | null;
  try {
    out = module.decode(bytes);
  } catch (e) {
    instance = undefined; // the module's state after an abort is unknown: start a fresh one
    throw new DecodeError(`failed to decode WebP file ${name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (out === null || out.width !== h.width || out.height !== h.height) {
    throw new DecodeError(`failed to decode WebP file ${name}: decoder returned ${out === null ? 'nothing' : `${String(out.width)}x${String(out.height)}`}, header says ${h.width}x${h.height}`);
  }
  const pixels = h.width * h.height;
  const storage = new Uint8Array(pixels * bands);
  shuffle(4, order ?? (bands === 3 ? [0, 1, 2] : [0, 1, 2, 3]))(new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.length), 0, storage, 0, pixels);
  return storage;
}
