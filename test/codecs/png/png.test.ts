/**
 * The streaming PNG decoder (every PngSuite file against Pillow is test/conformance/):
 * block-size invariance, stream inputs, truncation, APNG composition,
 * P conversions, limits before allocation, and lossless round trips through libpng (sharp)
 * for filter mixes and sizes PngSuite lacks.
 */
import { readFileSync, createReadStream } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { open, toArray, DecompressionBombError, EndOfSequenceError, type Image } from '../../../src/index.js';
import { PILLOW_94, EXTRA, fixture, sha256, type PillowOk } from '../../helpers/fixtures.js';

const SUITE = PILLOW_94.filter((e) => e.name.startsWith('pngsuite/'));

async function* blocksOf(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield await Promise.resolve(bytes.subarray(i, Math.min(i + size, bytes.length)));
}

/** Pillow 9.4 gave 16-bit grey as mode I (int32); current Pillow gives I;16 (uint16). */
function arrayHashAs94(img: Image, data: ArrayBufferView & ArrayLike<number>): string {
  if (img.mode === 'I;16') return sha256(Int32Array.from(data));
  return sha256(data);
}

describe('push decoding', () => {
  const files = ['basn6a08', 'basi6a16', 'basn0g01', 'basi3p04', 'basn0g16', 'ctzn0g04', 'f04n2c08', 'z09n2c08', 'tbbn3p08'];
  it('gives identical pixels and info for 1-byte, 7-byte, 64 KB and whole-file blocks', async () => {
    for (const f of files) {
      const bytes = readFileSync(fixture(`png/pngsuite/${f}.png`));
      const want = await (await open(bytes)).load();
      const wantHash = sha256(toArray(want).data);
      for (const size of [1, 7, 65536, bytes.length]) {
        const img = await (await open(blocksOf(bytes, size))).load();
        expect(sha256(toArray(img).data), `${f} @${size}`).toBe(wantHash);
        expect(img.info, `${f} @${size}`).toEqual(want.info);
      }
    }
  });

  it('decodes from a file Readable as the bytes arrive', async () => {
    const img = await (await open(createReadStream(fixture('png/pngsuite/basi6a08.png'), { highWaterMark: 100 }))).load();
    const ref = SUITE.find((e) => e.name === 'pngsuite/basi6a08.png')?.pillow as PillowOk;
    expect(sha256(toArray(img).data)).toBe(ref.array.sha256);
  });
});

/** Encodes `px` with libpng (sharp) so we can check lossless decoding of real filter mixes. */
async function libpngRoundTrip(
  width: number,
  height: number,
  channels: 1 | 2 | 3 | 4,
  opts: { progressive?: boolean; sixteen?: boolean; palette?: boolean },
): Promise<{ file: Buffer; px: Uint8Array | Uint16Array }> {
  const n = width * height * channels;
  const px = opts.sixteen ? new Uint16Array(n) : new Uint8Array(n);
  let seed = 7;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    const smooth = ((i % (width * channels)) * 3 + Math.floor(i / (width * channels)) * 5) & 255;
    const v = (smooth + ((seed >>> 24) & 7)) & 255;
    px[i] = opts.sixteen ? v * 257 + ((seed >>> 8) & 255) : v;
  }
  let s = sharp(px, { raw: { width, height, channels } });
  if (opts.sixteen) s = s.toColourspace(channels >= 3 ? 'rgb16' : 'grey16');
  else if (channels <= 2) s = s.toColourspace('b-w');
  const file = await s.png({ progressive: opts.progressive ?? false, adaptiveFiltering: true, compressionLevel: 6 }).toBuffer();
  return { file, px };
}

describe('lossless round trips through libpng', () => {
  const cases: [string, 1 | 2 | 3 | 4, { progressive?: boolean; sixteen?: boolean }][] = [
    ['RGB 8-bit, adaptive filters', 3, {}],
    ['RGBA 8-bit, adaptive filters', 4, {}],
    ['L 8-bit', 1, {}],
    ['RGB 8-bit Adam7', 3, { progressive: true }],
    ['RGBA 8-bit Adam7', 4, { progressive: true }],
    ['16-bit grey', 1, { sixteen: true }],
    ['16-bit grey Adam7', 1, { sixteen: true, progressive: true }],
    ['16-bit RGB', 3, { sixteen: true }],
  ];
  for (const [label, channels, opts] of cases) {
    it(`${label}: pixels come back exactly (16-bit colour as Pillow's high byte)`, async () => {
      const { file, px } = await libpngRoundTrip(301, 97, channels, opts);
      const img = await (await open(file)).load();
      const got = toArray(img).data;
      if (opts.sixteen && channels === 1) {
        expect(img.mode).toBe('I;16');
        expect(Array.from(got)).toEqual(Array.from(px));
      } else if (opts.sixteen) {
        expect(img.mode).toBe('RGB');
        expect(Array.from(got)).toEqual(Array.from(px, (v) => v >> 8));
      } else {
        expect(sha256(got)).toBe(sha256(px));
      }
      expect(img.info.interlace).toBe(opts.progressive ? 1 : undefined);
    });
  }
});

