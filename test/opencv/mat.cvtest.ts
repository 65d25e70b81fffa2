/**
 * toMat / fromMat on the real @u4/opencv4nodejs built against Debian's OpenCV 4.6
 * (scripts/opencv.sh). For every JPEG and PNG fixture OpenCV reads, toMat(img) equals
 * cv.imread(file, IMREAD_UNCHANGED) value for value, under the documented Pillow rules where
 * the two differ (16-bit colour PNG: Pillow keeps the high byte; tRNS on RGB: Pillow keeps 3
 * channels; truncated files: Pillow needs loadTruncated; CMYK: no Mat, UnsupportedError).
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import cv from '@u4/opencv4nodejs';
import { open, toMat, fromMat, toArray, crop, fromStorage, TruncatedImageError, UnsupportedError, ImageNotLoadedError, type Image } from '../../src/index.js';
import { _matBuffer } from '../../src/api/opencv.js';
import { fixture } from '../helpers/fixtures.js';

const FILES = [
  ...readdirSync(fixture('jpeg')).filter((f) => /\.(jpe?g|mpo)$/i.test(f)).map((f) => fixture(`jpeg/${f}`)),
  ...readdirSync(fixture('png/pngsuite')).filter((f) => f.endsWith('.png')).map((f) => fixture(`png/pngsuite/${f}`)),
];

function cvRead(file: string): cv.Mat | undefined {
  try {
    const m = cv.imread(file, cv.IMREAD_UNCHANGED);
    return m.empty ? undefined : m;
  } catch {
    return undefined;
  }
}

async function ours(file: string): Promise<{ img: Image; truncated: boolean }> {
  try {
    return { img: await (await open(file)).load(), truncated: false };
  } catch (e) {
    if (!(e instanceof TruncatedImageError)) throw e;
    return { img: await (await open(file, { loadTruncated: true })).load(), truncated: true };
  }
}

/** imread's values, brought to Pillow's mode where the documented rules say they differ. */
function expected(m: cv.Mat, channels: number, sixteen: boolean): number[] {
  const raw = m.getData();
  const samples = m.depth === cv.CV_16U ? new Uint16Array(raw.buffer, raw.byteOffset, raw.length / 2) : raw;
  const out: number[] = [];
  for (let i = 0; i < samples.length; i += m.channels) {
    for (let c = 0; c < channels; c++) {
      const v = samples[i + c] as number;
      out.push(m.depth === cv.CV_16U && !sixteen ? v >> 8 : v);
    }
  }
  return out;
}

function matValues(m: cv.Mat): number[] {
  const raw = m.getData();
  return Array.from(m.depth === cv.CV_16U ? new Uint16Array(raw.buffer, raw.byteOffset, raw.length / 2) : raw);
}

describe('toMat equals cv.imread(file, IMREAD_UNCHANGED)', () => {
  it('for every JPEG and PNG fixture OpenCV reads', async () => {
    const tally = { exact: 0, highByte: 0, alphaDropped: 0, truncated: 0, cmyk: 0, opencvRefuses: [] as string[] };
    for (const file of FILES) {
      const m = cvRead(file);
      if (m === undefined) {
        tally.opencvRefuses.push(file.split('/').pop() as string);
        continue;
      }
      const { img, truncated } = await ours(file); // any other error fails the test: OpenCV read it
      if (img.mode === 'CMYK') {
        expect(() => toMat(img, cv)).toThrow(UnsupportedError);
        tally.cmyk++;
        continue;
      }
      const mat = toMat(img, cv);
      expect([mat.rows, mat.cols], file).toEqual([m.rows, m.cols]);
      const sixteen = img.mode === 'I;16';
      const want = expected(m, mat.channels, sixteen);
      expect(matValues(mat), file).toEqual(want);
      if (m.depth === cv.CV_16U && !sixteen) tally.highByte++;
      else if (m.channels !== mat.channels) tally.alphaDropped++;
      else {
        expect(mat.type, file).toBe(m.type);
        tally.exact++;
      }
      if (truncated) tally.truncated++;
    }
    // what the run covered (so a change in the fixtures or in OpenCV shows up here)
    expect(tally.exact).toBeGreaterThanOrEqual(170);
    expect(tally.highByte).toBe(20); // 16-bit RGB/RGBA PNGs (2 with tRNS): Pillow modes RGB/RGBA are 8-bit
    expect(tally.alphaDropped).toBe(1); // tbrn2c08: RGB + tRNS stays RGB in Pillow
    expect(tally.truncated).toBe(2); // truncated_jpeg, ultrahdr: equal with loadTruncated
    expect(tally.cmyk).toBe(1);
    expect(tally.opencvRefuses.sort()).toEqual(
      ['monkey12.jpg', 'testorig12.jpg', 'xc1n0g08.png', 'xc9n2c08.png', 'xcrn0g04.png', 'xcsn0g01.png', 'xd0n2c08.png', 'xd3n2c08.png', 'xd9n2c08.png', 'xdtn0g01.png', 'xhdn0g08.png', 'xlfn0g04.png', 'xs1n0g01.png', 'xs2n0g01.png', 'xs4n0g01.png', 'xs7n0g01.png'],
    );
  });
});

