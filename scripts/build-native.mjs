#!/usr/bin/env node
// Builds imarray's optional native kernel (src/kernels/swizzle.c) into
// build/native/<platform>-<arch>/imarray.node with the system C compiler against Node-API
// (ABI-stable: one build serves every Node version >= 20 on that platform). `npm run setup` in
// this repository runs it, then TypeScript; the package has no install-time script at all (no
// install, no prepare: npm 11 asks to approve those, pnpm and bun skip them): it ships prebuilt kernels for linux-x64 and linux-arm64, and
// elsewhere `node node_modules/imarray/scripts/build-native.mjs` builds one. Without a compiler
// or headers it says so and exits 0, and imarray runs its WebAssembly kernels instead.
// Where libjpeg-turbo's and OpenJPEG's sources have been fetched (scripts/fetch-sources.sh, into
// .cache/libjpeg-turbo and .cache/openjpeg) they are built first (cmake, nasm on x86-64; static,
// position-independent libraries whose symbols stay inside the addon) and the direct decoders
// (src/codecs/jpeg/turbo.c, src/codecs/jpeg2000/openjpeg.c) are linked in: the 'native' JPEG and
// JPEG 2000 back-ends.
// Where a prebuilt kernel for this platform ships in the package (prebuilds/<platform>-<arch>,
// `npm run native:prebuilds`) and loads, nothing is compiled.
//
//   node scripts/build-native.mjs                 the host's build
//   node scripts/build-native.mjs linux-arm64     a cross build (aarch64-linux-gnu-gcc),
//                                                 for the emulated arm64 suite
// Env: CC (compiler for the host build), IMARRAY_SKIP_NATIVE=1 (build nothing),
// IMARRAY_NATIVE_REQUIRED=1 (a failed build, or one without the JPEG decoder, exits 1: CI).
//   node scripts/build-native.mjs [target] --prebuild   the same, then copied to prebuilds/<target>
//                                                 (npm run native:prebuilds: the kernels the package ships)
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const host = `${process.platform}-${process.arch}`;
const target = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? host;
const prebuildOnly = process.argv.includes('--prebuild'); // npm run native:prebuilds: build with JPEG, then copy into prebuilds/
const required = process.env.IMARRAY_NATIVE_REQUIRED === '1' || prebuildOnly;

function done(message, ok) {
  console.log(`imarray native (${target}): ${message}`);
  process.exit(ok || !required ? 0 : 1);
}

if (process.env.IMARRAY_SKIP_NATIVE === '1') done('skipped (IMARRAY_SKIP_NATIVE=1); the WebAssembly kernels are used', true);
const require = createRequire(import.meta.url);

// a prebuilt kernel that loads here: nothing to compile (a user's install)
const prebuilt = join(root, 'prebuilds', target, 'imarray.node');
if (!prebuildOnly && target === host && existsSync(prebuilt) && !existsSync(join(root, '.cache', 'libjpeg-turbo'))) {
  try {
    const m = require(prebuilt);
    if (typeof m.permute === 'function') done(`prebuilt ${prebuilt} (${[m.kernel, m.jpeg ? `libjpeg-turbo ${m.jpeg.version}` : '', m.j2k ? `OpenJPEG ${m.j2k.version}` : ''].filter((v) => v !== '').join(', ')})`, true);
  } catch (e) {
    console.log(`imarray native (${target}): the prebuilt kernel does not load here (${e.message}); building one`);
  }
}

const CROSS = { 'linux-arm64': 'aarch64-linux-gnu-gcc', 'linux-x64': 'x86_64-linux-gnu-gcc' };
const cc = target === host ? (process.env.CC ?? 'cc') : CROSS[target];
if (cc === undefined) done(`no cross compiler known for ${target}`, false);
if (process.platform === 'win32') done('not built on Windows (no cc); the WebAssembly kernels are used', true);

