/** The public API: sources, lazy open, toArray semantics, errors, limits. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  open,
  imread,
  toArray,
  isReadonly,
  fromStorage,
  convert,
  MODES,
  shapeOf,
  setMaxImagePixels,
  getMaxImagePixels,
  DEFAULT_MAX_IMAGE_PIXELS,
  ImarrayError,
  UnidentifiedImageError,
  DecompressionBombError,
  InvalidArgumentError,
  ImageNotLoadedError,
  type Image,
  type NdArray,
} from '../../src/index.js';
import { fixture, sha256 } from '../helpers/fixtures.js';

const HOPPER = fixture('jpeg/hopper.jpg');
const hopperBytes = (): Buffer => readFileSync(HOPPER);
const digest = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function loaded(src: Parameters<typeof open>[0]): Promise<Image> {
  return (await open(src)).load();
}

describe('open() sources', () => {
  it('gives identical pixels from a path, URL, Buffer, Uint8Array, ArrayBuffer, Readable and async iterable', async () => {
    const bytes = hopperBytes();
    const want = sha256(toArray(await loaded(HOPPER)).data);
    const u8 = new Uint8Array(bytes);
    async function* chunks(): AsyncIterable<Uint8Array> {
      for (let i = 0; i < bytes.length; i += 1000) yield await Promise.resolve(bytes.subarray(i, i + 1000));
    }
    const sources = [
      pathToFileURL(HOPPER),
      bytes,
      u8,
      u8.buffer.slice(u8.byteOffset, u8.byteOffset + u8.byteLength),
      Readable.from([bytes.subarray(0, 7), bytes.subarray(7)]),
      chunks(),
    ];
    for (const src of sources) {
      const img = await loaded(src);
      expect(img.mode).toBe('RGB');
      expect(sha256(toArray(img).data)).toBe(want);
    }
  });

  it('identifies by magic bytes, not by extension', async () => {
    const img = await open(fixture('extra/cmyk_no_adobe.jpg'));
    expect(img.format).toBe('JPEG');
    // a JPEG whose bytes we hand over without any name at all
    expect((await open(hopperBytes())).format).toBe('JPEG');
  });

  it('raises UnidentifiedImageError for unknown, empty and random input', async () => {
    for (const bad of [new Uint8Array(0), Buffer.from('hello world, not an image'), new Uint8Array(100).fill(7)]) {
      const err: unknown = await open(bad).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnidentifiedImageError);
      expect(err).toBeInstanceOf(ImarrayError);
      expect((err as ImarrayError).code).toBe('ERR_IMARRAY_UNIDENTIFIED');
      expect((err as Error).message).toMatch(/cannot identify image file/);
    }
  });

  it('rejects bad arguments with InvalidArgumentError naming the parameter', async () => {
    await expect(open(42 as unknown as string)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(open(42 as unknown as string)).rejects.toThrow(/for source/);
    await expect(open(HOPPER, { loadTruncated: 'yes' as unknown as boolean })).rejects.toThrow(/options.loadTruncated/);
    await expect(open(HOPPER, { maxImagePixels: -1 })).rejects.toMatchObject({ code: 'ERR_IMARRAY_INVALID_ARGUMENT' });
  });

  it('never modifies the caller\'s bytes', async () => {
    const bytes = hopperBytes();
    const before = digest(bytes);
    const img = await loaded(bytes);
    toArray(img).data.fill(0);
    expect(digest(bytes)).toBe(before);
  });

  it('is lazy: open reads the header only, load decodes once', async () => {
    const img = await open(HOPPER);
    expect(img.loaded).toBe(false);
    expect(img.mode).toBe('RGB');
    expect(img.size).toEqual([128, 128]);
    expect(() => toArray(img)).toThrow(ImageNotLoadedError);
    expect(() => toArray(img)).toThrow(/await img\.load\(\)/);
    const [a, b] = await Promise.all([img.load(), img.load()]);
    expect(a).toBe(img);
    expect(b).toBe(img);
    expect(toArray(img, { copy: false }).data).toBe(toArray(await img.load(), { copy: false }).data);
  });
});

describe('toArray()', () => {
  it('copy:false shares the image memory and is read-only, views included', async () => {
    const img = await loaded(HOPPER);
    const a = toArray(img, { copy: false });
    const b = toArray(img, { copy: false });
    expect(a.data).toBe(b.data); // the very same storage, no copy
    expect(isReadonly(a)).toBe(true);
    expect(() => a.set(0, 0, 0, 1)).toThrow(TypeError);
    expect(() => a.set(0, 0, 0, 1)).toThrow('assignment destination is read-only');
    for (const view of [a.lo(1, 1), a.hi(5, 5), a.step(-1), a.transpose(1, 0, 2), a.pick(null, null, 0)]) {
      expect(isReadonly(view)).toBe(true);
      expect(() => view.set(0, 0, 0)).toThrow(TypeError);
    }
    expect(a.get(3, 4, 1)).toBe(a.data[(3 * 128 + 4) * 3 + 1]);
  });

  it('copy:true (default) is owned and writable, equal in value, separate in memory', async () => {
    const img = await loaded(HOPPER);
    const view = toArray(img, { copy: false });
    const owned = toArray(img);
    expect(isReadonly(owned)).toBe(false);
    expect(owned.data).not.toBe(view.data);
    expect(owned.data.buffer).not.toBe(view.data.buffer);
    expect(sha256(owned.data)).toBe(sha256(view.data));
    const old = view.get(0, 0, 0);
    owned.set(0, 0, 0, (old + 1) & 255);
    expect(view.get(0, 0, 0)).toBe(old);
    expect(owned.get(0, 0, 0)).toBe((old + 1) & 255);
  });

  it('has shape [h, w] for one band and [h, w, bands] otherwise, row-major', async () => {
    const gray = await loaded(fixture('jpeg/hopper_gray.jpg'));
    expect(toArray(gray).shape).toEqual([128, 128]);
    expect(toArray(gray).stride).toEqual([128, 1]);
    const rect = await loaded(fixture('jpeg/flower.jpg'));
    expect(toArray(rect).shape).toEqual([360, 480, 3]);
    expect(toArray(rect).stride).toEqual([480 * 3, 3, 1]);
  });

  it('uses the mode table for every mode (typed array, shape)', () => {
    const cases: [keyof typeof MODES, string, number[]][] = [
      ['1', 'Uint8Array', [3, 2]],
      ['L', 'Uint8Array', [3, 2]],
      ['P', 'Uint8Array', [3, 2]],
      ['LA', 'Uint8Array', [3, 2, 2]],
      ['PA', 'Uint8Array', [3, 2, 2]],
      ['RGB', 'Uint8Array', [3, 2, 3]],
      ['YCbCr', 'Uint8Array', [3, 2, 3]],
      ['RGBA', 'Uint8Array', [3, 2, 4]],
      ['RGBX', 'Uint8Array', [3, 2, 4]],
      ['CMYK', 'Uint8Array', [3, 2, 4]],
      ['I;16', 'Uint16Array', [3, 2]],
      ['I', 'Int32Array', [3, 2]],
      ['F', 'Float32Array', [3, 2]],
    ];
    for (const [mode, ctor, shape] of cases) {
      expect(shapeOf(mode, 2, 3)).toEqual(shape);
      const n = shape.reduce((a, b) => a * b, 1);
      const Ctor = { Uint8Array, Uint16Array, Int32Array, Float32Array }[ctor] as new (n: number) => Uint8Array;
      const img = fromStorage(mode, [2, 3], new Ctor(n) as never);
      const a = toArray(img);
      expect(a.shape, mode).toEqual(shape);
      expect(a.data.constructor.name, mode).toBe(ctor);
    }
  });

  it('types the array by mode where it is known statically', async () => {
    const img = await loaded(HOPPER);
    if (img.hasMode('RGB')) expectTypeOf(toArray(img).data).toEqualTypeOf<Uint8Array>();
    const i16 = fromStorage('I;16', [1, 1], new Uint16Array(1));
    expectTypeOf(toArray(i16).data).toEqualTypeOf<Uint16Array>();
    const f = fromStorage('F', [1, 1], new Float32Array(1));
    expectTypeOf(toArray(f)).toEqualTypeOf<NdArray<Float32Array>>();
    expect(toArray(f).dtype).toBe('float32');
  });
});

describe('imread()', () => {
  it('returns an owned writable array equal to open+load+toArray', async () => {
    const a = await imread(HOPPER);
    expect(isReadonly(a)).toBe(false);
    expect(a.shape).toEqual([128, 128, 3]);
    expect(sha256(a.data)).toBe(sha256(toArray(await loaded(HOPPER)).data));
    a.set(0, 0, 0, 7);
    expect(a.get(0, 0, 0)).toBe(7);
  });
});

/** hopper.jpg with its SOF0 dimensions rewritten (offset 199: FF C0 len P H H W W). */
function withSize(width: number, height: number): Buffer {
  const b = Buffer.from(hopperBytes());
  expect(b[199]).toBe(0xff);
  expect(b[200]).toBe(0xc0);
  b.writeUInt16BE(height, 204);
  b.writeUInt16BE(width, 206);
  return b;
}

