/**
 * PSD layers (Pillow's seek(1..n)) beyond the composite conformance (test/conformance): every
 * layer of the PSD fixtures against Pillow's (fixtures/psd-layers-reference.json, made by
 * scripts/make-psd-layer-references.py in the order Pillow was driven: open, load the
 * composite, seek, load), with loadTruncated too; Pillow's frame numbering; typed errors.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { open, toArray, DecodeError, EndOfSequenceError, ImarrayError, type Image } from '../../../src/index.js';
import { fixture } from '../../helpers/fixtures.js';

interface Frame { frame: number; mode?: string; shape?: number[]; sha256?: string; error?: string; message?: string }
interface Entry { n_frames?: number; open_error?: string; frames?: Frame[]; frames_truncated?: Frame[] }
const refs = (JSON.parse(readFileSync(fixture('psd-layers-reference.json'), 'utf8')) as { files: Record<string, Entry> }).files;

const sha = (img: Image): string => {
  const a = toArray(img, { copy: false });
  return createHash('sha256').update(new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength)).digest('hex');
};

/** Pillow's own errors for these layers, as imarray's codes. */
const CODES: Record<string, string> = {
  OSError: 'ERR_IMARRAY_TRUNCATED', // "image file is truncated"
  ValueError: 'ERR_IMARRAY_DECODE', // "tile cannot extend outside image"
  OverflowError: 'ERR_IMARRAY_DECODE', // 9.4 reads box corners unsigned; current Pillow's signed ones fail as ValueError
};

async function frameOf(file: string, i: number, loadTruncated: boolean): Promise<Image> {
  const img = await open(fixture(file), { loadTruncated });
  await img.load().catch(() => undefined); // the composite first, as the references were made
  if (i === 1) await img.seek(2);
  await img.seek(i);
  return img.load();
}

describe('PSD layers equal Pillow', () => {
  for (const [file, ref] of Object.entries(refs)) {
    if (ref.open_error !== undefined || (ref.n_frames ?? 0) < 2) continue;
    for (const loadTruncated of [false, true]) {
      const frames = (loadTruncated ? ref.frames_truncated : ref.frames) ?? [];
      it(`${file}${loadTruncated ? ' with loadTruncated' : ''}: layers ${frames.map((f) => f.frame).join(', ')}`, async () => {
        for (const want of frames) {
          const got = frameOf(file, want.frame, loadTruncated);
          if (want.error !== undefined) {
            await expect(got, `${file} layer ${want.frame}: Pillow raises ${want.error}`).rejects.toMatchObject({ code: CODES[want.error] });
            continue;
          }
          const img = await got;
          expect([img.tell(), img.mode, toArray(img, { copy: false }).shape], `${file} layer ${want.frame}`).toEqual([want.frame, want.mode, want.shape]);
          expect(sha(img), `${file} layer ${want.frame}`).toBe(want.sha256);
          await img.close();
        }
      });
    }
  }
});

describe("PSD frames: Pillow's numbering", () => {
  it('frame 1 is the composite until another is sought; 0 and n + 1 are outside the sequence', async () => {
    const img = await open(fixture('psd/hopper.psd'));
    expect([img.firstFrame, img.tell(), img.nFrames, img.isAnimated]).toEqual([1, 1, 2, true]);
    const composite = sha(await img.load());
    await img.seek(1);
    expect(sha(await img.load())).toBe(composite);
    await expect(img.seek(0)).rejects.toBeInstanceOf(EndOfSequenceError);
    await expect(img.seek(3)).rejects.toBeInstanceOf(EndOfSequenceError);
    await img.seek(2);
    await img.seek(1);
    expect(img.tell()).toBe(1);
    expect(sha(await img.load())).not.toBe(composite);
    await img.close();
  });
  it('a layer outside the canvas is a DecodeError naming its box; the file stays usable', async () => {
    for (const file of ['psd/psd-oob-write-x.psd', 'psd/psd-oob-write-y.psd', 'psd/psd-oob-write.psd', 'psd/psd-oob-write-overflow.psd']) {
      const img = await open(fixture(file));
      await img.load();
      await img.seek(2);
      const err: unknown = await img.load().then(() => undefined, (e: unknown) => e);
      expect(err, file).toBeInstanceOf(DecodeError);
      expect((err as Error).message, file).toMatch(/tile cannot extend outside image: PSD layer .* box \(/);
      await img.close();
    }
    // the failed layer leaves the image usable: its layer 1 (inside the canvas) loads
    const img = await open(fixture('psd/psd-oob-write-x.psd'));
    await img.seek(2);
    await expect(img.load()).rejects.toBeInstanceOf(ImarrayError);
    await img.seek(1);
    await img.load();
    expect([img.tell(), img.mode, img.loaded]).toEqual([1, 'RGB', true]);
    await img.close();
  });
});
