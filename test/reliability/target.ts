/**
 * What the fuzzer drives: open + load + toArray of mutated bytes, for each codec / back-end.
 * Frames after the first are sought and loaded too. Acceptable outcomes are success ('ok') or an ImarrayError (its `code`); anything else is
 * returned as a `bug:` outcome with the error, and so is a change to the caller's bytes or an
 * array whose size disagrees with its header.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { open, toArray, ImarrayError, type Backend } from '../../src/index.js';
import { FIXTURES } from '../helpers/fixtures.js';

export type Target = 'png' | 'jpeg-sharp' | 'jpeg-wasm';
export const TARGETS: readonly Target[] = ['png', 'jpeg-sharp', 'jpeg-wasm'];

/** Pixel limit while fuzzing: an edited IHDR/SOF may ask for up to 2x this (16 MB RGBA). */
export const FUZZ_MAX_PIXELS = 1 << 21;

/** Every fixture of the target's format: PngSuite + extra PNGs, or the corpus JPEGs/MPOs. */
export function seeds(target: Target): { name: string; bytes: Uint8Array }[] {
  const dirs = target === 'png' ? ['png/pngsuite', 'extra', 'fuzz'] : ['jpeg', 'extra', 'fuzz'];
  const ext = target === 'png' ? /\.png$/ : /\.(jpe?g|mpo)$/;
  return dirs.flatMap((d) => {
    let names: string[];
    try {
      names = readdirSync(join(FIXTURES, d));
    } catch {
      return [];
    }
    return names.filter((f) => ext.test(f)).sort().map((f) => ({ name: `${d}/${f}`, bytes: new Uint8Array(readFileSync(join(FIXTURES, d, f))) }));
  });
}

const digest = (b: Uint8Array): string => createHash('sha1').update(b).digest('hex');

export async function runCase(bytes: Uint8Array, target: Target): Promise<string> {
  const before = digest(bytes);
  const backend: Backend = target === 'jpeg-wasm' ? 'js' : target === 'jpeg-sharp' ? 'sharp' : 'auto';
  let outcome: string;
  try {
    const img = await open(bytes, { backend, maxImagePixels: FUZZ_MAX_PIXELS });
    await img.load();
    const a = toArray(img, { copy: false });
    const [h, w] = a.shape;
    outcome = h === img.height && w === img.width && a.data.length === a.size ? 'ok' : `bug: array ${a.shape.join('x')} for a ${img.width}x${img.height} image`;
    // later frames (APNG, MPO) too: a bad frame is a typed error at its load
    for (let i = 1; i < Math.min(img.nFrames, 8) && outcome === 'ok'; i++) {
      await img.seek(i);
      await img.load();
    }
  } catch (e) {
    outcome = e instanceof ImarrayError ? e.code : `bug: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
  }
  if (digest(bytes) !== before) outcome = 'bug: the input bytes were modified';
  return outcome;
}

/** runCase with a watchdog for asynchronous hangs (a synchronous loop is caught by the caller's timeout). */
export async function runCaseWithin(bytes: Uint8Array, target: Target, ms: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<string>((resolve) => { timer = setTimeout(() => { resolve(`bug: no result after ${String(ms)} ms`); }, ms); });
  try {
    return await Promise.race([runCase(bytes, target), hang]);
  } finally {
    clearTimeout(timer);
  }
}