describe('decompression bomb guard', () => {
  it('uses Pillow\'s default limit', () => {
    expect(DEFAULT_MAX_IMAGE_PIXELS).toBe(89_478_485);
    expect(getMaxImagePixels()).toBe(DEFAULT_MAX_IMAGE_PIXELS);
  });

  it('throws DecompressionBombError from open() above twice the limit, before decoding', async () => {
    const err: unknown = await open(withSize(20000, 10000)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecompressionBombError);
    expect((err as DecompressionBombError).code).toBe('ERR_IMARRAY_DECOMPRESSION_BOMB');
    expect((err as DecompressionBombError).pixels).toBe(200_000_000);
    expect((err as Error).message).toMatch(/200000000 pixels.*178956970/);
  });

  it('emits a DecompressionBombWarning above the limit', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w);
    };
    process.on('warning', onWarning);
    try {
      const img = await open(withSize(10000, 10000));
      expect(img.size).toEqual([10000, 10000]);
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.map((w) => w.name)).toContain('DecompressionBombWarning');
  });

  it('records the palette-transparency warning of convert (test/helpers/warnings.ts captures it)', async () => {
    const { recordedWarnings } = await import('../helpers/warnings.js');
    const before = recordedWarnings.length;
    const p = fromStorage('P', [2, 1], Uint8Array.of(0, 1), { transparency: Uint8Array.of(0, 255) }, { mode: 'RGB', colors: new Uint8Array(768) });
    expect(convert(p, 'RGB').mode).toBe('RGB');
    await new Promise((r) => setImmediate(r));
    expect(recordedWarnings.slice(before).map((w) => w.message)).toEqual(['Palette images with Transparency expressed in bytes should be converted to RGBA images']);
  });

  it('is configurable per call and process-wide, and can be turned off', async () => {
    await expect(open(HOPPER, { maxImagePixels: 1000 })).rejects.toBeInstanceOf(DecompressionBombError);
    setMaxImagePixels(1000);
    try {
      await expect(open(HOPPER)).rejects.toBeInstanceOf(DecompressionBombError);
      expect((await open(HOPPER, { maxImagePixels: null })).size).toEqual([128, 128]);
    } finally {
      setMaxImagePixels(DEFAULT_MAX_IMAGE_PIXELS);
    }
    expect(() => { setMaxImagePixels(0); }).toThrow(InvalidArgumentError);
  });
});

