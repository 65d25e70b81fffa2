/**
 * The Zarr v2 array a distributed batch fills (a folder: `.zarray`, `.zattrs`, one file per
 * chunk): written here, read with zarrita. Version 2 so that Debian's python3-zarr 2.13 and
 * current zarr-python, xarray and dask all open it. Chunks hold `chunk` whole images, raw (no
 * compressor: images decoded from compressed files rarely compress further, and a chunk is then
 * written with no copy of the batch's buffer); the last chunk is padded with zeros to its full
 * size, as Zarr v2 stores edge chunks.
 *
 * Every write is a new file renamed over its name, so a reader never sees half a chunk and a chunk
 * written twice (a retried job) is replaced whole. Files are not fsynced (as zarr-python does not):
 * a process killed at any point leaves whole chunks or none; after a machine crash, `--resume`
 * cannot tell a chunk whose data never reached the disk, so a batch cut by a power loss is run
 * again without it. Attributes several processes update (the
 * images left out with `skipBad`) are merged under a lock file created exclusively.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { open as openFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { InvalidArgumentError } from '../core/errors.js';

/** `.zarray` of a Zarr v2 array as imarray writes it (C order, no compressor, no filters). */
export interface ZarrArrayMeta {
  zarr_format: 2;
  shape: number[];
  chunks: number[];
  /** numpy's dtype string: `|u1`, `<u2`, `<i4`, `<f4`, `|b1`... */
  dtype: string;
  compressor: null;
  fill_value: number | boolean;
  order: 'C';
  filters: null;
  dimension_separator: '.';
}

/** An image a batch could not read (with `skipBad`): its index in the sorted list, its path and error. */
export interface SkippedImage {
  index: number;
  path: string;
  code: string;
  message: string;
}

const temporary = (dir: string, name: string): string => join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);

/** Writes `name` in `dir` as a new file renamed over it (never half-written where it is read). */
function writeAtomic(dir: string, name: string, text: string): void {
  const tmp = temporary(dir, name);
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, name));
}

/** The key of chunk `c` along the first axis (the other axes hold one chunk each). */
export function chunkKey(c: number, rank: number): string {
  return [c, ...new Array<number>(rank - 1).fill(0)].join('.');
}

/**
 * Creates the array (`.zarray`, `.zattrs`) in `dir`, or checks that the one there is the same
 * array (shape, chunks, dtype, and the attributes named in `same`): several processes creating
 * the same array (shards, a resumed batch) each find it or write identical metadata.
 */
export async function createArray(dir: string, meta: ZarrArrayMeta, attrs: Record<string, unknown>, same: readonly string[]): Promise<'created' | 'exists'> {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new InvalidArgumentError(`${dir} exists and is not a folder`);
  mkdirSync(dir, { recursive: true });
  // under the lock: a process recording skipped images never races one creating the array
  return withLock(dir, () => createLocked(dir, meta, attrs, same));
}

function createLocked(dir: string, meta: ZarrArrayMeta, attrs: Record<string, unknown>, same: readonly string[]): 'created' | 'exists' {
  if (existsSync(join(dir, '.zarray'))) {
    const have = readMeta(dir);
    const there = readAttrs(dir);
    const differs = (['shape', 'chunks', 'dtype'] as const).filter((k) => JSON.stringify(have[k]) !== JSON.stringify(meta[k]));
    const attrsDiffer = same.filter((k) => JSON.stringify(there[k]) !== JSON.stringify(attrs[k]));
    if (differs.length > 0 || attrsDiffer.length > 0) {
      const what = [...differs.map((k) => `${k} ${JSON.stringify(have[k])} (this batch: ${JSON.stringify(meta[k])})`), ...attrsDiffer.map((k) => `attribute ${k}`)];
      throw new InvalidArgumentError(`${dir} holds another Zarr array: ${what.join(', ')} differ; remove it or choose another --out`);
    }
    return 'exists';
  }
  writeAtomic(dir, '.zattrs', JSON.stringify(attrs));
  // .zarray last: an array whose .zarray is there is complete
  writeAtomic(dir, '.zarray', JSON.stringify(meta, null, 2));
  return 'created';
}

