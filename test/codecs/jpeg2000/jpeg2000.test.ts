/**
 * JPEG 2000 beyond the pixel conformance (test/conformance): mode, size and `info` at open
 * against Pillow's (fixtures/jpeg2000-info-reference.json, scripts/make-jpeg2000-info-references.py),
 * the header read without decoding, Pillow's sample scaling, and typed errors for what the
 * bundled OpenJPEG build does not decode and for damaged files.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { open, toArray, UnsupportedError, DecodeError, ImarrayError } from '../../../src/index.js';
import { fixture } from '../../helpers/fixtures.js';

interface Ref { mode: string; size: [number, number]; info: Record<string, unknown> }
const refs = (JSON.parse(readFileSync(fixture('jpeg2000-info-reference.json'), 'utf8')) as { files: Record<string, Ref> }).files;

describe('JPEG 2000 headers equal Pillow', () => {
  // dpi against Debian's 9.4 (its `res ` box parsing is current Pillow's; mode and size are
  // checked against 12.3 by test/conformance, 9.4 read 9-bit grey as L)
  for (const [file, ref] of Object.entries(refs)) {
    it(file, async () => {
      const img = await open(fixture(file));
      expect([img.size, img.loaded]).toEqual([ref.size, false]);
      const dpi = ref.info.dpi as number[] | undefined;
      if (dpi === undefined) expect(img.info.dpi, file).toBeUndefined();
      else (img.info.dpi as number[]).forEach((g, j) => { expect(g, `${file} dpi`).toBeCloseTo(dpi[j], 9); });
      await img.close();
    });
  }
  it("the first COM marker is info.comment (Pillow >= 10.2; Pillow's own test values)", async () => {
    for (const file of ['jpeg2000/9bit.j2k', 'jpeg2000/comment.jp2']) {
      const img = await open(fixture(file));
      expect(new TextDecoder().decode(img.info.comment as Uint8Array), file).toBe('Created by OpenJPEG version 2.5.0');
    }
  });
});

describe('JPEG 2000 decoding', () => {
  it('9-bit grey is I;16 shifted to 16 bits, as Pillow does', async () => {
    const a = toArray(await (await open(fixture('jpeg2000/9bit.j2k'))).load());
    expect(a.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(a.data as Uint16Array).every((v) => v % 128 === 0)).toBe(true);
  });
  it('what the WebAssembly build cannot decode is UnsupportedError; the decoder recovers after it', async () => {
    await expect((await open(fixture('jpeg2000/current_j2k_rgba.j2k'), { backend: 'js' })).load()).rejects.toBeInstanceOf(UnsupportedError);
    const rgb = toArray(await (await open(fixture('jpeg2000/current_j2k_rgb.j2k'), { backend: 'js' })).load());
    expect(rgb.shape).toEqual([203, 301, 3]);
  });
  it('damaged codestreams raise typed errors and leave the decoder usable', async () => {
    const good = readFileSync(fixture('jpeg2000/current_j2k_l.j2k'));
    for (const cut of [good.length - 1, Math.floor(good.length / 2), 200]) {
      const got: unknown = await open(good.subarray(0, cut)).then((img) => img.load()).then(() => 'ok', (e: unknown) => e);
      if (got !== 'ok') expect(got, `cut at ${cut}`).toBeInstanceOf(ImarrayError);
    }
    const garbage = Uint8Array.from(good);
    for (let i = 300; i < garbage.length; i += 7) garbage[i] ^= 0x5a;
    const err: unknown = await open(garbage).then((img) => img.load()).then(() => 'ok', (e: unknown) => e);
    if (err !== 'ok') expect(err).toBeInstanceOf(DecodeError);
    expect(toArray(await (await open(good)).load()).shape).toEqual([203, 301]);
  });
});
