/**
 * A batch into a Zarr v2 array without Redis (src/distributed/plan.ts, zarr.ts, read.ts): the
 * array equals `imreadBatch` of the same sorted files byte for byte, however it is cut (one
 * process, N shards run at once as separate processes, a resume after lost chunks); its files
 * are what Zarr v2 readers expect; sources are folders, globs, lists; unreadable images fail or
 * are recorded. Over BullMQ and Redis: test/distributed/queue.redistest.ts (npm run
 * test:distributed).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, copyFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { imreadBatch, listSources, readZarr, writeZarrBatch, InvalidArgumentError } from '../../src/index.js';
import { chunkKey, removeTemporaries, withLock } from '../../src/distributed/zarr.js';
import { shardChunks } from '../../src/distributed/plan.js';
import { runCli } from '../helpers/cli.js';
import { fixture } from '../helpers/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'imarray-zarr-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });
let n = 0;
const outPath = (): string => join(dir, `a${n++}.zarr`);

/** PngSuite's valid images (every mode, 32x32 and others), sorted by name. */
const PNGS = readdirSync(fixture('png/pngsuite')).filter((f) => /^[^x].*\.png$/.test(f) && f !== 'PngSuite.png').map((f) => resolve(fixture(`png/pngsuite/${f}`))).sort();
const OPTIONS = { mode: 'RGB', resize: { size: [24, 20] } } as const;

const bytesOf = (a: { data: ArrayBufferView }): Buffer => Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength);

const cli = runCli;

