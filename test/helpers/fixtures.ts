/** Fixture paths and the Pillow references recorded for them. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/', import.meta.url));
export const fixture = (name: string): string => join(FIXTURES, name);

export interface PillowOk {
  ok: true;
  format: string;
  mode: string;
  size: [number, number];
  array: { shape: number[]; dtype: string; sha256: string; sha256_u8?: string; min: number; max: number; mean: number };
  info: Record<string, unknown>;
  info_keys: string[];
  exif_orientation: number | null;
  n_frames: number;
  frames?: { index: number; sha256?: string; mode?: string; size?: [number, number]; error?: string }[];
}
export interface PillowFail {
  ok: false;
  stage: 'open' | 'asarray';
  error: string;
  message: string;
  format?: string;
  mode?: string;
  size?: [number, number];
}
export interface RefEntry {
  name: string;
  fixture: string;
  group: string;
  sha256: string;
  pillow: PillowOk | PillowFail;
}

/** Pillow 9.4's result for every corpus file (shared/corpus/REFERENCE.json, paths mapped). */
export const PILLOW_94: RefEntry[] = (
  JSON.parse(readFileSync(fixture('pillow-9.4-reference.json'), 'utf8')) as { files: RefEntry[] }
).files;

export interface ArrayRecord {
  mode: string;
  size: [number, number];
  shape: number[];
  dtype: string;
  sha256: string;
}
/** Cases made by scripts/make-references.py with Debian's Pillow 9.4. */
export const EXTRA: Record<string, ArrayRecord> = (
  JSON.parse(readFileSync(fixture('extra-reference.json'), 'utf8')) as { cases: Record<string, ArrayRecord> }
).cases;

export function sha256(view: ArrayBufferView): string {
  return createHash('sha256').update(new Uint8Array(view.buffer, view.byteOffset, view.byteLength)).digest('hex');
}

/** numpy dtype.str of a typed array, as in the references. */
export function typestr(a: ArrayBufferView): string {
  if (a instanceof Uint8Array) return '|u1';
  if (a instanceof Uint16Array) return '<u2';
  if (a instanceof Int32Array) return '<i4';
  if (a instanceof Float32Array) return '<f4';
  return '?';
}

/** Why a bytes value differs from Pillow's JSON rendering of bytes ({len, sha256}); '' if equal. */
export function bytesMismatch(got: unknown, want: unknown): string {
  const w = want as { len: number; sha256: string };
  if (!(got instanceof Uint8Array)) return `not bytes: ${typeof got}`;
  if (got.length !== w.len) return `length ${got.length}, want ${w.len}`;
  return sha256(got) === w.sha256 ? '' : 'same length, different sha256';
}

/** True when Pillow's JSON info value stands for bytes. */
export const isBytesRecord = (v: unknown): boolean => v !== null && typeof v === 'object' && 'type' in v && (v).type === 'bytes';

/** Pillow's whole array for the corrupt-scan JPEG (scripts/make-references.py), hash-checked. */
export function pillowBadExifArray(): Uint8Array {
  const a = new Uint8Array(gunzipSync(readFileSync(fixture('extra/hopper_bad_exif.pillow-L.u8.gz'))));
  if (sha256(a) !== EXTRA['array:jpeg/hopper_bad_exif.jpg']?.sha256) throw new Error('hopper_bad_exif reference array does not match its hash');
  return a;
}

/** How many values differ, and the largest difference. */
export function difference(a: ArrayLike<number>, b: ArrayLike<number>): { count: number; max: number } {
  let count = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d !== 0) count++;
    if (d > max) max = d;
  }
  return { count, max };
}

/** Pillow 12.3's result for a fixture (fixtures/pillow-current-reference.json). */
export interface CurrentEntry {
  fixture: string;
  name: string;
  group: string;
  pillow:
    | {
        ok: true; format: string; mode: string; size: [number, number]; n_frames: number;
        array: { shape: number[]; dtype: string; sha256: string; sha256_u8?: string };
        /** The first 8 frames after seek(i): their array, or the error Pillow raised at that frame. */
        frames?: { mode?: string; shape?: number[]; dtype?: string; sha256?: string; sha256_u8?: string; error?: string }[];
      }
    | { ok: false; stage: 'open' | 'load'; error: string; message: string };
}
/**
 * Pillow's result for every fixture that has one: Pillow 12.3's for the files of the public
 * corpus (scripts/make-current-references.mjs), and Debian's Pillow for files made here where its
 * behaviour is current Pillow's (fixtures/pillow-local-reference.json, scripts/make-local-references.py).
 */
export const PILLOW_CURRENT: CurrentEntry[] = ['pillow-current-reference.json', 'pillow-local-reference.json'].flatMap(
  (f) => (JSON.parse(readFileSync(fixture(f), 'utf8')) as { files: CurrentEntry[] }).files,
);
