/** The registry is the one list of formats: descriptors are complete and consistent, and the README's table is made from it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CODECS, IMAGE_EXTENSIONS, WRITERS, identify, writerForExtension } from '../../src/codecs/registry.js';
import type { Codec } from '../../src/codecs/codec.js';
import { formatsTable } from '../../src/codecs/table.js';
import { isMode } from '../../src/core/modes.js';

describe('codec registry', () => {
  it('every descriptor is complete', () => {
    for (const c of CODECS as readonly Codec[]) {
      expect(c.format).toMatch(/^[A-Z0-9]+$/);
      expect(c.description.length).toBeGreaterThan(3);
      expect(c.extensions.length).toBeGreaterThan(0);
      for (const e of c.extensions) expect(e).toMatch(/^\.[a-z0-9]+$/);
      expect(c.mimeTypes.every((m) => m.startsWith('image/'))).toBe(true);
      expect(c.modes.length).toBeGreaterThan(0);
      expect(c.modes.every((m) => isMode(m))).toBe(true);
    }
  });
  it('no two formats claim an extension, a writer name or each other\'s magic', () => {
    const exts = (CODECS as readonly Codec[]).flatMap((c) => c.extensions);
    expect(new Set(exts).size).toBe(exts.length);
    expect(IMAGE_EXTENSIONS.size).toBe(exts.length);
    expect(WRITERS.size).toBe((CODECS as readonly Codec[]).filter((c) => c.writer !== undefined).length);
    expect(identify(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a))?.format).toBe('PNG');
    expect(identify(new TextEncoder().encode('qoif'))?.format).toBe('QOI');
    expect(identify(Uint8Array.of(0xff, 0xd8, 0xff))?.format).toBe('JPEG');
    expect(identify(Uint8Array.of(1, 2, 3))).toBeUndefined();
  });
  it('picks writers by extension', () => {
    expect(writerForExtension('.jpg')).toBe('jpeg');
    expect(writerForExtension('.jpeg')).toBe('jpeg');
    expect(writerForExtension('.png')).toBe('png');
    expect(writerForExtension('.qoi')).toBeUndefined();
  });
  it("the README's formats table is the registry's (npm run formats)", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const a = readme.indexOf('<!-- formats:begin (npm run formats) -->');
    const b = readme.indexOf('<!-- formats:end -->');
    expect(a).toBeGreaterThan(0);
    expect(readme.slice(a, b).split('\n').slice(1, -1).join('\n')).toBe(formatsTable());
  });
});
