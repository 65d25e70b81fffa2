/**
 * `require('imarray')` from CommonJS (Node >= 20.19 / 22.12 load the ES module through
 * require): the package's `exports` map has a `default` condition next to `import`. Runs a
 * CommonJS snippet in a child `node` (the one on PATH: emulated arm64 under scripts/arm64.sh)
 * resolving the package by its own name (needs `dist/`, which
 * `npm ci` builds).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('CommonJS', () => {
  it("require('imarray') gives the same API and decodes", () => {
    const code = `
      const m = require('imarray');
      m.imread(${JSON.stringify(`${ROOT}fixtures/png/pngsuite/basn6a08.png`)}).then((a) => {
        console.log(JSON.stringify({ open: typeof m.open, exports: Object.keys(m).length, shape: a.shape }));
      });`;
    const out = JSON.parse(execFileSync('node', ['-e', code], { cwd: ROOT, encoding: 'utf8' }).trim()) as { open: string; exports: number; shape: number[] };
    expect(out.open).toBe('function');
    expect(out.exports).toBeGreaterThan(40);
    expect(out.shape).toEqual([32, 32, 4]);
  });
});
