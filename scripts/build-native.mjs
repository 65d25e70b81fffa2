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

/** What a loaded kernel has: its CPU path and the libraries linked in. */
const versions = (m) => [m.kernel, m.jpeg ? `libjpeg-turbo ${m.jpeg.version}` : '', m.j2k ? `OpenJPEG ${m.j2k.version}` : '', m.avif ? `dav1d ${m.avif.version}` : '', m.lzma ? `liblzma ${m.lzma.version}` : '', m.deflate ? `libdeflate ${m.deflate.version}` : ''].filter((v) => v !== '').join(', ');

// a prebuilt kernel that loads here: nothing to compile (a user's install)
const prebuilt = join(root, 'prebuilds', target, 'imarray.node');
if (!prebuildOnly && target === host && existsSync(prebuilt) && !existsSync(join(root, '.cache', 'libjpeg-turbo'))) {
  try {
    const m = require(prebuilt);
    if (typeof m.permute === 'function') done(`prebuilt ${prebuilt} (${versions(m)})`, true);
  } catch (e) {
    console.log(`imarray native (${target}): the prebuilt kernel does not load here (${e.message}); building one`);
  }
}

const CROSS = { 'linux-arm64': 'aarch64-linux-gnu-gcc', 'linux-x64': 'x86_64-linux-gnu-gcc' };
const cc = target === host ? (process.env.CC ?? 'cc') : CROSS[target];
const cxx = target === host ? (process.env.CXX ?? 'c++') : CROSS[target]?.replace(/gcc$/, 'g++');
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
  join(root, 'src', 'kernels', 'swizzle.c'), join(root, 'src', 'kernels', 'napi.c'), join(root, 'src', 'codecs', 'tiff', 'strips.c'), '-o', out];
