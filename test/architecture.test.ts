/**
 * The layers of src/ and their one direction (docs/architecture.md):
 *
 *   core <- kernels <- pixels <- codecs <- image.ts <- api <- io <- distributed <- index.ts / cli.ts
 *
 * A module may import (types included) from its own layer or a lower one, never a higher one;
 * and the JavaScript that TypeScript emits for src/ has no import cycle at all (a cycle works
 * only while no module touches an import at top level, and breaks `import 'imarray'` when one
 * does). The graph is built from each module's emitted JS (ts.transpileModule, which drops
 * type-only imports as tsc does for dist/).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const LAYERS = ['core', 'kernels', 'pixels', 'codecs', 'image', 'api', 'io', 'distributed', 'entry'] as const;

function layerOf(file: string): number {
  const rel = relative(SRC, file).split('/');
  const name = rel.length === 1 ? (rel[0] === 'image.ts' ? 'image' : 'entry') : rel[0];
  const i = (LAYERS as readonly string[]).indexOf(name);
  if (i < 0) throw new Error(`src/${rel.join('/')} is in no layer: put it under one of ${LAYERS.join(', ')}`);
  return i;
}

const walk = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
const FILES = walk(SRC).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));

/** Relative specifiers of every import/export-from/dynamic import in `code`, resolved to src/ paths. */
function importsOf(file: string, code: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[\s;])(?:import|export)\s*(?:[^'"`;]*?\sfrom\s*)?['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
  for (const m of code.matchAll(re)) {
    const spec = m[1] ?? m[2];
    out.push(resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
  }
  return out;
}

const SOURCE = new Map(FILES.map((f) => [f, readFileSync(f, 'utf8')]));
const EMITTED = new Map(
  FILES.map((f) => [f, ts.transpileModule(SOURCE.get(f) ?? '', { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 }, fileName: f }).outputText]),
);

describe('architecture', () => {
  it('every src module is in a layer', () => {
    for (const f of FILES) expect(() => layerOf(f)).not.toThrow();
  });

  it('imports (type-only ones too) point down the layers, never up', () => {
    const bad: string[] = [];
    for (const f of FILES) {
      for (const target of importsOf(f, SOURCE.get(f) ?? '')) {
        if (!target.startsWith(SRC)) continue;
        if (layerOf(target) > layerOf(f)) bad.push(`src/${relative(SRC, f)} (${LAYERS[layerOf(f)]}) imports src/${relative(SRC, target)} (${LAYERS[layerOf(target)]})`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the emitted JavaScript has no import cycle', () => {
    const graph = new Map(FILES.map((f) => [f, importsOf(f, EMITTED.get(f) ?? '').filter((t) => SOURCE.has(t))]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string): void => {
      state.set(f, 'open');
      stack.push(f);
      for (const t of graph.get(f) ?? []) {
        if (state.get(t) === 'open') cycles.push([...stack.slice(stack.indexOf(t)), t].map((x) => relative(SRC, x)).join(' -> '));
        else if (!state.has(t)) visit(t);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of FILES) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it('finds imports the way the checks above rely on', () => {
    const f = join(SRC, 'image.ts');
    const deps = importsOf(f, SOURCE.get(f) ?? '').map((t) => relative(SRC, t));
    expect(deps).toContain('core/modes.ts');
    expect(deps).toContain('pixels/convert/index.ts');
    // a type-only import is in the source graph but not in the emitted one
    expect(deps).toContain('core/types.ts');
    const emitted = importsOf(f, EMITTED.get(f) ?? '').map((t) => relative(SRC, t));
    expect(emitted).toContain('core/modes.ts');
    expect(emitted).not.toContain('core/types.ts');
  });
});