export function readMeta(dir: string): ZarrArrayMeta {
  return JSON.parse(readFileSync(join(dir, '.zarray'), 'utf8')) as ZarrArrayMeta;
}

export function readAttrs(dir: string): Record<string, unknown> {
  const path = join(dir, '.zattrs');
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
}

/**
 * Writes chunk `c`: `data` (the chunk's images, written as they are) then `pad` zero bytes, into
 * a new file renamed over the chunk's key. Returns the bytes written.
 */
export async function writeChunk(dir: string, c: number, rank: number, data: ArrayBufferView, pad: number): Promise<number> {
  const key = chunkKey(c, rank);
  const tmp = temporary(dir, key);
  const fh = await openFile(tmp, 'w');
  try {
    const body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const parts = pad > 0 ? [body, new Uint8Array(pad)] : [body];
    const { bytesWritten } = await fh.writev(parts);
    if (bytesWritten !== body.length + pad) throw new Error(`${tmp}: wrote ${bytesWritten} of ${body.length + pad} bytes`);
  } catch (e) {
    await fh.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await fh.close();
  await rename(tmp, join(dir, key));
  return data.byteLength + pad;
}

/** Whether chunk `c` has been written (a chunk file exists only once complete). */
export function hasChunk(dir: string, c: number, rank: number): boolean {
  return existsSync(join(dir, chunkKey(c, rank)));
}

/**
 * Removes temporary files left by processes killed while writing (`.<key>.<pid>.<hex>.tmp`),
 * those older than `olderThanMs` (a live writer's file is younger than its job's lock).
 */
export function removeTemporaries(dir: string, olderThanMs = 0): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  const now = Date.now();
  for (const f of readdirSync(dir)) {
    if (!f.startsWith('.') || !f.endsWith('.tmp')) continue;
    const st = statSync(join(dir, f), { throwIfNoEntry: false });
    if (st !== undefined && (olderThanMs <= 0 || now - st.mtimeMs >= olderThanMs)) {
      rmSync(join(dir, f), { force: true });
      n++;
    }
  }
  return n;
}

const LOCK = '.imarray-lock';
/** A lock older than this was left by a process that died holding it. */
const STALE_LOCK_MS = 60_000;

/** Runs `fn` holding the array's lock file (created exclusively; one holder at a time, across machines sharing the folder). */
export async function withLock<T>(dir: string, fn: () => T): Promise<T> {
  const path = join(dir, LOCK);
  for (let waited = 0; ; waited += 10) {
    try {
      closeSync(openSync(path, 'wx'));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      try {
        if (Date.now() - statSync(path).mtimeMs > STALE_LOCK_MS) rmSync(path, { force: true });
      } catch {
        // removed meanwhile by its holder
      }
      if (waited > 5 * STALE_LOCK_MS) throw new Error(`${path}: could not take the lock in ${waited} ms`, { cause: e });
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  try {
    return fn();
  } finally {
    rmSync(path, { force: true });
  }
}

/**
 * Records the images of [start, end) left out (with `skipBad`) in the attributes' `skipped`
 * list: the range's earlier records are replaced (a retried chunk records its own outcome
 * once), the list kept in index order.
 */
export async function recordSkipped(dir: string, start: number, end: number, skipped: readonly SkippedImage[]): Promise<void> {
  await withLock(dir, () => {
    const attrs = readAttrs(dir);
    const before = Array.isArray(attrs.skipped) ? (attrs.skipped as SkippedImage[]) : [];
    const kept = before.filter((s) => s.index < start || s.index >= end);
    if (kept.length === before.length && skipped.length === 0) return;
    attrs.skipped = [...kept, ...skipped].sort((a, b) => a.index - b.index);
    writeAtomic(dir, '.zattrs', JSON.stringify(attrs));
  });
}