if (process.platform === 'darwin') args.push('-undefined', 'dynamic_lookup');
// the C libraries (Debian's source packages, scripts/fetch-sources.sh), and the decoders built on them
const SOURCES = {
  libjpeg: {
    name: 'libjpeg-turbo', dir: 'libjpeg-turbo', orig: 'libjpeg-turbo_2.1.5.orig.tar.gz', debian: 'libjpeg-turbo_2.1.5-2.debian.tar.xz',
    cmake: ['-DENABLE_SHARED=OFF', '-DENABLE_STATIC=ON', '-DWITH_TURBOJPEG=OFF', '-DWITH_JAVA=OFF', '-DWITH_ARITH_DEC=ON', '-DWITH_ARITH_ENC=OFF'],
    make: 'jpeg-static', lib: 'libjpeg.a', include: (src, build) => [src, build], nasm: true,
  },
  openjpeg: {
    name: 'OpenJPEG', dir: 'openjpeg', orig: 'openjpeg2_2.5.0.orig.tar.xz', debian: 'openjpeg2_2.5.0-2+deb12u3.debian.tar.xz',
    cmake: ['-DBUILD_SHARED_LIBS=OFF', '-DBUILD_STATIC_LIBS=ON', '-DBUILD_CODEC=OFF'],
    make: 'openjp2', lib: join('bin', 'libopenjp2.a'), include: (src, build) => [join(src, 'src', 'lib', 'openjp2'), join(build, 'src', 'lib', 'openjp2')],
  },
  dav1d: {
    name: 'dav1d', dir: 'dav1d', orig: 'dav1d_1.0.0.orig.tar.xz', debian: 'dav1d_1.0.0-2+deb12u1.debian.tar.xz', nasm: true,
    meson: ['-Denable_tools=false', '-Denable_tests=false', '-Denable_examples=false', '-Denable_docs=false', '-Dlogging=false'],
    lib: join('src', 'libdav1d.a'), include: (src, build) => [join(src, 'include'), join(build, 'include'), join(build, 'include', 'dav1d')],
  },
  xz: {
    name: 'liblzma', dir: 'xz', orig: 'xz-utils_5.4.1.orig.tar.xz', debian: 'xz-utils_5.4.1-1+deb12u1.debian.tar.xz',
    cmake: ['-DBUILD_SHARED_LIBS=OFF'], make: 'liblzma', lib: 'liblzma.a', include: (src) => [join(src, 'src', 'liblzma', 'api')],
  },
  libdeflate: {
    name: 'libdeflate', dir: 'libdeflate', orig: 'libdeflate_1.14.orig.tar.gz', debian: 'libdeflate_1.14-1.debian.tar.xz',
    // no cmake in 1.14: its decompression sources are compiled and archived as they are
    cfiles: ['lib/deflate_decompress.c', 'lib/zlib_decompress.c', 'lib/adler32.c', 'lib/utils.c', 'lib/x86/cpu_features.c', 'lib/arm/cpu_features.c'],
    lib: 'libdeflate.a', include: (src) => [src],
  },
  libyuv: {
    name: 'libyuv', dir: 'libyuv', orig: 'libyuv_0.0~git20230123.b2528b0.orig.tar.gz', debian: 'libyuv_0.0~git20230123.b2528b0-1.debian.tar.xz', cxx: true,
    cmake: ['-DCMAKE_DISABLE_FIND_PACKAGE_JPEG=TRUE'], make: 'yuv', lib: 'libyuv.a', include: (src) => [join(src, 'include')],
  },
};
const DECODERS = {
  jpeg: {
    name: 'libjpeg-turbo', sources: [SOURCES.libjpeg], fallback: 'JPEG decodes through sharp',
    defines: ['IMARRAY_WITH_JPEG'], libs: [], glue: join(root, 'src', 'codecs', 'jpeg', 'turbo.c'),
  },
  j2k: {
    name: 'OpenJPEG', sources: [SOURCES.openjpeg], fallback: 'JPEG 2000 decodes through OpenJPEG in WebAssembly',
    defines: ['IMARRAY_WITH_OPENJPEG', 'OPJ_STATIC'], libs: ['-lm', '-lpthread'], glue: join(root, 'src', 'codecs', 'jpeg2000', 'openjpeg.c'),
  },
  lzma: {
    name: 'liblzma', sources: [SOURCES.xz], fallback: 'LZMA-compressed TIFF raises UnsupportedError',
    defines: ['IMARRAY_WITH_LZMA', 'LZMA_API_STATIC'], libs: ['-lpthread'], glue: join(root, 'src', 'codecs', 'tiff', 'lzma.c'),
  },
  deflate: {
    name: 'libdeflate', sources: [SOURCES.libdeflate], fallback: "Deflate-compressed TIFF inflates through node:zlib",
    defines: ['IMARRAY_WITH_DEFLATE'], libs: [], glue: join(root, 'src', 'codecs', 'tiff', 'deflate.c'),
  },
  avif: {
    name: 'dav1d + libyuv', sources: [SOURCES.dav1d, SOURCES.libyuv], fallback: 'AVIF decodes through libavif in WebAssembly',
    defines: ['IMARRAY_WITH_AVIF'], libs: ['-lm', '-lpthread', '-ldl'], glue: join(root, 'src', 'codecs', 'avif', 'dav1d.c'),
  },
};
const built = {};
for (const [key, dec] of Object.entries(DECODERS)) {
  const libs = [];
  for (const spec of dec.sources) {
    const lib = buildDebianLibrary(spec);
    if (typeof lib === 'string') {
      libs.length = 0;
      built[key] = `${lib}; ${dec.fallback}`;
      break;
    }
    libs.push(lib);
  }
  if (typeof built[key] === 'string') {
    // a prebuilt kernel, or CI's build, must have the JPEG decoder; the others are optional (scripts/fetch-sources.sh)
    if (key === 'jpeg' && (prebuildOnly || required)) done(`no JPEG decoder: ${built[key]}`, false);
    console.log(`imarray native (${target}): no ${dec.name} decoder: ${built[key]}`);
    continue;
  }
  built[key] = libs;
  args.push(...dec.defines.map((d) => `-D${d}`), ...libs.flatMap((l) => l.include.flatMap((dir) => ['-I', dir])), dec.glue, ...libs.map((l) => l.lib), ...dec.libs);
}
// the libraries' symbols stay local to the addon (sharp's libvips carries its own libjpeg-turbo)
args.push('-Wl,--exclude-libs,ALL', '-Wl,-Bsymbolic');
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
    // each decoder linked in registers itself under its key (turbo.c: jpeg, openjpeg.c: j2k...)
    for (const [key, lib] of Object.entries(built)) if (typeof lib !== 'string' && typeof m[key]?.decodeSync !== 'function') throw new Error(`no ${key} export`);
    finish(`built ${out} (${versions(m)})`);
  } catch (e) {
    rmSync(out, { force: true });
    done(`built but would not load (${e.message}); removed, the WebAssembly kernels are used`, false);
  }
}
const linked = Object.entries(built).filter(([, l]) => typeof l !== 'string').map(([k]) => DECODERS[k].name);
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
  if (!existsSync(orig) || !existsSync(deb)) return `no ${spec.name} source (scripts/fetch-sources.sh fetches it)`;
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
      if (spec.nasm && target.endsWith('x64')) {
        try {
          execFileSync('nasm', ['-v'], { stdio: 'ignore' });
        } catch {
          return `no nasm (${spec.name} without its SIMD code would be slower than sharp); apt-get install nasm`;
        }
      }
      rmSync(build, { recursive: true, force: true });
      mkdirSync(build, { recursive: true });
      const cpu = target.endsWith('arm64') ? 'aarch64' : 'x86_64';
      if (spec.cfiles !== undefined) {
        const objects = spec.cfiles.map((f) => {
          const o = join(build, `${f.replace(/[/.]/g, '_')}.o`);
          run(cc, ['-O2', '-fPIC', '-fvisibility=hidden', '-I', src, '-c', join(src, f), '-o', o], root);
          return o;
        });
        // a cross gcc's own ar (aarch64-linux-gnu-ar), else the system's
        run(/-gcc$/.test(cc) ? cc.replace(/gcc$/, 'ar') : 'ar', ['rcs', lib, ...objects], root);
      } else if (spec.meson !== undefined) {
        const meson = ['setup', build, src, '--default-library=static', '--buildtype=release', '-Db_staticpic=true', ...spec.meson];
        if (target !== host) {
          const cross = join(build, '..', `cross-${target}.ini`);
          writeFileSync(cross, `[binaries]\nc = '${cc}'\nar = '${cc.replace(/gcc$/, 'ar')}'\nstrip = '${cc.replace(/gcc$/, 'strip')}'\n[host_machine]\nsystem = 'linux'\ncpu_family = '${cpu}'\ncpu = '${cpu}'\nendian = 'little'\n`);
          meson.push('--cross-file', cross);
        }
        run('meson', meson, root);
        run('ninja', ['-C', build], root);
      } else {
        const cmake = ['-G', 'Unix Makefiles', '-Wno-dev', '-DCMAKE_BUILD_TYPE=Release', '-DCMAKE_POSITION_INDEPENDENT_CODE=ON', `-DCMAKE_C_COMPILER=${cc}`, ...spec.cmake];
        if (spec.cxx) cmake.push(`-DCMAKE_CXX_COMPILER=${cxx}`);
        if (target !== host) cmake.push('-DCMAKE_SYSTEM_NAME=Linux', `-DCMAKE_SYSTEM_PROCESSOR=${cpu}`);
        run('cmake', [...cmake, src], build);
        run('make', [`-j${Math.max(2, availableParallelism())}`, spec.make], build);
      }
    }
    return { lib, include: spec.include(src, build) };
  } catch (e) {
    return `building ${spec.name} failed (${e.code ?? e.status ?? e.message})`;
  }
}
