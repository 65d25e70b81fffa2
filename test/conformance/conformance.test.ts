/**
 * Data-driven conformance: every image fixture of every registered format against Pillow 12.3
 * (fixtures/pillow-current-reference.json, made by scripts/make-current-references.mjs from the
 * public corpus). For each file: format, mode, size at open; shape, dtype and the sha256 of the
 * array after load; the frame count and every recorded frame (seek + load); `info` against
 * Pillow 9.4's record where a format has a comparator (./info.ts); or Pillow's failure at the
 * same stage. Deliberate
 * differences are data (./deviations.ts). Every file under a format's `bad/` folder must fail
 * with a typed error. The folder for a format is `fixtures/<format in lower case>/`.
 */
import { readdirSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { open, toArray, ImarrayError, type ErrorCode } from '../../src/index.js';
import { CODECS, IMAGE_EXTENSIONS } from '../../src/codecs/registry.js';
import { FIXTURES, PILLOW_94, PILLOW_CURRENT, sha256, typestr, type CurrentEntry } from '../helpers/fixtures.js';
import { INFO_CHECKS } from './info.js';
import { DEVIATIONS } from './deviations.js';

const walk = (d: string): string[] =>
  readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [join(d, f)]));

const byFixture = new Map(PILLOW_CURRENT.map((e) => [e.fixture, e]));
const info94 = new Map(PILLOW_94.map((e) => [e.fixture, e.pillow]));

/** The error code Pillow's exception corresponds to. */
function codeFor(p: { error: string; stage: string; message: string }): ErrorCode {
  if (p.error === 'UnidentifiedImageError') return 'ERR_IMARRAY_UNIDENTIFIED';
  if (p.error === 'DecompressionBombError') return 'ERR_IMARRAY_DECOMPRESSION_BOMB';
  if (/truncated/i.test(p.message)) return 'ERR_IMARRAY_TRUNCATED';
  if (p.stage === 'open') return /unsupported|not supported/i.test(p.message) ? 'ERR_IMARRAY_UNSUPPORTED' : 'ERR_IMARRAY_UNIDENTIFIED';
  return 'ERR_IMARRAY_DECODE';
}

async function outcome(path: string): Promise<{ stage: 'open' | 'load'; error: unknown } | { stage: 'ok'; img: Awaited<ReturnType<typeof open>> }> {
  let img;
  try {
    img = await open(path);
  } catch (error) {
    return { stage: 'open', error };
  }
  try {
    await img.load();
  } catch (error) {
    return { stage: 'load', error };
  }
  return { stage: 'ok', img };
}

function expectCode(error: unknown, code: ErrorCode, what: string): void {
  expect(error, what).toBeInstanceOf(ImarrayError);
  expect((error as ImarrayError).code, `${what}: ${(error as Error).message}`).toBe(code);
}

