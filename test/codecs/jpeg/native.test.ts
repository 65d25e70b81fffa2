/**
 * The two native JPEG back-ends against Pillow, file by file: imarray's own libjpeg-turbo
 * decoder (`backend: 'native'`, src/codecs/jpeg/turbo.c) and sharp's. Each must equal Pillow's
 * recorded array on every corpus JPEG (CMYK, arithmetic coding, corrupt scans and truncation
 * included) and fail with Pillow's error class where Pillow fails. The native decoder is in
 * the native kernel where scripts/build-native.mjs found libjpeg-turbo's source (CI:
 * IMARRAY_NATIVE_REQUIRED=1, where its absence is a failure); its own checks (BGR, batch
 * slots, hostile bytes, argument checks) run where it is built.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { open, toArray, imread, imreadBatch, backends, ImarrayError, UnsupportedError, type Backend } from '../../../src/index.js';
import { nativeJpeg, type NativeKernel } from '../../../src/kernels/native.js';
import { PILLOW_94, EXTRA, fixture, sha256, difference, pillowBadExifArray } from '../../helpers/fixtures.js';

const JPEGS = PILLOW_94.filter((e) => e.name.startsWith('jpeg/'));
const jpeg = nativeJpeg();
const BACKENDS: Backend[] = jpeg === null ? ['sharp'] : ['native', 'sharp'];

async function decode(path: string | Uint8Array, backend: Backend, loadTruncated = false): Promise<Uint8Array> {
  const img = await (await open(path, { backend, loadTruncated })).load();
  return toArray(img).data as Uint8Array;
}

describe('the native JPEG decoder is there where it is required', () => {
  it(`native kernel with libjpeg-turbo: ${jpeg === null ? 'absent' : jpeg.version}`, async () => {
    if (process.env.IMARRAY_NATIVE_REQUIRED === '1') expect(jpeg?.version).toMatch(/^\d+\.\d+\.\d+$/);
    if (jpeg === null) {
      // without it, 'auto' falls back to sharp and 'native' says why it cannot run
      await expect(decode(fixture('jpeg/hopper.jpg'), 'native')).rejects.toThrow(UnsupportedError);
    } else {
      expect(sha256(await decode(fixture('jpeg/hopper.jpg'), 'auto'))).toBe(sha256(await decode(fixture('jpeg/hopper.jpg'), 'native')));
    }
  });
});

for (const backend of BACKENDS) {
  describe(`backend '${backend}' against Pillow`, () => {
    for (const entry of JPEGS) {
      const p = entry.pillow;
      const path = fixture(entry.fixture);
      if (entry.name === 'jpeg/hopper_bad_exif.jpg') {
        it(`${entry.name}: corrupt scan, Pillow's resynchronised pixels (x64; within 0.1% on arm64, as jpeg.test.ts)`, async () => {
          const d = difference(await decode(path, backend), pillowBadExifArray());
          if (process.arch === 'x64') expect(d.count).toBe(0);
          else expect(d.count / 250000).toBeLessThan(0.001);
        });
      } else if (entry.name === 'jpeg/truncated_exif_dpi.jpg') {
        it(`${entry.name}: opens like current Pillow and equals its pixels`, async () => {
          expect(sha256(await decode(path, backend))).toBe(EXTRA['open:jpeg/truncated_exif_dpi.jpg']?.sha256);
        });
      } else if (p.ok) {
        it(`${entry.name}: ${p.mode} equals Pillow`, async () => {
          const img = await (await open(path, { backend })).load();
          const a = toArray(img, { copy: false });
          expect(a.shape).toEqual(p.array.shape);
          expect(sha256(a.data)).toBe(p.array.sha256_u8 ?? p.array.sha256);
        });
      } else {
        it(`${entry.name}: fails with Pillow's error class`, async () => {
          const err: unknown = await decode(path, backend).then(() => 'ok', (e: unknown) => e);
          expect(err).toBeInstanceOf(ImarrayError);
          expect((err as ImarrayError).code).toBe(/truncated/.test(p.message) || entry.name.includes('ultrahdr') ? 'ERR_IMARRAY_TRUNCATED' : 'ERR_IMARRAY_UNIDENTIFIED');
        });
      }
    }

    it('gives Pillow LOAD_TRUNCATED_IMAGES output with loadTruncated, the truncated error without', async () => {
      for (const name of ['jpeg/truncated_jpeg.jpg', 'extra/flower_cut_60pct.jpg']) {
        expect(sha256(await decode(fixture(name), backend, true)), name).toBe(EXTRA[`load_truncated:${name}`]?.sha256);
        await expect(decode(fixture(name), backend)).rejects.toMatchObject({ code: 'ERR_IMARRAY_TRUNCATED' });
      }
    });
  });
}

describe.runIf(jpeg !== null)("backend 'native': its own paths", () => {
  const hopper = fixture('jpeg/hopper.jpg');

  it("order: 'BGR' is libjpeg's BGR output, equal to the RGB bands reversed", async () => {
    const rgb = await imread(hopper, { backend: 'native' });
    const bgr = await imread(hopper, { backend: 'native', order: 'BGR' });
    const a = rgb.data as Uint8Array;
    const b = bgr.data as Uint8Array;
    expect(b.length).toBe(a.length);
    for (let i = 0; i < a.length; i += 3) {
      if (b[i] !== a[i + 2] || b[i + 1] !== a[i + 1] || b[i + 2] !== a[i]) throw new Error(`pixel ${i / 3} differs`);
    }
    const brg = await imread(hopper, { backend: 'native', order: 'BRG' }); // any other order: one permute after
    expect([...(brg.data as Uint8Array).subarray(0, 3)]).toEqual([a[2], a[0], a[1]]);
  });

  it('decodes straight into batch slots (workers and main thread), RGB and BGR, grey and CMYK', async () => {
    const files = ['jpeg/hopper.jpg', 'jpeg/hopper.jpg', 'jpeg/hopper.jpg'].map(fixture);
    const one = await decode(fixture('jpeg/hopper.jpg'), 'native');
    for (const workers of [0, 2]) {
      const batch = await imreadBatch(files, { workers, open: { backend: 'native' } });
      const data = batch.data as Uint8Array;
      for (let i = 0; i < files.length; i++) expect(sha256(data.subarray(i * one.length, (i + 1) * one.length))).toBe(sha256(one));
      const bgr = (await imreadBatch(files, { workers, order: 'BGR', open: { backend: 'native' } })).data as Uint8Array;
      expect([...bgr.subarray(one.length, one.length + 3)]).toEqual([one[2], one[1], one[0]]);
    }
    for (const name of ['jpeg/hopper_gray.jpg', 'jpeg/pil_sample_cmyk.jpg']) {
      const single = await decode(fixture(name), 'native');
      const batch = (await imreadBatch([fixture(name), fixture(name)], { workers: 0, open: { backend: 'native' } })).data as Uint8Array;
      expect(sha256(batch.subarray(single.length))).toBe(sha256(single));
    }
  });

  it('hostile bytes: libjpeg errors become typed errors, every time, and the decoder keeps working', async () => {
    const good = readFileSync(hopper);
    const bad = new Uint8Array(good);
    const dht = bad.findIndex((b, i) => b === 0xff && bad[i + 1] === 0xc4);
    bad[dht + 4] = 0x1f; // "Bogus DHT index"
    const before = sha256(bad);
    for (let i = 0; i < 200; i++) {
      await expect(decode(bad, 'native')).rejects.toMatchObject({ code: 'ERR_IMARRAY_DECODE', message: /Bogus DHT index/ });
    }
    expect(sha256(bad)).toBe(before); // the caller's bytes are untouched
    expect(sha256(await decode(good, 'native'))).toBe(sha256(await decode(good, 'sharp')));
  });

  it('checks its arguments: never writes past the output, names what is wrong', () => {
    const src = new Uint8Array(readFileSync(hopper));
    const small = new Uint8Array(128 * 128 * 3 - 1);
    expect(() => jpeg!.decodeSync(src, small, 0, 1, 1, true)).toThrow(/does not fit/);
    expect(() => jpeg!.decodeSync(src, new Uint8Array(128 * 128 * 3), 1, 1, 1, true)).toThrow(RangeError);
    expect(() => jpeg!.decodeSync(src, new Uint8Array(10), 0, 6, 1, true)).toThrow(/space must be/);
    expect(() => jpeg!.decodeSync(src, new Uint8Array(10), 0, 1, 3, true)).toThrow(/scale must be 1, 2, 4 or 8/);
    // @ts-expect-error: not a Uint8Array
    expect(() => jpeg!.decodeSync([1, 2], new Uint8Array(10), 0, 1, 1, true)).toThrow(TypeError);
    const exact = new Uint8Array(128 * 128 * 3 + 7);
    const r = jpeg!.decodeSync(src, exact, 7, 1, 1, true); // at an offset, into the rest of the array
    expect(r).toMatchObject({ width: 128, height: 128, truncated: false, warnings: 0 });
    expect(exact.subarray(0, 7).every((b) => b === 0)).toBe(true);
  });
});

describe('the prebuilt kernels the package ships (prebuilds/, npm run native:prebuilds)', () => {
  const here = `${process.platform}-${process.arch}`;
  const path = fileURLToPath(new URL(`../../../prebuilds/${here}/imarray.node`, import.meta.url));
  it(`prebuilds/${here}: loads and decodes every corpus JPEG as Pillow where it is present (CI: required)`, () => {
    if (!existsSync(path)) {
      expect(process.env.IMARRAY_NATIVE_REQUIRED).not.toBe('1');
      return;
    }
    const m = createRequire(import.meta.url)(path) as NativeKernel;
    const turbo = m.jpeg!;
    expect(turbo.version).toMatch(/^\d+\.\d+\.\d+$/);
    let exact = 0;
    for (const entry of JPEGS) {
      const p = entry.pillow;
      if (!p.ok || entry.name === 'jpeg/hopper_bad_exif.jpg' || entry.name === 'jpeg/truncated_exif_dpi.jpg') continue;
      const [h, w, c = 1] = p.array.shape;
      const out = new Uint8Array(h * w * c);
      turbo.decodeSync(new Uint8Array(readFileSync(fixture(entry.fixture))), out, 0, c === 1 ? 0 : c === 4 ? 3 : 1, 1, true);
      expect(sha256(out), entry.name).toBe(p.array.sha256_u8 ?? p.array.sha256);
      exact++;
    }
    expect(exact).toBeGreaterThan(20);
  });

  it('backends() says which JPEG decoder runs and where the kernel came from', async () => {
    const b = await backends();
    expect(b.nativeJpeg.available).toBe(jpeg !== null);
    expect(b.formats.find((f) => f.format === 'JPEG')?.auto).toBe(jpeg !== null ? 'native' : 'sharp');
    if (jpeg !== null) expect(b.nativeJpeg.detail).toMatch(/^libjpeg-turbo \d+\.\d+\.\d+ \((build\/native|prebuilds)\//);
  });
});
