/** The CLI, run as a user runs it (through tsx on the TypeScript source). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fixture } from './helpers/fixtures.js';

const run = async (...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const { stdout, stderr } = await promisify(execFile)('node', ['--import', 'tsx', 'src/cli.ts', ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
};

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

  it('prints usage and exits 2 without arguments', async () => {
    const r = await run();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage: imarray info FILE/);
  });
});
