// npm run bench [section...]: sections are uploadcare, jpeg (png, encoder... as they land).
import { startReport, OUT } from './lib.mjs';
import { copyFileSync } from 'node:fs';

const SECTIONS = {
  uploadcare: () => import('./uploadcare.mjs'),
  jpeg: () => import('./jpeg.mjs'),
  png: () => import('./png.mjs'),
  encoder: () => import('./encoder.mjs'),
  frames: () => import('./frames.mjs'),
  batch: () => import('./batch.mjs'),
};
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(SECTIONS);
startReport(wanted.join(', '));
for (const name of wanted) {
  const load = SECTIONS[name];
  if (!load) throw new Error(`unknown bench section ${name}; have ${Object.keys(SECTIONS).join(', ')}`);
  await (await load()).run();
}
// x64 (this repository's machine) is bench/RESULTS.md; other architectures get their own file
copyFileSync(OUT + 'results.md', new URL(process.arch === 'x64' ? './RESULTS.md' : `./RESULTS-${process.arch}.md`, import.meta.url));
