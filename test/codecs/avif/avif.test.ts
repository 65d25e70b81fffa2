/**
 * AVIF beyond the conformance harness (test/conformance: every fixture and recorded frame
 * against Pillow 12.3): Pillow's arrays of the corpus's current/ files (fixtures/avif-reference/,
 * scripts/make-avif-references.py) equal on the native back-end and within the documented bound
 * on the WebAssembly one, `info` as Pillow's own tests state it, frames, and typed errors.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { open, toArray, imreadBatch, UnsupportedError, ImarrayError, type Backend } from '../../../src/index.js';
import { nativeAvif } from '../../../src/kernels/native.js';
import { exifOrientation } from '../../../src/codecs/shared/exif.js';
import { fixture } from '../../helpers/fixtures.js';

/** The largest difference from Pillow's value, per file, and the bound the docs give. */
const CASES: [string, number][] = [
  ['avif_rgb_q30_420', 2], ['avif_rgb_q75_420', 2], ['avif_rgb_q95_420', 2], ['avif_rgba_q75', 2], ['avif_anim', 2],
  ['avif_rgb_q30_444', 1], ['avif_rgb_q75_444', 1], ['avif_rgb_q95_444', 1], ['avif_rgb_lossless', 1], ['avif_l_q75', 0],
];

const native = nativeAvif() !== null;

/** Each back-end and the factor on the WebAssembly bound it is held to (native: exact). */
const COLOUR_BACKENDS: [Backend, number][] = [...(native ? [['native', 0] as [Backend, number]] : []), ['js', 1]];

describe.each(COLOUR_BACKENDS)("AVIF colour of backend '%s' against Pillow 12.3", (backend, scale) => {
  for (const [name, wasmBound] of CASES) {
    const bound = wasmBound * scale;
    it(`${name}: max difference <= ${bound}`, async () => {
      const ours = toArray(await (await open(fixture(`avif/current_${name}.avif`), { backend })).load());
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
  it("a sequence has its frame count; on backend 'js' frame 0 decodes with its timing, later frames are UnsupportedError", async () => {
    const img = await open(fixture('avif/star.avifs'), { backend: 'js' });
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

describe.runIf(native)("AVIF on backend 'native': frames and batches", () => {
  it('every frame of a sequence, in any order, equals the frame reached in order', async () => {
    const img = await open(fixture('avif/star.avifs'));
    const inOrder: string[] = [];
    for (let i = 0; i < img.nFrames; i++) {
      await img.seek(i);
      inOrder.push(Buffer.from((toArray(await img.load()).data as Uint8Array)).toString('base64'));
      expect(img.info.timestamp).toBeGreaterThanOrEqual(0);
    }
    expect(new Set(inOrder).size).toBeGreaterThan(1);
    const again = await open(fixture('avif/star.avifs'));
    for (const i of [4, 0, 3, 1, 2]) {
      await again.seek(i);
      expect(Buffer.from((toArray(await again.load()).data as Uint8Array)).toString('base64'), `frame ${i}`).toBe(inOrder[i]);
    }
  });
  it('decodes into batch slots on the main thread and on worker threads, as one at a time', async () => {
    const files = ['avif/rot0mir0.avif', 'avif/rot0mir1.avif', 'avif/rot2mir0.avif'].map(fixture);
    const one = await Promise.all(files.map(async (f) => toArray(await (await open(f)).load()).data as Uint8Array));
    for (const workers of [0, 2]) {
      const batch = await imreadBatch(files, { workers });
      const per = batch.data.length / files.length;
      files.forEach((f, i) => { expect(Buffer.compare(Buffer.from((batch.data as Uint8Array).subarray(i * per, (i + 1) * per)), Buffer.from(one[i])), `${f} workers ${workers}`).toBe(0); });
    }
  });
  it('hostile bytes never crash: every flipped byte of the AV1 payload decodes or fails typed', async () => {
    const good = new Uint8Array(readFileSync(fixture('avif/transparency.avif')));
    for (let at = good.length - 400; at < good.length; at += 3) {
      const bad = Uint8Array.from(good);
      bad[at] ^= 0xa5;
      const got: unknown = await open(bad).then((img) => img.load()).then(() => 'ok', (e: unknown) => e);
      if (got !== 'ok') expect(got, `byte ${at}`).toBeInstanceOf(ImarrayError);
    }
  });
});