describe('sources', () => {
  it('a folder, a glob, a file list and an array give the same sorted absolute list', async () => {
    const folder = fixture('png/pngsuite');
    const fromFolder = await listSources(folder);
    expect(fromFolder.length).toBeGreaterThan(150);
    expect([...fromFolder].sort()).toEqual(fromFolder);
    expect(fromFolder.every((f) => f.startsWith('/'))).toBe(true);
    expect(await listSources(`${folder}/*.png`)).toEqual(fromFolder);
    const list = join(dir, 'list.txt');
    writeFileSync(list, `# PngSuite, backwards\n\n${[...fromFolder].reverse().join('\n')}\n`);
    expect(await listSources(list)).toEqual(fromFolder);
    expect(await listSources([...fromFolder].reverse())).toEqual(fromFolder);
  });
  it('nothing to read is an InvalidArgumentError naming the source', async () => {
    mkdirSync(join(dir, 'empty'), { recursive: true });
    await expect(listSources(join(dir, 'empty'))).rejects.toThrow(/no image files/);
    await expect(listSources(join(dir, 'nothing-here', '*.png'))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(listSources(join(dir, 'no-such-file'))).rejects.toThrow(/no such folder, file list or glob/);
  });
});

describe('writeZarrBatch', () => {
  it('the array equals imreadBatch of the sorted files, chunk by chunk, with a zero-padded last chunk', async () => {
    const out = outPath();
    const summary = await writeZarrBatch(PNGS, { ...OPTIONS, out, chunk: 16 });
    const want = await imreadBatch(PNGS, OPTIONS);
    expect(summary.shape).toEqual(want.shape);
    expect(summary.dtype).toBe('|u1');
    const chunks = Math.ceil(PNGS.length / 16);
    expect(summary.written).toEqual(Array.from({ length: chunks }, (_, c) => c));
    // the chunk files: each 16 images, the last padded with zeros
    const per = 20 * 24 * 3;
    const all = new Uint8Array(chunks * 16 * per);
    for (let c = 0; c < chunks; c++) {
      const file = readFileSync(join(out, chunkKey(c, 4)));
      expect(file.length).toBe(16 * per);
      all.set(file, c * 16 * per);
    }
    expect(Buffer.compare(all.subarray(0, PNGS.length * per), bytesOf(want))).toBe(0);
    expect(all.subarray(PNGS.length * per).every((b) => b === 0)).toBe(true);
    // zarrita reads it back whole and by range
    const back = await readZarr(out);
    expect(back.array.shape).toEqual(want.shape);
    expect(Buffer.compare(bytesOf(back.array), bytesOf(want))).toBe(0);
    expect(back.files).toEqual(PNGS);
    const part = await readZarr(out, { start: 10, stop: 40 });
    expect(Buffer.compare(bytesOf(part.array), bytesOf(want).subarray(10 * per, 40 * per))).toBe(0);
    const meta = JSON.parse(readFileSync(join(out, '.zarray'), 'utf8')) as Record<string, unknown>;
    expect(meta).toEqual({ zarr_format: 2, shape: want.shape, chunks: [16, 20, 24, 3], dtype: '|u1', compressor: null, fill_value: 0, order: 'C', filters: null, dimension_separator: '.' });
    const attrs = JSON.parse(readFileSync(join(out, '.zattrs'), 'utf8')) as Record<string, unknown>;
    expect(attrs).toMatchObject({ mode: 'RGB', chunk: 16, files: PNGS, skipped: [], options: { mode: 'RGB', resize: { size: [24, 20] } } });
  });
  it('CHW float32 with normalisation, and mode 1 as numpy bool', async () => {
    const files = PNGS.slice(0, 20);
    const opts = { mode: 'RGB', resize: { size: [8, 6] }, layout: 'CHW', dtype: 'float32', scale: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] } as const;
    const out = outPath();
    const s = await writeZarrBatch(files, { ...opts, out, chunk: 7 });
    const want = await imreadBatch(files, opts);
    expect(s.shape).toEqual([20, 3, 6, 8]);
    expect(s.dtype).toBe('<f4');
    expect(Buffer.compare(bytesOf((await readZarr(out)).array), bytesOf(want))).toBe(0);
    const bits = outPath();
    const b = await writeZarrBatch(files, { mode: '1', resize: { size: [8, 6] }, out: bits, chunk: 8 });
    expect(b.dtype).toBe('|b1');
    const back = await readZarr(bits);
    expect(Buffer.compare(bytesOf(back.array), bytesOf(await imreadBatch(files, { mode: '1', resize: { size: [8, 6] } })))).toBe(0);
  });
  it('the size and mode come from the first image that opens; without resize another size fails with its typed error', async () => {
    const same = PNGS.filter((f) => /basn/.test(f));
    const out = outPath();
    const s = await writeZarrBatch(same, { out, chunk: 5 });
    const want = await imreadBatch(same);
    expect(s.shape).toEqual(want.shape);
    expect(Buffer.compare(bytesOf((await readZarr(out)).array), bytesOf(want))).toBe(0);
    await expect(writeZarrBatch([...same, fixture('jpeg/hopper.jpg')], { out: outPath(), chunk: 5 })).rejects.toMatchObject({ code: 'ERR_IMARRAY_INVALID_ARGUMENT' });
  });
  it('N shard processes at once fill the same array as one process', async () => {
    const out = outPath();
    const list = join(dir, 'shards.txt');
    writeFileSync(list, PNGS.join('\n'));
    const results = await Promise.all([0, 1, 2].map((i) => cli('batch', list, '-o', out, '--shard', `${i}/3`, '--chunk', '10', '--mode', 'RGB', '--resize', '24x20')));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(results[1].stdout).toMatch(/shard 1\/3/);
    const want = await imreadBatch(PNGS, OPTIONS);
    expect(Buffer.compare(bytesOf((await readZarr(out)).array), bytesOf(want))).toBe(0);
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
  it('shards are contiguous, chunk-aligned and cover every chunk once', () => {
    for (const [chunks, parts] of [[10, 3], [7, 7], [3, 5], [1000, 16]]) {
      const seen: number[] = [];
      for (let i = 0; i < parts; i++) {
        const [a, b] = shardChunks(chunks, i, parts);
        for (let c = a; c < b; c++) seen.push(c);
      }
      expect(seen).toEqual(Array.from({ length: chunks }, (_, c) => c));
    }
  });
  it('resume writes only the missing chunks', async () => {
    const out = outPath();
    await writeZarrBatch(PNGS, { ...OPTIONS, out, chunk: 32 });
    rmSync(join(out, chunkKey(1, 4)));
    rmSync(join(out, chunkKey(3, 4)));
    const kept = statSync(join(out, chunkKey(0, 4))).mtimeMs;
    const s = await writeZarrBatch(PNGS, { ...OPTIONS, out, chunk: 32, resume: true });
    expect(s.written).toEqual([1, 3]);
    expect(statSync(join(out, chunkKey(0, 4))).mtimeMs).toBe(kept);
    expect(Buffer.compare(bytesOf((await readZarr(out)).array), bytesOf(await imreadBatch(PNGS, OPTIONS)))).toBe(0);
    // another batch into the same folder is refused, naming what differs
    await expect(writeZarrBatch(PNGS, { ...OPTIONS, out, chunk: 16 })).rejects.toThrow(/holds another Zarr array: chunks/);
    await expect(writeZarrBatch(PNGS.slice(1), { ...OPTIONS, out, chunk: 32 })).rejects.toThrow(/shape .* attribute files/);
  });
  it('unreadable images: the typed error, or with skipBad zero slots recorded in the attributes (array index, path, code)', async () => {
    const bad = join(dir, 'bad');
    mkdirSync(bad, { recursive: true });
    PNGS.slice(0, 12).forEach((f, i) => { copyFileSync(f, join(bad, `i${String(i).padStart(2, '0')}.png`)); });
    writeFileSync(join(bad, 'i05.png'), 'not a png');
    copyFileSync(fixture('png/pngsuite/xcrn0g04.png'), join(bad, 'i09.png'));
    const files = await listSources(bad);
    await expect(writeZarrBatch(files, { ...OPTIONS, out: outPath(), chunk: 4 })).rejects.toMatchObject({ code: 'ERR_IMARRAY_UNIDENTIFIED' });
    const out = outPath();
    const s = await writeZarrBatch(files, { ...OPTIONS, out, chunk: 4, skipBad: true });
    expect(s.skipped.map((k) => [k.index, k.path, k.code])).toEqual([[5, files[5], 'ERR_IMARRAY_UNIDENTIFIED'], [9, files[9], expect.stringMatching(/^ERR_IMARRAY_/)]]);
    expect(s.skipped[0].message).toMatch(/^cannot identify image file/);
    const want = await imreadBatch(files, { ...OPTIONS, skipBad: true });
    const back = await readZarr(out);
    expect(Buffer.compare(bytesOf(back.array), bytesOf(want))).toBe(0);
    expect(back.skipped).toEqual(s.skipped);
    // a retried chunk replaces its records, never adds to them
    rmSync(join(out, chunkKey(1, 4)));
    await writeZarrBatch(files, { ...OPTIONS, out, chunk: 4, skipBad: true, resume: true });
    expect((await readZarr(out)).skipped).toEqual(s.skipped);
  });
  it('the lock serialises writers; temporaries of dead writers are removed by age', async () => {
    const out = outPath();
    mkdirSync(out);
    const order: string[] = [];
    await Promise.all(['a', 'b', 'c'].map((k) => withLock(out, () => { order.push(`${k}+`); order.push(`${k}-`); })));
    for (let i = 0; i < order.length; i += 2) expect(order[i + 1]).toBe(order[i].replace('+', '-'));
    writeFileSync(join(out, '.0.0.0.0.123.abcd.tmp'), 'x');
    writeFileSync(join(out, '.1.0.0.0.123.abcd.tmp'), 'x');
    utimesSync(join(out, '.0.0.0.0.123.abcd.tmp'), new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    expect(removeTemporaries(out, 600_000)).toBe(1);
    expect(existsSync(join(out, '.1.0.0.0.123.abcd.tmp'))).toBe(true);
    expect(removeTemporaries(out)).toBe(1);
  });
  it('the CLI: a folder into .zarr, usage errors before anything is created', async () => {
    const out = outPath();
    const r = await cli('batch', fixture('png/pngsuite'), '-o', out, '--mode', 'L', '--resize', '16x16', '--skip-bad', '--chunk', '50');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/shape \[\d+, 16, 16\] \|u1; \d+ images skipped/);
    expect(r.stderr).toMatch(/skipped image \d+ \(.*x.*\.png\): \[ERR_IMARRAY_/);
    const files = await listSources(fixture('png/pngsuite'));
    const want = await imreadBatch(files, { mode: 'L', resize: { size: [16, 16] }, skipBad: true });
    expect(Buffer.compare(bytesOf((await readZarr(out)).array), bytesOf(want))).toBe(0);
    const bad = await cli('batch', fixture('png/pngsuite'), '-o', join(dir, 'u.zarr'), '--shard', '3/3');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--shard wants I\/N/);
    expect(existsSync(join(dir, 'u.zarr'))).toBe(false);
    const both = await cli('batch', fixture('png/pngsuite'), '-o', join(dir, 'u.zarr'), '--shard', '0/2', '--queue', 'redis://127.0.0.1:1/0');
    expect(both.code).toBe(2);
  });
});