describe('filesystem failures are typed, naming the path', () => {
  it('a missing file, a directory', async () => {
    const { FileError } = await import('../../src/index.js');
    for (const [path, sys] of [[fixture('png/pngsuite/no-such-file.png'), 'ENOENT'], [fixture('png/pngsuite'), 'EISDIR']] as const) {
      const err: unknown = await open(path).catch((e: unknown) => e);
      expect(err, path).toBeInstanceOf(FileError);
      expect((err as InstanceType<typeof FileError>).code).toBe('ERR_IMARRAY_FILE');
      expect((err as InstanceType<typeof FileError>).syscall).toBe(sys);
      expect((err as Error).message).toContain(path);
      expect((err as Error).cause).toBeInstanceOf(Error);
      await expect(imread(path)).rejects.toBeInstanceOf(FileError);
    }
  });
});

describe("Pillow's spellings are aliases of the camelCase names", () => {
  it('tobytes, frombuffer, fromarray, getbands; save/encode take Pillow format names', async () => {
    const m = await import('../../src/index.js');
    /* eslint-disable @typescript-eslint/no-deprecated -- the aliases are what is tested */
    expect(m.tobytes).toBe(m.toBytes);
    expect(m.frombuffer).toBe(m.fromBuffer);
    expect(m.fromarray).toBe(m.fromArray);
    const img = await (await open(HOPPER)).load();
    expect(img.getbands()).toEqual(img.getBands());
    expect(img.tobytes('BGR')).toEqual(img.toBytes('BGR'));
    /* eslint-enable @typescript-eslint/no-deprecated */
    const png = await img.encode('PNG', { compressionLevel: 1 });
    expect(Buffer.from(png.subarray(1, 4)).toString()).toBe('PNG');
    expect(Buffer.from(await img.encode(img.format ?? 'JPG')).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    await expect(img.encode('png', { compresion: 1 } as never)).rejects.toThrow(/unknown option "compresion"/);
  });
});
