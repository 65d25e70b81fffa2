/** The formats table of the README and docs, made from the registry (scripts/formats-table.mts writes it). */
import type { Codec } from './codec.js';
import { CODECS } from './registry.js';

export function formatsTable(): string {
  const rows = CODECS.map((c: Codec) => {
    const backends = c.backends === undefined ? 'TypeScript' : c.backends.map((b) => (b === 'js' ? 'WebAssembly/JS' : b)).join(', ');
    const write = c.writer === undefined ? '-' : `\`'${c.writer.name}'\``;
    return `| ${c.format} | ${c.description} | ${c.extensions.map((e) => `\`${e}\``).join(' ')} | ${c.modes.map((m) => `\`${m}\``).join(' ')} | ${backends} | ${write} |`;
  });
  return ['| format | what | extensions | modes | decoder | write |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}
