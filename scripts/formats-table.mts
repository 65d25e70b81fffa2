/** `npm run formats`: rewrites the README's formats table (between its markers) from the codec registry. */
import { readFileSync, writeFileSync } from 'node:fs';
import { formatsTable } from '../src/codecs/table.js';

export const BEGIN = '<!-- formats:begin (npm run formats) -->';
export const END = '<!-- formats:end -->';

const path = new URL('../README.md', import.meta.url);
const text = readFileSync(path, 'utf8');
const a = text.indexOf(BEGIN);
const b = text.indexOf(END);
if (a < 0 || b < a) throw new Error(`README.md has no ${BEGIN} ... ${END} section`);
writeFileSync(path, `${text.slice(0, a + BEGIN.length)}\n${formatsTable()}\n${text.slice(b)}`);
console.log('README.md formats table written');
