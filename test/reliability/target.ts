/**
 * What the fuzzer drives: open + load + toArray of mutated bytes, for each registered codec and
 * back-end (the targets come from the registry).
 * Frames after the first are sought and loaded too. Acceptable outcomes are success ('ok') or an ImarrayError (its `code`); anything else is
 * returned as a `bug:` outcome with the error, and so is a change to the caller's bytes or an
 * array whose size disagrees with its header.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { open, toArray, ImarrayError, type Backend } from '../../src/index.js';
import { FIXTURES } from '../helpers/fixtures.js';
import { CODECS } from '../../src/codecs/registry.js';
import type { Codec } from '../../src/codecs/codec.js';

/** A fuzz target: one format, with one of its back-ends (`png`, `jpeg-sharp`, `jpeg-js`, `qoi`), from the registry. */
export type Target = string;
interface TargetSpec { codec: Codec; backend: Backend }
const SPECS = new Map<Target, TargetSpec>(
  CODECS.flatMap((codec: Codec): [Target, TargetSpec][] => {
    const fmt = codec.format.toLowerCase();
    const kinds = codec.backends ?? [];
    return kinds.length > 1 ? kinds.map((b) => [`${fmt}-${b}`, { codec, backend: b }]) : [[fmt, { codec, backend: 'auto' }]];
  }),
);
export const TARGETS: readonly Target[] = [...SPECS.keys()];

export function targetSpec(target: Target): TargetSpec {
  const spec = SPECS.get(target);
  if (spec === undefined) throw new Error(`unknown fuzz target ${target}; have ${TARGETS.join(', ')}`);
  return spec;
}

/** Pixel limit while fuzzing: an edited header may ask for up to 2x this (16 MB RGBA). */
export const FUZZ_MAX_PIXELS = 1 << 21;

const walk = (d: string): string[] => {
  let names: string[];
  try {
    names = readdirSync(d);
  } catch {
    return [];
  }
  return names.flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
};

/** Every fixture of the target's format (its folder, bad/ included) and of extra/ and fuzz/ with its extensions. */
export function seeds(target: Target): { name: string; bytes: Uint8Array }[] {
  const { codec } = targetSpec(target);
  const dirs = [codec.format.toLowerCase(), 'extra', 'fuzz'];
  return dirs.flatMap((d) =>
    walk(join(FIXTURES, d))
      .filter((f) => codec.extensions.includes(extname(f).toLowerCase()))
      .sort()
      .map((f) => ({ name: relative(FIXTURES, f), bytes: new Uint8Array(readFileSync(f)) })),
  );
}

const digest = (b: Uint8Array): string => createHash('sha1').update(b).digest('hex');

export async function runCase(bytes: Uint8Array, target: Target): Promise<string> {
  const before = digest(bytes);
  const { backend } = targetSpec(target);
  let outcome: string;
  try {
    const img = await open(bytes, { backend, maxImagePixels: FUZZ_MAX_PIXELS });
    await img.load();
    const a = toArray(img, { copy: false });
    const [h, w] = a.shape;
    outcome = h === img.height && w === img.width && a.data.length === a.size ? 'ok' : `bug: array ${a.shape.join('x')} for a ${img.width}x${img.height} image`;
    // later frames (APNG, GIF, MPO, PSD layers) too: a bad frame is a typed error at its load
    const first = img.firstFrame;
    for (let i = first + 1; i < first + Math.min(img.nFrames, 8) && outcome === 'ok'; i++) {
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
