#!/usr/bin/env node
// `npm pack` / `npm publish` (prepack): the package ships the native kernel prebuilt for
// linux-x64 and linux-arm64 (`npm run native:prebuilds`, which CI runs), each with the libjpeg-turbo
// JPEG decoder and, where their sources were fetched, the OpenJPEG, dav1d + libyuv, liblzma and libdeflate decoders; this fails
// the pack when one is missing or built for the wrong machine.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MACHINES = { 'linux-x64': 62, 'linux-arm64': 183 }; // ELF e_machine: EM_X86_64, EM_AARCH64
let bad = 0;
for (const [target, machine] of Object.entries(MACHINES)) {
  const file = join(root, 'prebuilds', target, 'imarray.node');
  if (!existsSync(file)) {
    console.error(`prebuilds: ${file} is missing (npm run native:prebuilds)`);
    bad++;
    continue;
  }
  const b = readFileSync(file);
  const elf = b[0] === 0x7f && b.toString('latin1', 1, 4) === 'ELF';
  const found = elf ? b.readUInt16LE(18) : -1;
  if (found !== machine) {
    console.error(`prebuilds: ${file} is not a ${target} shared object (ELF machine ${found})`);
    bad++;
  } else if (!b.includes('IMARRAY_JPEG')) {
    console.error(`prebuilds: ${file} has no JPEG decoder (build it with libjpeg-turbo's source: scripts/fetch-sources.sh)`);
    bad++;
  } else if (existsSync(join(root, '.cache', 'openjpeg', 'openjpeg2_2.5.0.orig.tar.xz')) && !b.includes('imarray.j2k')) {
    console.error(`prebuilds: ${file} has no JPEG 2000 decoder though OpenJPEG's source is in .cache/openjpeg`);
    bad++;
  } else if (existsSync(join(root, '.cache', 'xz', 'xz-utils_5.4.1.orig.tar.xz')) && !b.includes('IMARRAY_LZMA')) {
    console.error(`prebuilds: ${file} has no liblzma though xz-utils' source is in .cache/xz`);
    bad++;
  } else if (existsSync(join(root, '.cache', 'libdeflate', 'libdeflate_1.14.orig.tar.gz')) && !b.includes('deflate.decodeSync')) {
    console.error(`prebuilds: ${file} has no libdeflate though its source is in .cache/libdeflate`);
    bad++;
  } else if (existsSync(join(root, '.cache', 'dav1d', 'dav1d_1.0.0.orig.tar.xz')) && existsSync(join(root, '.cache', 'libyuv')) && !b.includes('imarray.avif')) {
    console.error(`prebuilds: ${file} has no AVIF decoder though dav1d's and libyuv's sources are in .cache/`);
    bad++;
  } else {
    console.log(`prebuilds: ${target} ok (${b.length} bytes)`);
  }
}
process.exit(bad === 0 ? 0 : 1);