async function checkAgainstPillow(path: string, fixture: string, ref: CurrentEntry): Promise<void> {
  const p = ref.pillow;
  const dev = DEVIATIONS[fixture];
  const got = await outcome(path);
  if (!p.ok) {
    if (dev?.kind === 'opens') {
      expect(got.stage, fixture).toBe('ok');
      if (got.stage === 'ok') expect(sha256(toArray(got.img, { copy: false }).data)).toBe(dev.sha256);
      return;
    }
    expect(got.stage, `${fixture}: Pillow fails (${p.error}: ${p.message})`).not.toBe('ok');
    if (got.stage === 'ok') return;
    expectCode(got.error, dev?.kind === 'code' ? dev.code : codeFor(p), fixture);
    if (p.stage !== 'open') {
      // Pillow opened it and failed at load: so must we, with the header Pillow reported
      expect(got.stage, `${fixture}: Pillow opens it and fails at load`).toBe('load');
      const old = info94.get(fixture);
      if (old !== undefined && !old.ok && old.mode !== undefined) {
        const img = await open(path);
        expect([img.mode, img.size], fixture).toEqual([old.mode === 'I' && img.mode === 'I;16' ? 'I;16' : old.mode, old.size]);
        await img.close();
      }
    }
    return;
  }
  if (dev?.kind === 'fails') {
    expect(got.stage, fixture).not.toBe('ok');
    if (got.stage !== 'ok') expectCode(got.error, dev.code, fixture);
    if (dev.code === 'ERR_IMARRAY_TRUNCATED') {
      // refused by default, but loadTruncated gives exactly Pillow's partial image
      const img = await (await open(path, { loadTruncated: true })).load();
      expect(sha256(toArray(img, { copy: false }).data), `${fixture} with loadTruncated`).toBe(p.array.sha256_u8 ?? p.array.sha256);
    }
    return;
  }
  if (got.stage !== 'ok') throw got.error;
  const img = got.img;
  expect(img.format, fixture).toBe(p.format);
  expect(img.mode, fixture).toBe(dev?.kind === 'byteorder' ? dev.mode : p.mode);
  expect(img.size, fixture).toEqual(p.size);
  expect(img.nFrames, fixture).toBe(p.n_frames);
  const a = toArray(img, { copy: false });
  expect(a.shape, fixture).toEqual(p.array.shape);
  if (dev?.kind === 'byteorder') {
    // the same values as Pillow's big-endian array, in a native (little-endian) Uint16Array
    expect(typestr(a.data), fixture).toBe(p.array.dtype.replace('>', '<'));
    const swapped = new Uint8Array(a.data.buffer.slice(a.data.byteOffset, a.data.byteOffset + a.data.byteLength));
    for (let i = 0; i + 1 < swapped.length; i += 2) [swapped[i], swapped[i + 1]] = [swapped[i + 1], swapped[i]];
    expect(sha256(swapped), `${fixture}: byte-swapped`).toBe(p.array.sha256);
  } else expect(typestr(a.data), fixture).toBe(p.array.dtype === '|b1' ? '|u1' : p.array.dtype);
  if (dev?.kind === 'byteorder') {
    // checked above
  } else if (dev?.kind === 'values') expect(sha256(a.data), `${fixture}: ours`).toBe(dev.sha256);
  else if (dev?.kind !== 'platform' || dev.exactOn === process.arch) expect(sha256(a.data), fixture).toBe(p.array.sha256_u8 ?? p.array.sha256);
  // info: against Pillow 9.4's record where both versions open the file (the 12.3 records have none)
  const old = info94.get(fixture);
  const checkInfo = INFO_CHECKS[p.format];
  if (old?.ok === true && checkInfo !== undefined) checkInfo(img, old, fixture);
  for (const [i, f] of (p.frames ?? []).entries()) {
    if (i === 0) continue;
    if (dev?.kind === 'frames' && i >= dev.from) break;
    if (dev?.kind === 'values' && dev.framesFrom !== undefined && i >= dev.framesFrom) break;
    const seeked = img.seek(i).then(() => img.load());
    if (f.error !== undefined) {
      const err: unknown = await seeked.then(() => undefined, (e: unknown) => e);
      expect(err, `${fixture} frame ${i}: Pillow raises ${f.error}`).toBeInstanceOf(ImarrayError);
      break;
    }
    await seeked;
    expect(img.mode, `${fixture} frame ${i}`).toBe(f.mode);
    const fa = toArray(img, { copy: false });
    expect(fa.shape, `${fixture} frame ${i}`).toEqual(f.shape);
    expect(sha256(fa.data), `${fixture} frame ${i}`).toBe(f.sha256_u8 ?? f.sha256);
  }
  await img.close();
}

for (const codec of CODECS) {
  const dir = join(FIXTURES, codec.format.toLowerCase());
  const files = walk(dir).filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase()) || f.includes('/bad/')).sort();
  describe(`${codec.format} conformance with Pillow 12.3 (fixtures/${relative(FIXTURES, dir)})`, () => {
    it('has fixtures, each with a reference or under bad/', () => {
      expect(files.length).toBeGreaterThan(0);
      const orphans = files.map((f) => relative(FIXTURES, f)).filter((f) => !byFixture.has(f) && !f.includes('/bad/'));
      expect(orphans, 'fixtures without a Pillow reference: run npm run references:current').toEqual([]);
    });
    for (const path of files) {
      const fixture = relative(FIXTURES, path);
      const ref = byFixture.get(fixture);
      if (fixture.includes('/bad/')) {
        it(`${fixture}: fails with a typed error`, async () => {
          const got = await outcome(path);
          expect(got.stage, fixture).not.toBe('ok');
          if (got.stage !== 'ok') expect(got.error).toBeInstanceOf(ImarrayError);
        });
      } else if (ref !== undefined) {
        const what = ref.pillow.ok ? `${ref.pillow.mode} ${ref.pillow.size.join('x')}` : `fails (${ref.pillow.error} at ${ref.pillow.stage})`;
        const dev = DEVIATIONS[fixture];
        it(`${fixture}: ${what}${dev === undefined ? '' : ` [deviation: ${dev.reason}]`}`, () => checkAgainstPillow(path, fixture, ref));
      }
    }
  });
}
