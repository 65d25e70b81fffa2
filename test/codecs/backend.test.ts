/**
 * The pure-JS/wasm JPEG back-end (`backend: 'js'`: MozJPEG in WebAssembly) against Pillow's
 * recorded hashes for every corpus JPEG. Exact on every valid 8-bit Huffman RGB / grey file;
 * CMYK and arithmetic-coded files are refused with UnsupportedError; the one file with corrupt
 * entropy data differs where the decoders resynchronise (bounded below, README "Backends").
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { open, toArray, sharpAvailable, ImarrayError, UnsupportedError } from '../../src/index.js';
import { PILLOW_94, EXTRA, fixture, sha256, difference, pillowBadExifArray } from '../helpers/fixtures.js';

const JPEGS = PILLOW_94.filter((e) => e.name.startsWith('jpeg/'));
/** Refused by the wasm back-end: CMYK (RGBA-only build) and arithmetic coding (not compiled in). */
const UNSUPPORTED = new Set(['jpeg/pil_sample_cmyk.jpg', 'jpeg/testimgari.jpg']);
/** Corrupt entropy-coded data ("1215 extraneous bytes before marker 0xd0"): resynchronises differently. */
const CORRUPT = 'jpeg/hopper_bad_exif.jpg';

async function decode(path: string | Uint8Array, backend: 'js' | 'sharp', loadTruncated = false): Promise<Uint8Array> {
  const img = await (await open(path, { backend, loadTruncated })).load();
  return toArray(img).data as Uint8Array;
}

describe("backend: 'js' (MozJPEG wasm) against Pillow", () => {
  it('sharp loads on this machine (the other file simulates it failing)', async () => {
    expect(await sharpAvailable()).toBe(true);
  });

  for (const entry of JPEGS) {
    const p = entry.pillow;
    const path = fixture(entry.fixture);
    if (UNSUPPORTED.has(entry.name)) {
      it(`${entry.name}: refused with UnsupportedError naming the reason`, async () => {
        const img = await open(path, { backend: 'js' });
        const err: unknown = await img.load().then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(UnsupportedError);
        expect((err as Error).message).toMatch(/CMYK|arithmetic/);
      });
    } else if (entry.name === CORRUPT) {
      it(`${entry.name}: corrupt scan, bounded difference from Pillow`, async () => {
        const d = difference(await decode(path, 'js'), pillowBadExifArray());
        // measured: 6,895 of 250,000 values (2.76%, rows 1-478), the same on x64 and arm64
        expect(d.count).toBeGreaterThan(0);
        expect(d.count / 250000).toBeLessThan(0.03);
      });
    } else if (entry.name === 'jpeg/truncated_exif_dpi.jpg') {
      it(`${entry.name}: opens like current Pillow and equals its pixels`, async () => {
        expect(sha256(await decode(path, 'js'))).toBe(EXTRA['open:jpeg/truncated_exif_dpi.jpg']?.sha256);
      });
    } else if (p.ok) {
      it(`${entry.name}: ${p.mode} equals Pillow`, async () => {
        const img = await (await open(path, { backend: 'js' })).load();
        const a = toArray(img, { copy: false });
        expect(a.shape).toEqual(p.array.shape);
        expect(sha256(a.data)).toBe(p.array.sha256_u8 ?? p.array.sha256);
      });
    } else {
      it(`${entry.name}: fails with the same error code as the sharp back-end`, async () => {
        const code = async (backend: 'js' | 'sharp'): Promise<string> => {
          const err: unknown = await decode(path, backend).then(() => 'ok', (e: unknown) => e);
          expect(err).toBeInstanceOf(ImarrayError);
          return (err as ImarrayError).code;
        };
        const js = await code('js');
        expect(js).toBe(await code('sharp'));
        expect(js).toBe(/truncated/.test(p.message) || entry.name.includes('ultrahdr') ? 'ERR_IMARRAY_TRUNCATED' : 'ERR_IMARRAY_UNIDENTIFIED');
      });
    }
  }

  it('gives Pillow LOAD_TRUNCATED_IMAGES output with loadTruncated, the truncated error without', async () => {
    for (const name of ['jpeg/truncated_jpeg.jpg', 'extra/flower_cut_60pct.jpg']) {
      expect(sha256(await decode(fixture(name), 'js', true)), name).toBe(EXTRA[`load_truncated:${name}`]?.sha256);
      await expect(decode(fixture(name), 'js')).rejects.toMatchObject({ code: 'ERR_IMARRAY_TRUNCATED' });
    }
  });

  it('keeps working after many failed decodes (a fresh wasm instance after each failure)', async () => {
    const good = readFileSync(fixture('jpeg/hopper.jpg'));
    const bad = new Uint8Array(good);
    // wreck the Huffman table class/id byte after the first DHT marker: libjpeg's fatal "Bogus DHT index"
    const dht = bad.findIndex((b, i) => b === 0xff && bad[i + 1] === 0xc4);
    bad[dht + 4] = 0x1f;
    for (let i = 0; i < 100; i++) {
      await expect(decode(bad, 'js')).rejects.toMatchObject({ code: 'ERR_IMARRAY_DECODE' });
    }
    expect(sha256(await decode(good, 'js'))).toBe(sha256(await decode(good, 'sharp')));
  }, 300_000); // ~0.25 s per failure under arm64 emulation

  it('rejects an unknown backend name as an invalid argument', async () => {
    // @ts-expect-error: not a Backend
    await expect(open(fixture('jpeg/hopper.jpg'), { backend: 'opencv' })).rejects.toMatchObject({ code: 'ERR_IMARRAY_INVALID_ARGUMENT' });
  });
});

describe('chooseBackend', () => {
  it("'js' for a format whose only decoder is sharp is an UnsupportedError, never a silent native decode", async () => {
    const { chooseBackend } = await import('../../src/codecs/sharp.js');
    const { UnsupportedError } = await import('../../src/core/errors.js');
    await expect(chooseBackend(['sharp'], 'js', 'x.fmt')).rejects.toThrow(UnsupportedError);
    expect(await chooseBackend(['sharp', 'js'], 'js', 'x.fmt')).toBe('js');
    expect(await chooseBackend(['js'], 'sharp', 'x.fmt')).toBe('js');
  });
});
