/**
 * `info` against Pillow 9.4's recorded values (fixtures/pillow-9.4-reference.json: the 12.3
 * references carry no `info`), per format, with current Pillow's differences from 9.4 written
 * into the comparator (dpi from JFIF centimetres, several EXIF segments, `xmp`). The harness runs
 * a format's comparator on every fixture that both Pillow versions open.
 */
import { expect } from 'vitest';
import type { Image } from '../../src/index.js';
import { sha256, bytesMismatch, isBytesRecord, type PillowOk } from '../helpers/fixtures.js';

export function expectPngInfo(img: Image, p: PillowOk, name: string): void {
  const keys = Object.keys(img.info).sort();
  expect(keys, name).toEqual([...p.info_keys].sort());
  for (const [k, want] of Object.entries(p.info)) {
    const got = img.info[k];
    if (isBytesRecord(want)) {
      expect(bytesMismatch(got, want), `${name} ${k}`).toBe('');
    } else if (typeof want === 'number' || (Array.isArray(want) && typeof want[0] === 'number')) {
      const g = ([] as number[]).concat(got as number);
      const w = ([] as number[]).concat(want as number);
      expect(g.length, `${name} ${k}`).toBe(w.length);
      g.forEach((v, i) => { expect(v, `${name} ${k}[${i}]`).toBeCloseTo(w[i], 9); });
    } else {
      expect(got, `${name} ${k}`).toEqual(want);
    }
  }
}


/** Compares `info` with Pillow's JSON rendering of it (bytes as {len, sha256}). */
export function expectJpegInfo(img: Image, p: PillowOk, name: string): void {
  const ours = img.info;
  // Keys: Pillow 9.4's, plus what current Pillow adds (xmp).
  const keys = Object.keys(ours).filter((k) => k !== 'xmp').sort();
  expect(keys, name).toEqual(p.info_keys.filter((k) => k !== 'mpoffset').sort());
  for (const [k, want] of Object.entries(p.info)) {
    const got = ours[k];
    if (k === 'dpi' && p.info.jfif_unit === 2) {
      // Pillow >= 10.2 converts JFIF dots-per-cm to dpi; 9.4 fell back to EXIF's 72.
      const d = p.info.jfif_density as [number, number];
      expect(got).toEqual([d[0] * 2.54, d[1] * 2.54]);
    } else if (k === 'exif' && name === 'jpeg/jfif_unit_cm.jpg') {
      // Two APP1 Exif segments: Pillow >= 10 appends the second (minus its header), 9.4 kept the first.
      const w = want as { len: number; sha256: string };
      expect(sha256((got as Uint8Array).subarray(0, w.len))).toBe(w.sha256);
      expect(new TextDecoder().decode((got as Uint8Array).subarray(w.len))).toBe('second\0');
    } else if (isBytesRecord(want)) {
      expect(bytesMismatch(got, want), `${name} info.${k}`).toBe('');
    } else if (k === 'photoshop') {
      const gotKeys = Object.keys(got as object).sort();
      expect(gotKeys, name).toEqual(Object.keys(want as object).sort());
      const res = (want as Record<string, unknown>)['1005'];
      if (res !== undefined) expect((got as Record<string, unknown>)['1005']).toEqual(res);
    } else {
      expect(got, `${name} info.${k}`).toEqual(want);
    }
  }
}


/** The comparator for an image format (Pillow's format name), if one is written. */
export const INFO_CHECKS: Readonly<Record<string, (img: Image, p: PillowOk, name: string) => void>> = {
  PNG: expectPngInfo,
  JPEG: expectJpegInfo,
  MPO: expectJpegInfo,
};
