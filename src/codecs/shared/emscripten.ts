/**
 * Loading an Emscripten-built decoder (the @jsquash codecs: MozJPEG, libwebp) from its
 * package: the .wasm compiled once, one instance kept and replaced after a failure (an
 * Emscripten `exit()`/abort leaves its heap and stack in an unknown state), and the module's
 * stdout/stderr lines collected for error messages instead of printed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The slice of the WebAssembly global used here (Node has it; @types/node 20 does not declare it). */
declare const WebAssembly: {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Instance: new (module: WasmModule, imports: WasmImports) => WasmInstance;
};
interface WasmModule { readonly __wasmModule?: never }
type WasmImports = Record<string, unknown>;
interface WasmInstance { exports: Record<string, unknown> }

/** An Emscripten module factory (the default export of the codec's .js). */
export type ModuleFactory<M> = (opts: {
  noInitialRun: boolean;
  instantiateWasm: (imports: WasmImports, receive: (instance: WasmInstance) => void) => WasmInstance['exports'];
  print: (s: string) => void;
  printErr: (s: string) => void;
}) => Promise<M>;

/** RGBA pixels as the @jsquash decoders return them. */
export interface RgbaImage { data: Uint8ClampedArray; width: number; height: number }

export interface EmscriptenCodec<M> {
  /** The module instance (made on first use, and again after `reset`). */
  get(): Promise<M>;
  /** Drops the instance: the next `get` makes a fresh one. */
  reset(): void;
  /** What the module printed since the last `clearMessages`. */
  readonly messages: string[];
  clearMessages(): void;
}

/**
 * A loader for the Emscripten codec whose wasm is `wasmPath` (resolved from this package)
 * and whose factory `importJs` imports.
 */
export function emscriptenCodec<M>(wasmPath: string, importJs: () => Promise<unknown>): EmscriptenCodec<M> {
  let compiled: Promise<{ factory: ModuleFactory<M>; wasm: WasmModule }> | undefined;
  let instance: Promise<M> | undefined;
  const messages: string[] = [];
  const compile = () => {
    compiled ??= (async () => {
      const bytes = readFileSync(createRequire(import.meta.url).resolve(wasmPath));
      const [mod, wasm] = await Promise.all([importJs() as Promise<{ default: ModuleFactory<M> }>, WebAssembly.compile(bytes)]);
      return { factory: mod.default, wasm };
    })();
    return compiled;
  };
  return {
    get() {
      instance ??= compile().then(({ factory, wasm }) =>
        factory({
          noInitialRun: true,
          instantiateWasm(imports, receive) {
            const inst = new WebAssembly.Instance(wasm, imports);
            receive(inst);
            return inst.exports;
          },
          print: (s) => messages.push(s),
          printErr: (s) => messages.push(s),
        }),
      );
      return instance;
    },
    reset() {
      instance = undefined;
    },
    messages,
    clearMessages() {
      messages.length = 0;
    },
  };
}
