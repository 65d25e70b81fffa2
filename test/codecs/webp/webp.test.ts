/**
 * WebP beyond the pixel conformance (test/conformance): `info` frame by frame against Pillow's
 * (fixtures/webp-info-reference.json, scripts/make-webp-info-references.py), the header read
 * without decoding, BGR straight from the decoder, and typed errors on damaged files.
 */
import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { open, imread, toArray, UnsupportedError, DecompressionBombError, DecodeError, TruncatedImageError, ImarrayError } from '../../../src/index.js';
import { fixture } from '../../helpers/fixtures.js';

interface InfoRef { mode: string; n_frames: number; frames: Record<string, unknown>[] }
const refs = (JSON.parse(readFileSync(fixture('webp-info-reference.json'), 'utf8')) as { files: Record<string, InfoRef> }).files;

const rendered = (v: unknown): unknown =>
  v instanceof Uint8Array ? { len: v.length, sha256: createHash('sha256').update(v).digest('hex') } : v;

describe('WebP info equals Pillow, frame by frame', () => {
  for (const [file, ref] of Object.entries(refs)) {
    it(file, async () => {
      const img = await open(fixture(file));
      expect(img.mode).toBe(ref.mode);
      expect(img.nFrames).toBe(ref.n_frames);
      for (const [i, want] of ref.frames.entries()) {
        await img.seek(i);
        await img.load();
        const got = Object.fromEntries(Object.entries(img.info).map(([k, v]) => [k, rendered(v)]));
        expect(got, `${file} frame ${i}`).toEqual(want);
      }
      await img.close();
    });
  }
});

describe('WebP decoding', () => {
  it('open reads the header only; imread order BGR comes from the decoder', async () => {
    const img = await open(fixture('webp/transparent.webp'));
    expect(img.loaded).toBe(false);
    const rgba = toArray(await img.load());
    const bgra = await imread(fixture('webp/transparent.webp'), { order: 'BGRA' });
    expect(bgra.get(10, 20, 0)).toBe(rgba.get(10, 20, 2));
    expect(bgra.get(10, 20, 3)).toBe(rgba.get(10, 20, 3));
  });
  it("backend 'js' (libwebp in WebAssembly) equals the sharp back-end on every still fixture; animated files need sharp", async () => {
    let stills = 0;
    for (const [file, ref] of Object.entries(refs)) {
      if (ref.n_frames > 1) {
        const anim = await open(fixture(file), { backend: 'js' });
        await expect(anim.load()).rejects.toThrow(UnsupportedError);
        continue;
      }
      const js = await (await open(fixture(file), { backend: 'js' })).load();
      const native = await (await open(fixture(file), { backend: 'sharp' })).load();
      expect(js.mode, file).toBe(native.mode);
      expect(Buffer.compare(Buffer.from(toArray(js).data), Buffer.from(toArray(native).data)), file).toBe(0);
      stills++;
    }
    expect(stills).toBe(19);
    const bgr = await imread(fixture('webp/hopper.webp'), { backend: 'js', order: 'BGR' });
    const rgb = await imread(fixture('webp/hopper.webp'), { backend: 'js' });
    expect([bgr.get(5, 7, 0), bgr.get(5, 7, 2)]).toEqual([rgb.get(5, 7, 2), rgb.get(5, 7, 0)]);
  });
  it('a cut file is a TruncatedImageError at open, naming the chunk', async () => {
    await expect(open(fixture('webp/bad/hopper_cut.webp'))).rejects.toThrow(TruncatedImageError);
  });
  it('a file without an image chunk is a DecodeError', async () => {
    await expect(open(fixture('webp/bad/no_image_chunk.webp'))).rejects.toThrow(DecodeError);
  });
  it('a 100000 x 100000 canvas in 60 bytes is a DecompressionBombError at open', async () => {
    const le = (n: number, bytes: number) => Array.from({ length: bytes }, (_, i) => (n >>> (8 * i)) & 255);
    const chunk = (id: string, body: number[]) => [...Buffer.from(id), ...le(body.length, 4), ...body];
    const body = [...Buffer.from('WEBP'), ...chunk('VP8X', [0x02, 0, 0, 0, ...le(99999, 3), ...le(99999, 3)]), ...chunk('ANIM', [0, 0, 0, 0, 0, 0]), ...chunk('ANMF', new Array<number>(16).fill(0))];
    const file = Uint8Array.from([...Buffer.from('RIFF'), ...le(body.length, 4), ...body]);
    expect(file.length).toBeLessThan(80);
    await expect(open(file)).rejects.toThrow(DecompressionBombError);
  });
  it('a file rewritten between two reads gives the new pixels (no stale decoder cache)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imarray-webp-'));
    for (const [a, b, ext] of [['webp/hopper.webp', 'webp/flower2.webp', 'webp'], ['jpeg/hopper.jpg', 'jpeg/pil_sample_rgb.jpg', 'jpg']] as const) {
      const path = join(dir, `x.${ext}`);
      copyFileSync(fixture(a), path);
      const first = await imread(path);
      copyFileSync(fixture(b), path);
      const second = await imread(path);
      const fresh = await imread(readFileSync(fixture(b)));
      expect(second.shape, ext).toEqual(fresh.shape);
      expect(Buffer.compare(Buffer.from(second.data.buffer, second.data.byteOffset, second.data.byteLength), Buffer.from(fresh.data.buffer, fresh.data.byteOffset, fresh.data.byteLength)), ext).toBe(0);
      expect(first.shape).not.toEqual(second.shape);
    }
  });
  it('a corrupt bitstream fails typed at load', async () => {
    const d = Uint8Array.from(readFileSync(fixture('webp/hopper.webp')));
    for (let i = 40; i < d.length; i += 7) d[i] ^= 0x5a;
    const err: unknown = await open(d).then((img) => img.load()).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ImarrayError);
  });
});
