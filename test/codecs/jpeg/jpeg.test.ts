/**
 * JPEG details beyond the conformance harness (test/conformance/ checks every corpus file's
 * pixels against Pillow 12.3 and its info against 9.4): files where current Pillow differs from
 * 9.4, the corrupt scan's architecture bound, truncation, orientation, header cuts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { open, toArray } from '../../../src/index.js';
import { EXTRA, fixture, sha256, difference, pillowBadExifArray } from '../../helpers/fixtures.js';

describe('JPEG beyond the conformance harness (test/conformance/)', () => {
  it('hopper_bad_exif.jpg (corrupt scan): Pillow\'s array on x64, within 0.1% of it elsewhere (SIMD IDCTs differ)', async () => {
    const img = await (await open(fixture('jpeg/hopper_bad_exif.jpg'))).load();
    const a = toArray(img, { copy: false });
    const d = difference(a.data, pillowBadExifArray());
    if (process.arch === 'x64') expect(d.count).toBe(0);
    // libjpeg-turbo's SIMD IDCTs (SSE2 on x64, NEON on arm64) treat the corrupt scan's
    // out-of-range coefficients differently: 47 of 250,000 values on arm64 (qemu)
    else expect(d.count / a.data.length).toBeLessThan(0.001);
  });

  it('truncated_exif_dpi.jpg opens like current Pillow (dpi 72) with the pixels Pillow decodes', async () => {
    const img = await open(fixture('jpeg/truncated_exif_dpi.jpg'));
    expect(img.info.dpi).toEqual([72, 72]);
    const ref = EXTRA['open:jpeg/truncated_exif_dpi.jpg'];
    expect(img.size).toEqual(ref?.size);
    await img.load();
    expect(sha256(toArray(img).data)).toBe(ref?.sha256);
  });

  it('ultrahdr.jpg is JPEG (current Pillow) and raises the truncated error at load', async () => {
    const img = await open(fixture('jpeg/ultrahdr.jpg'));
    expect(img.format).toBe('JPEG');
    expect(img.size).toEqual([1512, 2688]);
    await expect(img.load()).rejects.toMatchObject({ code: 'ERR_IMARRAY_TRUNCATED' });
  });

  it('reads CMYK without an Adobe marker inverted, as Pillow always does', async () => {
    const img = await open(fixture('extra/cmyk_no_adobe.jpg'));
    expect(img.mode).toBe('CMYK');
    expect(img.info.adobe).toBeUndefined();
    await img.load();
    expect(sha256(toArray(img).data)).toBe(EXTRA['open:extra/cmyk_no_adobe.jpg']?.sha256);
  });

  it('gives Pillow LOAD_TRUNCATED_IMAGES output with loadTruncated', async () => {
    for (const name of ['jpeg/truncated_jpeg.jpg', 'extra/flower_cut_60pct.jpg']) {
      const img = await open(fixture(name), { loadTruncated: true });
      await img.load();
      expect(sha256(toArray(img).data), name).toBe(EXTRA[`load_truncated:${name}`]?.sha256);
      await expect((await open(fixture(name))).load()).rejects.toMatchObject({ code: 'ERR_IMARRAY_TRUNCATED' });
    }
  });

  it('reports EXIF orientation without applying it', async () => {
    const img = await open(fixture('jpeg/hopper_orientation_6.jpg'));
    expect(img.size).toEqual([128, 128]);
    const rect = await open(fixture('jpeg/orientation_rectangle.jpg'));
    expect(rect.size).toEqual([2, 1]); // orientation 8 would make it 1x2
  });

  it('splits header cuts like Pillow: inside a segment truncated, between markers unidentified', async () => {
    const bytes = readFileSync(fixture('jpeg/hopper.jpg'));
    // Checked with Pillow 9.4: 100 and 300 -> OSError "Truncated File Read"; 200 -> UnidentifiedImageError.
    await expect(open(bytes.subarray(0, 100))).rejects.toMatchObject({ code: 'ERR_IMARRAY_TRUNCATED' });
    await expect(open(bytes.subarray(0, 300))).rejects.toMatchObject({ code: 'ERR_IMARRAY_TRUNCATED' });
    await expect(open(bytes.subarray(0, 200))).rejects.toMatchObject({ code: 'ERR_IMARRAY_UNIDENTIFIED' });
  });
});

describe('MPO frames', () => {
  it('seek moves between the pictures (each the JPEG at its MP offset) and back; from a path or bytes alike', async () => {
    const path = fixture('jpeg/frame_size.mpo');
    for (const src of [path, readFileSync(path)]) {
      const img = await open(src);
      expect([img.format, img.nFrames, img.mode, img.size]).toEqual(['MPO', 2, 'RGB', [56, 70]]);
      const first = sha256(toArray(await img.load(), { copy: false }).data);
      await img.seek(1);
      await img.load();
      expect([img.mode, img.size]).toEqual(['L', [349, 434]]);
      await img.seek(0);
      await img.load();
      expect([img.mode, img.size]).toEqual(['RGB', [56, 70]]);
      expect(sha256(toArray(img, { copy: false }).data)).toBe(first);
      await img.close();
    }
  });
  it('a picture past the end of a cut file is a typed error at seek', async () => {
    const whole = readFileSync(fixture('jpeg/frame_size.mpo'));
    const img = await open(whole.subarray(0, 4200)); // frame 1 starts at byte 4226
    await expect(img.seek(1)).rejects.toMatchObject({ code: 'ERR_IMARRAY_DECODE' });
  });
});

describe('MPO frames: info as current Pillow keeps it across seek (MpoImageFile.seek)', () => {
  it('the frame header is read into the info the image had: exif dropped, the frame\'s keys over the rest, mpoffset where the frame has an MP header', async () => {
    const img = await open(fixture('jpeg/frame_size.mpo'));
    const first = { ...img.info };
    expect(first.exif).toBeInstanceOf(Uint8Array);
    expect(first.mpoffset).toBeUndefined(); // removed at open
    await img.seek(1);
    // frame 1 (an L JPEG) has XMP and no EXIF or MP header of its own
    expect(Object.keys(img.info).sort()).toEqual([...Object.keys(first).filter((k) => k !== 'exif'), 'xmp'].sort());
    expect(img.info.mp).toEqual(first.mp);
    await img.seek(0);
    // back on frame 0: its exif again, and its MP header's offset (Pillow's _open adds it, only open removes it)
    expect(img.info.exif).toEqual(first.exif);
    expect(typeof img.info.mpoffset).toBe('number');
    const bytes = readFileSync(fixture('jpeg/frame_size.mpo'));
    const at = img.info.mpoffset as number;
    expect(bytes.toString('latin1', at - 4, at)).toBe('MPF\0');
    expect(img.info.xmp).toBeDefined(); // frame 1's, kept as Pillow keeps it
  });
});