// Node-API headers: the ones that ship with Node (official builds and the node-linux-* npm
// packages have include/node; Debian's in /usr/include/node)
const candidates = [join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node'];
const include = candidates.find((dir) => existsSync(join(dir, 'node_api.h')));
if (include === undefined) done(`no Node-API headers (looked in ${candidates.join(', ')}); the WebAssembly kernels are used`, false);

const outDir = join(root, 'build', 'native', target);
const out = join(outDir, 'imarray.node');
mkdirSync(outDir, { recursive: true });
const args = ['-O2', '-std=c11', '-Wall', '-Wextra', '-fPIC', '-shared', '-fvisibility=hidden', '-I', include,
  join(root, 'src', 'kernels', 'swizzle.c'), '-o', out];
if (process.platform === 'darwin') args.push('-undefined', 'dynamic_lookup');
const LIBRARIES = {
  jpeg: {
    name: 'libjpeg-turbo', dir: 'libjpeg-turbo', orig: 'libjpeg-turbo_2.1.5.orig.tar.gz', debian: 'libjpeg-turbo_2.1.5-2.debian.tar.xz',
    cmake: ['-DENABLE_SHARED=OFF', '-DENABLE_STATIC=ON', '-DWITH_TURBOJPEG=OFF', '-DWITH_JAVA=OFF', '-DWITH_ARITH_DEC=ON', '-DWITH_ARITH_ENC=OFF'],
    make: 'jpeg-static', lib: 'libjpeg.a', include: (src, build) => [src, build], nasm: true, fallback: 'JPEG decodes through sharp',
    defines: ['IMARRAY_WITH_JPEG'], libs: [], glue: join(root, 'src', 'codecs', 'jpeg', 'turbo.c'),
  },
  j2k: {
    name: 'OpenJPEG', dir: 'openjpeg', orig: 'openjpeg2_2.5.0.orig.tar.xz', debian: 'openjpeg2_2.5.0-2+deb12u3.debian.tar.xz',
    cmake: ['-DBUILD_SHARED_LIBS=OFF', '-DBUILD_STATIC_LIBS=ON', '-DBUILD_CODEC=OFF'],
    make: 'openjp2', lib: join('bin', 'libopenjp2.a'), include: (src, build) => [join(src, 'src', 'lib', 'openjp2'), join(build, 'src', 'lib', 'openjp2')],
    fallback: 'JPEG 2000 decodes through OpenJPEG in WebAssembly', defines: ['IMARRAY_WITH_OPENJPEG', 'OPJ_STATIC'], libs: ['-lm', '-lpthread'], glue: join(root, 'src', 'codecs', 'jpeg2000', 'openjpeg.c'),
  },
};
const built = {};
for (const [key, spec] of Object.entries(LIBRARIES)) {
  const lib = buildDebianLibrary(spec);
  built[key] = lib;
  if (typeof lib === 'string') {
    // a prebuilt kernel, or CI's build, must have the JPEG decoder; OpenJPEG is optional (scripts/fetch-sources.sh)
    if (key === 'jpeg' && (prebuildOnly || required)) done(`no JPEG decoder: ${lib}`, false);
    console.log(`imarray native (${target}): no ${spec.name} decoder: ${lib}`);
    continue;
  }
  args.push(...spec.defines.map((d) => `-D${d}`), ...lib.include.flatMap((dir) => ['-I', dir]), spec.glue, lib.lib, ...spec.libs);
}
const jpeg = built.jpeg;
// the libraries' symbols stay local to the addon (sharp's libvips carries its own libjpeg-turbo)
args.push('-Wl,--exclude-libs,ALL', '-Wl,-Bsymbolic');
const versions = (m) => [m.kernel, m.jpeg ? `libjpeg-turbo ${m.jpeg.version}` : '', m.j2k ? `OpenJPEG ${m.j2k.version}` : ''].filter((v) => v !== '').join(', ');
try {
  execFileSync(cc, args, { stdio: ['ignore', 'inherit', 'inherit'] });
} catch (e) {
  rmSync(out, { force: true });
  done(`${cc} failed (${e.code ?? e.status ?? e.message}); the WebAssembly kernels are used`, false);
}
function finish(what) {
  if (prebuildOnly) {
    mkdirSync(dirname(prebuilt), { recursive: true });
    copyFileSync(out, prebuilt);
    done(`${what}; copied to ${prebuilt}`, true);
  }
  done(what, true);
}
if (target === host) {
  try {
    const m = require(out);
    if (typeof m.permute !== 'function') throw new Error('no permute export');
    if (typeof jpeg !== 'string' && typeof m.jpeg?.decode !== 'function') throw new Error('no jpeg export');
    if (typeof built.j2k !== 'string' && typeof m.j2k?.decode !== 'function') throw new Error('no j2k export');
    finish(`built ${out} (${versions(m)})`);
  } catch (e) {
    rmSync(out, { force: true });
    done(`built but would not load (${e.message}); removed, the WebAssembly kernels are used`, false);
  }
}
const linked = Object.entries(built).filter(([, l]) => typeof l !== 'string').map(([k]) => LIBRARIES[k].name);
finish(`built ${out}${linked.length > 0 ? ` (with ${linked.join(', ')})` : ''}`);

/**
 * A C library from .cache/<dir> (Debian's source package: the upstream tarball and Debian's
 * patches, checked by scripts/fetch-sources.sh): unpacked and patched once, built once per
 * target as a static PIC library with cmake. Returns its paths, or why there is none.
 */
function buildDebianLibrary(spec) {
  const cache = join(root, '.cache', spec.dir);
  const orig = join(cache, spec.orig);
  const deb = join(cache, spec.debian);
  if (!existsSync(orig) || !existsSync(deb)) return `no ${spec.name} source (scripts/fetch-sources.sh fetches it); ${spec.fallback}`;
  const src = join(cache, 'src');
  const stamp = join(src, '.imarray-patched');
  const run = (cmd, argv, cwd) => execFileSync(cmd, argv, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    if (!existsSync(stamp)) {
      rmSync(src, { recursive: true, force: true });
      mkdirSync(src, { recursive: true });
      run('tar', ['xf', orig, '-C', src, '--strip-components=1']);
      run('tar', ['xf', deb, '-C', src]);
      const series = readFileSync(join(src, 'debian', 'patches', 'series'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
      for (const patch of series) run('patch', ['-p1', '-s', '-i', join(src, 'debian', 'patches', patch)], src);
      writeFileSync(stamp, series.join('\n'));
    }
    const build = join(cache, `build-${target}`);
    const lib = join(build, spec.lib);
    if (!existsSync(lib) || statSync(lib).mtimeMs < statSync(stamp).mtimeMs) {
      const cmake = ['-G', 'Unix Makefiles', '-Wno-dev', '-DCMAKE_BUILD_TYPE=Release', '-DCMAKE_POSITION_INDEPENDENT_CODE=ON', `-DCMAKE_C_COMPILER=${cc}`, ...spec.cmake];
      if (target !== host) cmake.push('-DCMAKE_SYSTEM_NAME=Linux', `-DCMAKE_SYSTEM_PROCESSOR=${target.endsWith('arm64') ? 'aarch64' : 'x86_64'}`);
      if (spec.nasm && target.endsWith('x64')) {
        try {
          execFileSync('nasm', ['-v'], { stdio: 'ignore' });
        } catch {
          return `no nasm (${spec.name} without its SIMD code would be slower than sharp); apt-get install nasm`;
        }
      }
      rmSync(build, { recursive: true, force: true });
      mkdirSync(build, { recursive: true });
      run('cmake', [...cmake, src], build);
      run('make', [`-j${Math.max(2, availableParallelism())}`, spec.make], build);
    }
    return { lib, include: spec.include(src, build) };
  } catch (e) {
    return `building ${spec.name} failed (${e.code ?? e.status ?? e.message}); ${spec.fallback}`;
  }
}
