// npm run bench [section...]: sections uploadcare, jpeg, png, encoder, frames, batch, formats, resize, scale.
import { startReport, OUT } from './lib.mjs';
import { copyFileSync } from 'node:fs';

const SECTIONS = {
  uploadcare: () => import('./uploadcare.mjs'),
  jpeg: () => import('./jpeg.mjs'),
  png: () => import('./png.mjs'),
  encoder: () => import('./encoder.mjs'),
  frames: () => import('./frames.mjs'),
  batch: () => import('./batch.mjs'),
  formats: () => import('./formats.mjs'),
  resize: () => import('./resize.mjs'),
  scale: () => import('./scale.mjs'),
};
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(SECTIONS);
startReport(wanted.join(', '));
for (const name of wanted) {
  const load = SECTIONS[name];
  if (!load) throw new Error(`unknown bench section ${name}; have ${Object.keys(SECTIONS).join(', ')}`);
  await (await load()).run();
}
// A full run is bench/RESULTS.md on x64 (this repository's machine), RESULTS-<arch>.md elsewhere;
// a run of some sections stays in bench/out/results.md (paste its sections in by hand).
if (wanted.length === Object.keys(SECTIONS).length) {
  copyFileSync(OUT + 'results.md', new URL(process.arch === 'x64' ? './RESULTS.md' : `./RESULTS-${process.arch}.md`, import.meta.url));
} else {
  console.log(`\nsections ${wanted.join(', ')} written to ${OUT}results.md (bench/RESULTS.md is for full runs)`);
}
