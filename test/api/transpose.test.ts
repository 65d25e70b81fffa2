/** exifTranspose and the transpose methods against Pillow 9.4 (scripts/make-references.py). */
import { describe, expect, it } from 'vitest';
import { open, exifTranspose, transpose, Transpose, toArray } from '../../src/index.js';
import { exifOrientation } from '../../src/codecs/shared/exif.js';
import { EXTRA, fixture, sha256 } from '../helpers/fixtures.js';

describe('exifTranspose (ImageOps.exif_transpose)', () => {
  const files = [2, 3, 4, 5, 6, 7, 8].map((n) => `jpeg/hopper_orientation_${n}.jpg`).concat('jpeg/orientation_rectangle.jpg');
  for (const name of files) {
    it(`${name} comes out upright like Pillow`, async () => {
      const img = await open(fixture(name));
      const before = exifOrientation(img.info.exif);
      expect(before).toBeGreaterThan(1);
      const up = await exifTranspose(img);
      const ref = EXTRA[`exif_transpose:${name}`];
      expect(up.size).toEqual(ref?.size);
      expect(toArray(up).shape).toEqual(ref?.shape);
      expect(sha256(toArray(up).data)).toBe(ref?.sha256);
      expect(exifOrientation(up.info.exif)).toBe(1);
      expect(exifOrientation(img.info.exif)).toBe(before); // the source image is untouched
    });
  }

  it('returns a plain copy when there is no orientation', async () => {
    const img = await (await open(fixture('jpeg/hopper.jpg'))).load();
    const up = await exifTranspose(img);
    expect(up).not.toBe(img);
    expect(sha256(toArray(up).data)).toBe(sha256(toArray(img).data));
  });
});

describe('transpose methods', () => {
  for (const [name, method] of Object.entries(Transpose)) {
    it(`${name} equals Pillow on a non-square image`, async () => {
      const img = await (await open(fixture('jpeg/flower.jpg'))).load();
      const out = transpose(img, method);
      const ref = EXTRA[`transpose:${method}:jpeg/flower.jpg`];
      expect(out.size).toEqual(ref?.size);
      expect(sha256(toArray(out).data)).toBe(ref?.sha256);
    });
  }
});
