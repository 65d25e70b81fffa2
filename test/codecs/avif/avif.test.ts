/**
 * AVIF beyond the conformance harness (test/conformance: mode, size, frame count against
 * Pillow 12.3 for every fixture): colour values within the documented bound of Pillow's arrays
 * (fixtures/avif-reference/, scripts/make-avif-references.py, the corpus's current/ files),
 * `info` as Pillow's own tests state it, frames, and typed errors.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { open, toArray, UnsupportedError, ImarrayError } from '../../../src/index.js';
import { exifOrientation } from '../../../src/codecs/shared/exif.js';
import { fixture } from '../../helpers/fixtures.js';

/** The largest difference from Pillow's value, per file, and the bound the docs give. */
const CASES: [string, number][] = [
  ['avif_rgb_q30_420', 2], ['avif_rgb_q75_420', 2], ['avif_rgb_q95_420', 2], ['avif_rgba_q75', 2], ['avif_anim', 2],
  ['avif_rgb_q30_444', 1], ['avif_rgb_q75_444', 1], ['avif_rgb_q95_444', 1], ['avif_rgb_lossless', 1], ['avif_l_q75', 0],
];

describe('AVIF colour within the bound of Pillow 12.3', () => {
  for (const [name, bound] of CASES) {
    it(`${name}: max difference <= ${bound}`, async () => {
      const ours = toArray(await (await open(fixture(`avif/current_${name}.avif`))).load());
      const want = toArray(await (await open(fixture(`avif-reference/${name}.png`))).load());
      expect(ours.shape).toEqual(want.shape);
      let max = 0;
      let alphaMax = 0;
      const bands = ours.shape[2] ?? 1;
      for (let i = 0; i < ours.data.length; i++) {
        const d = Math.abs(ours.data[i] - want.data[i]);
        if (bands === 4 && i % 4 === 3) alphaMax = Math.max(alphaMax, d);
        else max = Math.max(max, d);
      }
      expect(max, name).toBeLessThanOrEqual(bound);
      expect(alphaMax, `${name} alpha`).toBe(0);
    });
  }
});

describe('AVIF info and frames as Pillow gives them', () => {
  it('irot/imir become the EXIF orientation (Pillow\'s test_rot_mir_exif), pixels are not turned', async () => {
    const table: [string, number][] = [['rot0mir0', 4], ['rot0mir1', 2], ['rot1mir0', 5], ['rot1mir1', 7], ['rot2mir0', 2], ['rot2mir1', 4], ['rot3mir0', 7], ['rot3mir1', 5]];
    for (const [file, o] of table) {
      const img = await open(fixture(`avif/${file}.avif`));
      expect(exifOrientation(img.info.exif as Uint8Array), file).toBe(o);
    }
  });
  it('EXIF, XMP and ICC (test_exif, test_xmp, test_save_icc_profile)', async () => {
    expect(exifOrientation((await open(fixture('avif/exif.avif'))).info.exif as Uint8Array)).toBe(1);
    // no Exif item and no irot/imir: no info.exif (Pillow's getexif() reads the orientation 3 from the XMP)
    const x = await open(fixture('avif/xmp_tags_orientation.avif'));
    expect(x.info.exif).toBeUndefined();
    expect(new TextDecoder().decode(x.info.xmp as Uint8Array)).toMatch(/tiff:Orientation="3"/);
    expect((await open(fixture('avif/icc_profile_none.avif'))).info.icc_profile).toBeUndefined();
    expect(((await open(fixture('avif/icc_profile.avif'))).info.icc_profile as Uint8Array).length).toBeGreaterThan(128);
  });
  it('a sequence has its frame count; frame 0 decodes with its timing, later frames are UnsupportedError', async () => {
    const img = await open(fixture('avif/star.avifs'));
    expect([img.mode, img.nFrames, img.isAnimated]).toEqual(['RGBA', 5, true]);
    await img.load();
    expect(img.info.timestamp).toBe(0);
    expect(img.info.duration).toBeGreaterThan(0);
    await img.seek(1);
    await expect(img.load()).rejects.toBeInstanceOf(UnsupportedError);
    const still = await (await open(fixture('avif/hopper.avif'))).load();
    expect([still.nFrames, still.info.timestamp, still.info.duration]).toEqual([1, 0, 1000]);
  });
  it('damaged files raise typed errors, and the decoder works after them', async () => {
    const good = readFileSync(fixture('avif/hopper.avif'));
    for (const cut of [16, 200, good.length - 50]) {
      const got: unknown = await open(good.subarray(0, cut)).then((img) => img.load()).then(() => 'ok', (e: unknown) => e);
      if (got !== 'ok') expect(got, `cut at ${cut}`).toBeInstanceOf(ImarrayError);
    }
    expect(toArray(await (await open(good)).load()).shape).toEqual([128, 128, 3]);
  });
});
