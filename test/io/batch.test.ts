/**
 * imreadBatch (src/io/batch.ts): one [N, H, W(, C)] array, each slot equal to the image opened
 * alone (and converted, as Pillow's `convert`), on worker threads and on the main thread;
 * typed errors naming the image; progress; the caller's buffers untouched.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import {
  imreadBatch,
  Image,
  open,
  toArray,
  fromNpy,
  toNpy,
  DecodeError,
  InvalidArgumentError,
  TruncatedImageError,
  UnidentifiedImageError,
  type BatchProgress,
  type Mode,
} from '../../src/index.js';
import { fixture } from '../helpers/fixtures.js';

const SUITE = fixture('png/pngsuite');
/** Every 32x32 non-interlaced and interlaced PngSuite basic file: 1..16 bit, all colour types. */
const PNGS = readdirSync(SUITE)
  .filter((f) => /^bas[ni]\d[a-z]\d\d\.png$/.test(f))
  .sort()
  .map((f) => `${SUITE}/${f}`);

async function alone(source: string | Uint8Array, mode: Mode): Promise<number[]> {
  const img = await (await open(source)).load();
  const conv = img.mode === mode ? img : await img.convert(mode);
  return Array.from(toArray(conv).data);
}

describe.each([
  ['worker threads', 2],
  ['main thread', 0],
] as const)('imreadBatch on %s', (_name, workers) => {
  it('puts each PngSuite image, converted to RGBA, in its slot of one array', async () => {
    expect(PNGS.length).toBeGreaterThan(25);
    const progress: BatchProgress[] = [];
    const x = await imreadBatch(PNGS, { mode: 'RGBA', workers, onProgress: (p) => progress.push(p) });
    expect(x.shape).toEqual([PNGS.length, 32, 32, 4]);
    expect(x.data).toBeInstanceOf(Uint8Array);
    expect(x.data.buffer).toBeInstanceOf(ArrayBuffer); // never a SharedArrayBuffer: transferable, and collected as V8 counts it
    for (let i = 0; i < PNGS.length; i++) {
      const slot = Array.from(x.data.subarray(i * 4096, (i + 1) * 4096));
      expect(slot, PNGS[i]).toEqual(await alone(PNGS[i], 'RGBA'));
    }
    expect(progress.map((p) => p.done)).toEqual(PNGS.map((_, i) => i + 1));
    expect(progress.every((p) => p.total === PNGS.length)).toBe(true);
    expect(progress.map((p) => p.index).sort((a, b) => a - b)).toEqual(PNGS.map((_, i) => i));
  });

  it("order: 'BGR' / 'ABGR': each slot equals toArray(img, { mode, order }) of the image alone, PNG and JPEG", async () => {
    for (const [mode, order] of [['RGB', 'BGR'], ['RGBA', 'ABGR']] as const) {
      const x = await imreadBatch(PNGS, { mode, order, workers });
      const per = 32 * 32 * mode.length;
      for (let i = 0; i < PNGS.length; i++) {
        const img = await (await open(PNGS[i])).load();
        const want = Array.from(toArray(img, { mode, order }).data);
        expect(Array.from(x.data.subarray(i * per, (i + 1) * per)), `${PNGS[i]} ${order}`).toEqual(want);
      }
    }
    const jpegs = ['jpeg/hopper.jpg', 'jpeg/hopper_orientation_2.jpg'].map((f) => fixture(f));
    const y = await imreadBatch(jpegs, { order: 'BRG', workers });
    expect(y.shape).toEqual([2, 128, 128, 3]);
    for (let i = 0; i < jpegs.length; i++) {
      const img = await (await open(jpegs[i])).load();
      expect(Buffer.from(y.data.subarray(i * 128 * 128 * 3, (i + 1) * 128 * 128 * 3)).equals(Buffer.from(toArray(img, { order: 'BRG' }).data))).toBe(true);
    }
  });

  it("order must use each of the batch mode's bands once", async () => {
    await expect(imreadBatch(PNGS.slice(0, 2), { mode: 'RGB', order: 'BG', workers })).rejects.toThrow(/options\.order/);
    await expect(imreadBatch(PNGS.slice(0, 2), { mode: 'RGB', order: 'BGG', workers })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(imreadBatch(PNGS.slice(0, 2), { mode: 'RGB', order: 'BGX', workers })).rejects.toThrow(/letters of the RGB bands/);
  });

  it("takes the first image's mode and size by default (16-bit grey stays I;16) and reads bytes", async () => {
    const files = ['basn0g16.png', 'basi0g16.png'].map((f) => readFileSync(`${SUITE}/${f}`));
    const before = files.map((b) => Buffer.from(b));
    const x = await imreadBatch(files, { workers });
    expect(x.shape).toEqual([2, 32, 32]);
    expect(x.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(x.data.subarray(0, 1024))).toEqual(await alone(files[0] as Uint8Array, 'I;16'));
    expect(Array.from(x.data.subarray(1024))).toEqual(await alone(files[1] as Uint8Array, 'I;16'));
    expect(files).toEqual(before); // sources untouched (worker sources are clones, never transfers)
  });

  it('decodes JPEGs (sharp) into their slots, and the batch round-trips through .npy', async () => {
    const jpegs = ['hopper.jpg', 'hopper_gray.jpg', 'hopper_orientation_2.jpg'].map((f) => fixture(`jpeg/${f}`));
    const x = await imreadBatch(jpegs, { mode: 'RGB', workers });
    expect(x.shape).toEqual([3, 128, 128, 3]);
    const per = 128 * 128 * 3;
    for (let i = 0; i < 3; i++) expect(Array.from(x.data.subarray(i * per, (i + 1) * per))).toEqual(await alone(jpegs[i], 'RGB'));
    const back = fromNpy(toNpy(x));
    expect(back.shape).toEqual([3, 128, 128, 3]);
    expect(Buffer.from(back.data.buffer, back.data.byteOffset, back.data.byteLength).equals(Buffer.from(x.data))).toBe(true);
  });

  it('rejects an image of another size with an error naming it', async () => {
    const err = await imreadBatch([PNGS[0], fixture('jpeg/hopper.jpg')], { workers }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(String(err)).toMatch(/image 1 \(.*hopper\.jpg\) is 128x128, the batch is 32x32/);
  });

  it('keeps the typed error of a bad file, naming the image (truncated, corrupt, not an image, missing)', async () => {
    const png = readFileSync(`${SUITE}/basn2c08.png`);
    const broken = Buffer.from(png);
    broken[png.indexOf('IDAT') + 8] ^= 0xff; // inside the zlib stream: bad code lengths
    const cases: [Uint8Array | string, new (...a: never[]) => Error, RegExp][] = [
      [png.subarray(0, png.length - 40), TruncatedImageError, /image 1 \(\d+ bytes in memory\): image file is truncated/],
      [Buffer.from('not an image at all'), UnidentifiedImageError, /image 1 .*cannot identify image file/],
      [broken, DecodeError, /image 1 \(\d+ bytes in memory\): broken data stream .*invalid code lengths set/],
    ];
    for (const [bad, Err, message] of cases) {
      const err = await imreadBatch([png, bad, png], { size: [32, 32], mode: 'RGB', workers }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Err);
      expect(String(err)).toMatch(message);
    }
    const missing = await imreadBatch([PNGS[0], '/nonexistent/x.png'], { workers }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'ERR_IMARRAY_FILE', syscall: 'ENOENT', message: expect.stringMatching(/image 1 \(\/nonexistent\/x\.png\)/) as unknown });
  });
});

describe('imreadBatch order', () => {
  it('order: RGB files of an RGB batch are decoded in that order by the codec (spied on the main thread)', async () => {
    const spy = vi.spyOn(Image.prototype, '_decodeReordered');
    try {
      const rgb = PNGS.filter((f) => /bas[ni]2c08/.test(f));
      expect(rgb.length).toBe(2);
      await imreadBatch(rgb, { mode: 'RGB', order: 'BGR', workers: 0 }); // the spy sees this thread only
      expect(spy).toHaveBeenCalledTimes(2);
      for (const r of spy.mock.results) expect(await r.value).toBeDefined();
    } finally {
      spy.mockRestore();
    }
  });
});

describe('imreadBatch arguments', () => {
  it('an empty batch needs size and mode', async () => {
    const x = await imreadBatch([], { size: [4, 3], mode: 'RGB' });
    expect(x.shape).toEqual([0, 3, 4, 3]);
    await expect(imreadBatch([])).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('rejects bad options and sources before decoding', async () => {
    const bad: [unknown, object][] = [
      [[42], {}],
      ['x.png', {}],
      [[PNGS[0]], { concurrency: 0 }],
      [[PNGS[0]], { workers: -1 }],
      [[PNGS[0]], { mode: 'RGB8' }],
      [[PNGS[0]], { size: [0, 3] }],
      [[PNGS[0]], { onProgress: 'yes' }],
    ];
    for (const [sources, options] of bad) {
      await expect(imreadBatch(sources as never, options as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
  });
});

describe.each([
  ['worker threads', 2],
  ['main thread', 0],
] as const)('imreadBatch with toArray options on %s', (_name, workers) => {
  // images of several sizes: PngSuite's 32x32 files and its odd-sized s*n3p* files
  const mixed = [...PNGS.slice(0, 6), ...readdirSync(SUITE).filter((f) => /^s\d\dn3p02\.png$/.test(f)).sort().map((f) => `${SUITE}/${f}`)];
  const o = { mode: 'RGB', resize: { size: [24, 20], resample: 'bilinear' }, layout: 'CHW', dtype: 'float32', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } as const;
  it('resize + CHW float32 normalised: [N, C, H, W], each slot toArray of its image', async () => {
    const x = await imreadBatch(mixed, { ...o, workers });
    expect(x.shape).toEqual([mixed.length, 3, 20, 24]);
    expect(x.data).toBeInstanceOf(Float32Array);
    const per = 3 * 20 * 24;
    for (let i = 0; i < mixed.length; i++) {
      const img = await (await open(mixed[i] ?? '')).load();
      const { mode, ...rest } = o;
      expect(Array.from(x.data.subarray(i * per, (i + 1) * per)), mixed[i]).toEqual(Array.from(toArray(img, { ...rest, mode }).data));
    }
  });
  it('crop after resize, BGR order', async () => {
    const x = await imreadBatch(mixed, { mode: 'RGB', order: 'BGR', resize: [30, 30], crop: [3, 3, 27, 27], workers });
    expect(x.shape).toEqual([mixed.length, 24, 24, 3]);
    const img = await (await open(mixed[7] ?? '')).load();
    expect(Array.from(x.data.subarray(7 * 24 * 24 * 3, 8 * 24 * 24 * 3))).toEqual(Array.from(toArray(img, { mode: 'RGB', order: 'BGR', resize: [30, 30], crop: [3, 3, 27, 27] }).data));
  });
});

describe('imreadBatch options', () => {
  it('images of other sizes without resize: a typed error that says how to resize', async () => {
    const odd = readdirSync(SUITE).filter((f) => /^s0[1-3]n3p01\.png$/.test(f)).map((f) => `${SUITE}/${f}`);
    await expect(imreadBatch([PNGS[0] ?? '', ...odd], { workers: 0 })).rejects.toThrow(/options\.resize/);
  });
  it('unknown keys and size with resize are InvalidArgumentErrors', async () => {
    await expect(imreadBatch(PNGS, { layuot: 'CHW' } as never)).rejects.toThrow(/unknown option "layuot"/);
    await expect(imreadBatch(PNGS, { size: [32, 32], resize: [16, 16] })).rejects.toThrow(InvalidArgumentError);
  });
});

describe.each([
  ['worker threads', 2],
  ['main thread', 0],
] as const)('imreadBatch skipBad on %s', (_name, workers) => {
  it('leaves unreadable images zero, reports each with its typed error, and fills the rest', async () => {
    const bad = Uint8Array.from(readFileSync(PNGS[1] ?? '').subarray(0, 60)); // a cut PNG
    const list = [fixture('jpeg/hopper.jpg').replace('hopper.jpg', 'no-such-file.png'), PNGS[0] ?? '', bad, PNGS[2] ?? ''];
    const skipped: { index: number; code: unknown }[] = [];
    const x = await imreadBatch(list, { mode: 'RGB', workers, skipBad: true, onSkip: ({ index, error }) => skipped.push({ index, code: (error as { code?: unknown }).code }) });
    expect(x.shape).toEqual([4, 32, 32, 3]);
    expect(skipped.sort((a, b) => a.index - b.index)).toEqual([{ index: 0, code: 'ERR_IMARRAY_FILE' }, { index: 2, code: 'ERR_IMARRAY_TRUNCATED' }]);
    const per = 32 * 32 * 3;
    expect(x.data.subarray(0, per).every((v) => v === 0)).toBe(true);
    expect(x.data.subarray(2 * per, 3 * per).every((v) => v === 0)).toBe(true);
    expect(Array.from(x.data.subarray(per, 2 * per))).toEqual(await alone(PNGS[0] ?? '', 'RGB'));
    expect(Array.from(x.data.subarray(3 * per, 4 * per))).toEqual(await alone(PNGS[2] ?? '', 'RGB'));
  });
});