describe('toMat memory', () => {
  it('wraps its one buffer without a copy, and the buffer lives as long as the Mat', async () => {
    const img = await (await open(fixture('jpeg/hopper.jpg'))).load();
    const want = matValues(cv.imread(fixture('jpeg/hopper.jpg'), cv.IMREAD_UNCHANGED));
    const mats = Array.from({ length: 20 }, () => toMat(img, cv));
    const buf = _matBuffer(mats[0] as object);
    expect(buf?.length).toBe(128 * 128 * 3);
    if (buf === undefined) throw new Error('no buffer');
    const saved = buf[0] as number;
    buf[0] = (saved + 1) & 255; // the Mat IS that memory
    expect((mats[0] as cv.Mat).at(0, 0).x).toBe((saved + 1) & 255);
    buf[0] = saved;
    // drop every other reference, churn the heap: the Mats' pixels must stay intact
    for (let i = 0; i < 5; i++) {
      (globalThis as { gc?: () => void }).gc?.();
      Array.from({ length: 50 }, () => Buffer.alloc(128 * 128 * 3, 0xee));
    }
    for (const m of mats) expect(matValues(m)).toEqual(want);
  });

  it('refuses an image that is not loaded, and modes OpenCV has no Mat for', async () => {
    const lazy = await open(fixture('jpeg/hopper.jpg'));
    expect(() => toMat(lazy, cv)).toThrow(ImageNotLoadedError);
    const ycc = fromStorage('YCbCr', [2, 2], new Uint8Array(12));
    expect(() => toMat(ycc, cv)).toThrow(/convert\('RGB'\)/);
  });

  it('maps I;16, I, F, LA and P to the Mats cv.imread would give', async () => {
    const grey16 = await (await open(fixture('png/pngsuite/basn0g16.png'))).load();
    expect(toMat(grey16, cv).type).toBe(cv.CV_16UC1);
    const f = fromStorage('F', [2, 1], new Float32Array([1.5, -2]));
    const fm = toMat(f, cv);
    expect([fm.type, fm.at(0, 0), fm.at(0, 1)]).toEqual([cv.CV_32FC1, 1.5, -2]);
    const i = fromStorage('I', [1, 1], new Int32Array([-7]));
    expect([toMat(i, cv).type, toMat(i, cv).at(0, 0)]).toEqual([cv.CV_32SC1, -7]);
    const la = fromStorage('LA', [1, 1], new Uint8Array([9, 200]));
    expect(matValues(toMat(la, cv))).toEqual([9, 9, 9, 200]);
  });
});

describe('fromMat', () => {
  it('gives the Pillow array of imread Mats (BGR -> RGB, grey, 16-bit grey, BGRA)', async () => {
    for (const f of ['jpeg/hopper.jpg', 'jpeg/hopper_gray.jpg', 'png/pngsuite/basn0g16.png', 'png/pngsuite/basn6a08.png', 'png/pngsuite/basn2c08.png']) {
      const img = await (await open(fixture(f))).load();
      const back = fromMat(cv.imread(fixture(f), cv.IMREAD_UNCHANGED));
      expect([back.mode, back.size], f).toEqual([img.mode, img.size]);
      expect(Array.from(toArray(back).data), f).toEqual(Array.from(toArray(img).data));
    }
  });

  it('reads a region (ROI) Mat, which getData refuses, as the crop', async () => {
    const img = await (await open(fixture('jpeg/hopper.jpg'))).load();
    const roi = toMat(img, cv).getRegion(new cv.Rect(10, 20, 30, 40));
    const back = fromMat(roi);
    expect(back.size).toEqual([30, 40]);
    expect(Array.from(toArray(back).data)).toEqual(Array.from(toArray(crop(img, [10, 20, 40, 60])).data));
  });

  it("keeps the Mat's order with order: 'RGB', and refuses Mats without a Pillow mode", () => {
    const m = new cv.Mat(1, 1, cv.CV_8UC3, [1, 2, 3]);
    expect(Array.from(toArray(fromMat(m, { order: 'RGB' })).data)).toEqual([1, 2, 3]);
    expect(Array.from(toArray(fromMat(m)).data)).toEqual([3, 2, 1]);
    expect(() => fromMat(new cv.Mat(1, 1, cv.CV_64FC1, 0))).toThrow(UnsupportedError);
    expect(() => fromMat(new cv.Mat(1, 1, cv.CV_8UC2, 0))).toThrow(UnsupportedError);
  });
});
