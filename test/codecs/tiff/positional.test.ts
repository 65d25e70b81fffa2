/**
 * TIFF files too big to read whole (over 4 MB): the directories and each compressed strip or tile
 * are read where they lie (core/input.ts PositionalBytes), so a decode never holds the file. The
 * files here are fixtures with their pixel data moved behind 5 MB of padding (the offsets
 * rewritten): each must decode to the same array as the fixture itself, through every path
 * (LZW, Deflate, PackBits, tiles, planes, uncompressed, sharp's JPEG, multipage), and a large
 * file cut inside its pixel data fails or loads truncated as a small one does.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, toArray, TruncatedImageError } from '../../../src/index.js';
import { Input, PositionalBytes } from '../../../src/core/input.js';
import { readHeader, walkChain } from '../../../src/codecs/tiff/ifd.js';
import { fixture, sha256 } from '../../helpers/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'imarray-tiff-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const PAD = 5 * 2 ** 20;
const STRIP_OFFSETS = 273;
const STRIP_COUNTS = 279;
const TILE_OFFSETS = 324;
const TILE_COUNTS = 325;

/**
 * The fixture with every page's strips or tiles copied behind PAD bytes and its offsets entries
 * pointing there (rewritten in place: the entries' data are views of the file's bytes).
 */
function relocated(name: string): string {
  const bytes = new Uint8Array(readFileSync(fixture(name)));
  const th = readHeader(bytes);
  if (th === undefined) throw new Error(`${name}: not a TIFF`);
  const moved: Uint8Array[] = [];
  let at = bytes.length + PAD;
  for (const ifd of walkChain(bytes, th, 100)) {
    const tiled = ifd.has(TILE_OFFSETS);
    const offsets = ifd.numbers(tiled ? TILE_OFFSETS : STRIP_OFFSETS) ?? [];
    const counts = ifd.numbers(tiled ? TILE_COUNTS : STRIP_COUNTS) ?? [];
    const entry = ifd.entries.get(tiled ? TILE_OFFSETS : STRIP_OFFSETS);
    if (entry === undefined) continue;
    const v = new DataView(entry.data.buffer, entry.data.byteOffset, entry.data.length);
    offsets.forEach((o, i) => {
      const piece = bytes.slice(o, o + counts[i]);
      moved.push(piece);
      if (entry.type === 3) v.setUint16(i * 2, at, th.littleEndian);
      else v.setUint32(i * 4, at, th.littleEndian);
      at += piece.length;
    });
    if (entry.type === 3 && at > 0xffff) throw new Error(`${name}: SHORT offsets cannot be moved`);
  }
  const out = join(dir, name.replace(/\//g, '_'));
  const file = new Uint8Array(at);
  file.set(bytes);
  let p = bytes.length + PAD;
  for (const piece of moved) {
    file.set(piece, p);
    p += piece.length;
  }
  writeFileSync(out, file);
  return out;
}

async function pages(src: string | Uint8Array): Promise<string[]> {
  const img = await open(src);
  const hashes: string[] = [];
  for (let i = 0; i < img.nFrames; i++) {
    await img.seek(i);
    hashes.push(await img.load().then((im) => sha256(toArray(im).data), (e: unknown) => `error ${(e as Error).constructor.name}`));
  }
  await img.close();
  return hashes;
}

const FILES = [
  'tiff/current_tiff_rgb_tiff_lzw.tif',
  'tiff/current_tiff_rgba_tiff_adobe_deflate.tif',
  'tiff/current_tiff_l_packbits.tif',
  'tiff/tiff_strip_planar_lzw.tiff',
  'tiff/16bit.deflate.tif',
  'tiff/current_tiff_rgb_raw.tif',
  'tiff/current_tiff_rgb_jpeg.tif',
  'tiff/multipage.tiff',
  'tiff/hopper_lzma.tif',
];

describe('TIFF: a large file is read where its strips lie', () => {
  it('the reader reads only what is asked for, from the prefix where it holds it', () => {
    const path = relocated('tiff/current_tiff_rgb_tiff_lzw.tif');
    const input = Input.from(path);
    const p = input.positional();
    expect(p).toBeInstanceOf(PositionalBytes);
    const whole = readFileSync(path);
    expect(p!.length).toBe(whole.length);
    const end = whole.length;
    for (const [a, b] of [[0, 16], [end - 100, end], [end - 10, end + 50], [PAD, PAD + 70_000]]) {
      expect(Buffer.compare(p!.subarray(a, b), whole.subarray(a, b)), `${a}-${b}`).toBe(0);
      expect(Buffer.compare(p!.transient(a, b), whole.subarray(a, b)), `${a}-${b}`).toBe(0);
    }
    p!.release();
    // small files and bytes are read whole as before
    expect(Input.from(fixture('tiff/current_tiff_rgb_tiff_lzw.tif')).positional()).toBeUndefined();
    expect(Input.from(whole).positional()).toBeUndefined();
  });
  for (const name of FILES) {
    it(`${name} moved behind 5 MB decodes as the fixture does`, async () => {
      const path = relocated(name);
      const want = await pages(fixture(name));
      expect(want.some((h) => !h.startsWith('error'))).toBe(true);
      expect(await pages(path)).toEqual(want);
    });
  }
  it('cut inside the moved strips: TruncatedImageError, or the strips that are there with loadTruncated', async () => {
    const path = relocated('tiff/current_tiff_rgb_tiff_lzw.tif');
    const whole = readFileSync(path);
    const small = readFileSync(fixture('tiff/current_tiff_rgb_tiff_lzw.tif'));
    const cutPath = join(dir, 'cut.tif');
    writeFileSync(cutPath, whole.subarray(0, small.length + PAD + Math.floor((whole.length - small.length - PAD) / 2)));
    await expect((await open(cutPath)).load()).rejects.toBeInstanceOf(TruncatedImageError);
    const part = toArray(await (await open(cutPath, { loadTruncated: true })).load());
    const full = toArray(await (await open(path)).load());
    expect(part.shape).toEqual(full.shape);
    // the first rows are there, the last are not
    expect(Buffer.compare(Buffer.from(part.data.subarray(0, 300)), Buffer.from(full.data.subarray(0, 300)))).toBe(0);
    expect(Buffer.compare(Buffer.from(part.data), Buffer.from(full.data))).not.toBe(0);
  });
});