describe('truncated and broken data', () => {
  const cut = (name: string, frac: number): Buffer => {
    const b = readFileSync(fixture(name));
    return b.subarray(0, Math.floor(b.length * frac));
  };

  it('raises TruncatedImageError at load for data cut inside IDAT', async () => {
    for (const name of ['png/pngsuite/basn6a08.png', 'png/pngsuite/basi6a08.png', 'png/pngsuite/basn0g16.png']) {
      const img = await open(cut(name, 0.6));
      await expect(img.load(), name).rejects.toMatchObject({ code: 'ERR_IMARRAY_TRUNCATED' });
    }
  });

  it('gives Pillow\'s LOAD_TRUNCATED_IMAGES image with loadTruncated (missing rows 0)', async () => {
    const names = Object.keys(EXTRA).filter((k) => k.startsWith('load_truncated:extra/') && k.endsWith('.png'));
    expect(names.length).toBe(4);
    for (const key of names) {
      const name = key.slice('load_truncated:'.length);
      const img = await (await open(fixture(name), { loadTruncated: true })).load();
      expect(arrayHashAs94(img, toArray(img).data), name).toBe(EXTRA[key]?.sha256);
    }
  });

  it('raises DecodeError for corrupt zlib data', async () => {
    const b = Buffer.from(readFileSync(fixture('png/pngsuite/basn2c08.png')));
    const idat = b.indexOf('IDAT');
    for (let i = idat + 10; i < idat + 40; i++) b[i] ^= 0x5a;
    const img = await open(b);
    await expect(img.load()).rejects.toMatchObject({ code: 'ERR_IMARRAY_DECODE' });
  });

  // Found by the fuzzer (fixtures/fuzz): both used to leave load() pending forever.
  it('refuses a zero width or height in IHDR at open, as Pillow (unidentified)', async () => {
    await expect(open(fixture('fuzz/ihdr_height0.png'))).rejects.toMatchObject({ code: 'ERR_IMARRAY_UNIDENTIFIED' });
  });

  it('raises the frame-sequence error for a broken fdAT sequence number before any data reached zlib', async () => {
    const img = await open(fixture('fuzz/apng_fdat_sequence_before_data.png'));
    await img.load();
    await img.seek(1);
    await expect(img.load()).rejects.toMatchObject({ code: 'ERR_IMARRAY_DECODE', message: expect.stringMatching(/sequence/) as unknown });
  });

  it('fails the load of an APNG frame with an empty fcTL box and of every later frame, as Pillow (ValueError)', async () => {
    const img = await open(fixture('fuzz/apng_frame1_height0.png'));
    await img.load();
    for (const i of [1, 2, 3]) {
      await img.seek(i);
      await expect(img.load()).rejects.toMatchObject({ code: 'ERR_IMARRAY_DECODE' });
    }
  });

  it('checks limits from IHDR before allocating: a 100000x100000 header with 100 bytes of data', async () => {
    const b = Buffer.from(readFileSync(fixture('png/pngsuite/basn0g08.png')).subarray(0, 100));
    b.writeUInt32BE(100000, 16);
    b.writeUInt32BE(100000, 20);
    const { crc32 } = await import('node:zlib');
    b.writeUInt32BE(crc32(b.subarray(12, 29)), 29);
    const before = process.memoryUsage().arrayBuffers;
    const err: unknown = await open(b).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DecompressionBombError);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
    // with the limit off, open still allocates nothing; load would need 10 GB
    const img = await open(b, { maxImagePixels: null });
    expect(img.size).toEqual([100000, 100000]);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
  });
});

describe('APNG', () => {
  const keys = Object.keys(EXTRA).filter((k) => k.startsWith('apng:'));
  it('has Pillow references for every disposal x blend x mode case', () => {
    expect(keys.length).toBe(35);
  });
  for (const key of keys) {
    const name = key.slice('apng:'.length);
    it(`${name}: every frame composited as Pillow does`, async () => {
      const ref = EXTRA[key] as unknown as {
        n_frames: number;
        frames: { sha256: string; mode: string; info: Record<string, unknown> }[];
        reseek1: string;
      };
      const img = await open(fixture(name));
      expect(img.nFrames).toBe(ref.n_frames);
      expect(img.isAnimated).toBe(true);
      for (let i = 0; i < ref.n_frames; i++) {
        await img.seek(i);
        expect(img.tell()).toBe(i);
        await img.load();
        expect(sha256(toArray(img).data), `${name} frame ${i}`).toBe(ref.frames[i].sha256);
        for (const [k, v] of Object.entries(ref.frames[i].info)) expect(img.info[k], `${name} frame ${i} ${k}`).toEqual(v);
      }
      await expect(img.seek(ref.n_frames)).rejects.toBeInstanceOf(EndOfSequenceError);
      await img.seek(1);
      await img.load();
      expect(sha256(toArray(img).data), `${name} back to frame 1`).toBe(ref.reseek1);
    });
  }

  it('keeps an earlier frame\'s array intact when moving on', async () => {
    const img = await open(fixture('extra/apng_RGBA_d1_b1.png'));
    await img.load();
    const frame0 = toArray(img, { copy: false });
    const h0 = sha256(frame0.data);
    await img.seek(2);
    await img.load();
    expect(sha256(frame0.data)).toBe(h0);
  });
});

describe('P conversions', () => {
  const keys = Object.keys(EXTRA).filter((k) => k.startsWith('convert:RGB:png/'));
  it('covers every palette file of PngSuite', () => {
    expect(keys.length).toBeGreaterThan(20);
  });
  for (const key of keys) {
    const name = key.slice('convert:RGB:'.length);
    it(`${name}: convert('RGB') and convert('RGBA') equal Pillow`, async () => {
      const img = await open(fixture(name));
      expect(img.mode).toBe('P');
      expect(img.palette?.mode).toBe('RGB');
      const rgb = await img.convert('RGB');
      expect(sha256(toArray(rgb).data)).toBe(EXTRA[key]?.sha256);
      const rgba = await img.convert('RGBA');
      expect(sha256(toArray(rgba).data)).toBe(EXTRA[`convert:RGBA:${name}`]?.sha256);
    });
  }
});
