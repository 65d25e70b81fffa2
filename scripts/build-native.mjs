#!/usr/bin/env node
// Builds imarray's optional native kernel (src/kernels/swizzle.c) into
// build/native/<platform>-<arch>/imarray.node with the system C compiler against Node-API
// (ABI-stable: one build serves every Node version >= 20 on that platform). `npm ci` /
// `npm install` run it (package.json "install"); without a compiler or headers it says so
// and exits 0, and imarray runs its WebAssembly kernels instead.
//
//   node scripts/build-native.mjs                 the host's build
//   node scripts/build-native.mjs linux-arm64     a cross build (aarch64-linux-gnu-gcc),
//                                                 for the emulated arm64 suite
// Env: CC (compiler for the host build), IMARRAY_SKIP_NATIVE=1 (build nothing),
// IMARRAY_NATIVE_REQUIRED=1 (a failed build exits 1: CI).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const host = `${process.platform}-${process.arch}`;
const target = process.argv[2] ?? host;
const required = process.env.IMARRAY_NATIVE_REQUIRED === '1';

function done(message, ok) {
  console.log(`imarray native (${target}): ${message}`);
  process.exit(ok || !required ? 0 : 1);
}

if (process.env.IMARRAY_SKIP_NATIVE === '1') done('skipped (IMARRAY_SKIP_NATIVE=1); the WebAssembly kernels are used', true);

const CROSS = { 'linux-arm64': 'aarch64-linux-gnu-gcc', 'linux-x64': 'x86_64-linux-gnu-gcc' };
const cc = target === host ? (process.env.CC ?? 'cc') : CROSS[target];
if (cc === undefined) done(`no cross compiler known for ${target}`, false);
if (process.platform === 'win32') done('not built on Windows (no cc); the WebAssembly kernels are used', true);

// Node-API headers: the ones that ship with Node (official builds and the node-linux-* npm
// packages have include/node; Debian's in /usr/include/node)
const require = createRequire(import.meta.url);
const candidates = [join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node'];
const include = candidates.find((dir) => existsSync(join(dir, 'node_api.h')));
if (include === undefined) done(`no Node-API headers (looked in ${candidates.join(', ')}); the WebAssembly kernels are used`, false);

const outDir = join(root, 'build', 'native', target);
const out = join(outDir, 'imarray.node');
mkdirSync(outDir, { recursive: true });
const args = ['-O2', '-std=c11', '-Wall', '-Wextra', '-fPIC', '-shared', '-fvisibility=hidden', '-I', include,
  join(root, 'src', 'kernels', 'swizzle.c'), '-o', out];
if (process.platform === 'darwin') args.push('-undefined', 'dynamic_lookup');
try {
  execFileSync(cc, args, { stdio: ['ignore', 'inherit', 'inherit'] });
} catch (e) {
  rmSync(out, { force: true });
  done(`${cc} failed (${e.code ?? e.status ?? e.message}); the WebAssembly kernels are used`, false);
}
if (target === host) {
  try {
    const m = require(out);
    if (typeof m.permute !== 'function') throw new Error('no permute export');
    done(`built ${out} (${m.kernel})`, true);
  } catch (e) {
    rmSync(out, { force: true });
    done(`built but would not load (${e.message}); removed, the WebAssembly kernels are used`, false);
  }
}
done(`built ${out}`, true);
