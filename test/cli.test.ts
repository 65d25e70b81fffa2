/** The CLI, run as a user runs it (through tsx on the TypeScript source). */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromNpy, imreadBatch } from '../src/index.js';
import { runCli } from './helpers/cli.js';
import { fixture } from './helpers/fixtures.js';

const run = runCli;

describe('imarray info', () => {
  it('prints format, mode, size, shape, typed array, stats and time', async () => {
    const r = await run('info', fixture('jpeg/hopper_gray.jpg'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/format JPEG {2}mode L {2}size 128x128/);
    expect(r.stdout).toMatch(/shape \[128, 128\] {2}Uint8Array \(uint8, numpy \|u1\)/);
    expect(r.stdout).toMatch(/values min \d+ {2}max \d+ {2}mean \d+\.\d{4}/);
    expect(r.stdout).toMatch(/decode \d+\.\d\d ms/);
  });

  it('prints the typed error without a stack trace and exits non-zero, continuing with other files', async () => {
    const r = await run('info', fixture('jpeg/monkey12.jpg'), fixture('jpeg/hopper.jpg'), fixture('jpeg/truncated_jpeg.jpg'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/monkey12\.jpg: UnidentifiedImageError \[ERR_IMARRAY_UNIDENTIFIED\]: cannot identify image file .*12-bit/);
    expect(r.stderr).toMatch(/truncated_jpeg\.jpg: TruncatedImageError \[ERR_IMARRAY_TRUNCATED\]/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toMatch(/hopper\.jpg\n {2}format JPEG/);
  });

  it('prints usage and exits 2 without arguments; --help and help COMMAND print help and exit 0', async () => {
    const r = await run();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage: imarray <command>/);
    for (const args of [['--help'], ['-h'], ['info', '--help'], ['batch', '-h'], ['help', 'batch']]) {
      const h = await run(...args);
      expect(h.code, args.join(' ')).toBe(0);
      expect(h.stdout, args.join(' ')).toMatch(/^usage: imarray/);
    }
    expect((await run('batch', '--help')).stdout).toMatch(/--skip-bad/);
  }, 180_000); // seven CLI runs: ~40 s under emulated arm64

  it('--json: one JSON array with each file or its typed error', async () => {
    const r = await run('info', '--json', fixture('jpeg/hopper.jpg'), fixture('png/pngsuite'));
    expect(r.code).toBe(1);
    const records = JSON.parse(r.stdout) as { file: string; mode?: string; shape?: number[]; error?: { name: string; code: string } }[];
    expect(records[0]).toMatchObject({ mode: 'RGB', shape: [128, 128, 3], format: 'JPEG' });
    expect(records[1]?.error).toMatchObject({ name: 'FileError', code: 'ERR_IMARRAY_FILE' });
  });

  it('--version prints the version and the back-ends in use', async () => {
    const r = await run('--version');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^imarray \d+\.\d+\.\d+ \(node v\d+/);
    expect(r.stdout).toMatch(/sharp +(yes|no), /);
    expect(r.stdout).toMatch(/native JPEG +(yes|no), /);
    expect(r.stdout).toMatch(/decoders .*JPEG (native|sharp|js)/);
  });
});

describe('imarray batch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'imarray-batch-'));
  const names = readdirSync(fixture('png/pngsuite')).filter((f) => /^basn\d[a-z]\d\d\.png$/.test(f));
  for (const f of names) copyFileSync(fixture(`png/pngsuite/${f}`), join(dir, f));
  writeFileSync(join(dir, 'notes.txt'), 'not an image: skipped by extension');

  it('writes the sorted directory as one .npy equal to imreadBatch, with progress on stderr', async () => {
    const out = join(dir, 'x.npy');
    const r = await run('batch', dir, '--out', out, '--mode', 'RGBA');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`wrote .*x\\.npy: shape \\[${names.length}, 32, 32, 4\\] uint8, .* ${names.length} images \\(sorted by name\\)`));
    expect(r.stderr).toMatch(new RegExp(`\\[#{30}\\] ${names.length}/${names.length} 100%`));
    const got = fromNpy(readFileSync(out));
    const want = await imreadBatch(names.sort().map((f) => join(dir, f)), { mode: 'RGBA', workers: 0 });
    expect(got.shape).toEqual(want.shape);
    expect(Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength).equals(Buffer.from(want.data))).toBe(true);
  });

  it('--resize/--layout/--dtype/--mean/--std: the model input batch imreadBatch gives', async () => {
    const out = join(dir, 'm.npy');
    const r = await run('batch', dir, '--out', out, '--mode', 'RGB', '--resize', '24x16', '--resample', 'bilinear', '--layout', 'CHW', '--dtype', 'float32', '--scale', '1/255', '--mean', '0.485,0.456,0.406', '--std', '0.229,0.224,0.225');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`shape \\[${names.length}, 3, 16, 24\\] float32`));
    const got = fromNpy(readFileSync(out));
    const want = await imreadBatch(names.sort().map((f) => join(dir, f)), {
      mode: 'RGB', resize: { size: [24, 16], resample: 'bilinear' }, layout: 'CHW', dtype: 'float32', scale: 1 / 255,
      mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], workers: 0,
    });
    expect(got.shape).toEqual(want.shape);
    expect(Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength).equals(Buffer.from(want.data.buffer, want.data.byteOffset, want.data.byteLength))).toBe(true);
  }, 60_000);

  it('reports a size mismatch as the typed error (exit 1; whichever image finishes first) and bad usage with exit 2', async () => {
    const r = await run('batch', dir, '--out', join(dir, 'y.npy'), '--size', '3x3');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/InvalidArgumentError \[ERR_IMARRAY_INVALID_ARGUMENT\]: imreadBatch: image \d+ \(.*basn\w+\.png\) is 32x32, the batch is 3x3/);
    expect(existsSync(join(dir, 'y.npy'))).toBe(false);
    for (const args of [[dir], [dir, '--out'], [dir, '--out', 'z.npy', '--mode', 'RGB8'], [dir, '--out', 'z.npy', '--size', '3by3'], [dir, '--out', 'z.npy', '--colour', 'x'], [tmpdir() + '/imarray-no-such-dir', '--out', 'z.npy']]) {
      const u = await run('batch', ...args);
      expect(u.code, args.join(' ')).not.toBe(0);
      expect(u.stderr).toMatch(/imarray batch: /);
    }
  }, 180_000); // seven CLI runs: ~60 s under emulated arm64 on a busy machine

  it('checks the output folder before decoding anything; -o is --out', async () => {
    const r = await run('batch', dir, '-o', join(dir, 'no-such-folder', 'x.npy'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the folder .*no-such-folder does not exist/);
    expect(r.stderr).not.toMatch(/#{5}/); // no progress: nothing was decoded
  });

  it('--skip-bad: leaves unreadable files zero and lists them', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'imarray-skip-'));
    for (const f of names.slice(0, 3)) copyFileSync(fixture(`png/pngsuite/${f}`), join(bad, f));
    writeFileSync(join(bad, 'zz_cut.png'), readFileSync(fixture(`png/pngsuite/${names[0] ?? ''}`)).subarray(0, 50));
    const r = await run('batch', bad, '-o', join(bad, 'x.npy'), '--mode', 'RGB', '--skip-bad');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/skipped image 3 \(.*zz_cut\.png\): TruncatedImageError \[ERR_IMARRAY_TRUNCATED\]/);
    expect(r.stderr).toMatch(/skipped 1 of 4 images/);
    expect(fromNpy(readFileSync(join(bad, 'x.npy'))).shape).toEqual([4, 32, 32, 3]);
  }, 60_000);
});
