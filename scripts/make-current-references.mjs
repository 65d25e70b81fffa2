// npm run references:current: fixtures/pillow-current-reference.json, Pillow 12.3's result for
// every fixture image that the public corpus holds (matched by the file's sha256), from
// ../shared/corpus/REFERENCE-current.json (see that corpus's README). Run where the corpus is;
// tests read only the generated file.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const corpus = process.argv[2] ?? join(root, '..', 'shared', 'corpus');
const ref = JSON.parse(readFileSync(join(corpus, 'REFERENCE-current.json'), 'utf8'));
const bySha = new Map(ref.files.map((f) => [f.sha256, f]));
const fixtures = join(root, 'fixtures');
const walk = (d) => readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));
const files = [];
for (const path of walk(fixtures).sort()) {
  const hit = bySha.get(createHash('sha256').update(readFileSync(path)).digest('hex'));
  if (hit === undefined) continue;
  files.push({ fixture: relative(fixtures, path), name: hit.name, group: hit.group, pillow: hit.pillow });
}
const out = { description: "Pillow 12.3's result for each fixture the public corpus holds (scripts/make-current-references.mjs)", environment: ref.environment, files };
writeFileSync(join(fixtures, 'pillow-current-reference.json'), JSON.stringify(out, null, 1) + '\n');
console.log(`${files.length} fixtures matched`);
