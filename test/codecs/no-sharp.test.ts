/**
 * sharp's native binary failing to load (a platform without a prebuilt, a broken install),
 * simulated by making `import('sharp')` throw: JPEG falls back to the wasm back-end with the
 * same results, still WebP to libwebp in WebAssembly, `backend: 'sharp'` says why it cannot
 * run, PNG is unaffected.
 */
import { describe, expect, it, vi } from 'vitest';
import { open, toArray, sharpAvailable, UnsupportedError } from '../../src/index.js';
import { PILLOW_94, PILLOW_CURRENT, fixture, sha256 } from '../helpers/fixtures.js';

vi.mock('sharp', () => {
  throw new Error('Could not load the "sharp" module using the linux-x64 runtime (simulated)');
});

const ref = (name: string): string => {
  const p = PILLOW_94.find((e) => e.name === name)?.pillow;
  if (p?.ok !== true) throw new Error(`no reference for ${name}`);
  return p.array.sha256_u8 ?? p.array.sha256;
};

describe('without sharp', () => {
  it('reports sharp unavailable', async () => {
    expect(await sharpAvailable()).toBe(false);
  });

  it('decodes JPEG through the wasm back-end by default, equal to Pillow', async () => {
    for (const name of ['jpeg/hopper.jpg', 'jpeg/hopper_gray.jpg', 'jpeg/flower.jpg']) {
      const img = await (await open(fixture(name))).load();
      expect(sha256(toArray(img).data), name).toBe(ref(name));
    }
  });

  it("refuses backend: 'sharp' with UnsupportedError carrying the load failure", async () => {
    const img = await open(fixture('jpeg/hopper.jpg'), { backend: 'sharp' });
    const err: unknown = await img.load().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedError);
    expect((err as Error).message).toMatch(/sharp cannot load/);
    expect((err as Error).cause).toBeInstanceOf(Error); // the import failure, kept for the user
  });

  it('decodes still WebP through the wasm back-end, equal to Pillow 12.3; animated WebP says it needs sharp', async () => {
    for (const name of ['webp/hopper.webp', 'webp/transparent.webp', 'webp/webp_rgba_q80.webp']) {
      const want = PILLOW_CURRENT.find((e) => e.fixture === name)?.pillow;
      if (want?.ok !== true) throw new Error(`no reference for ${name}`);
      const img = await (await open(fixture(name))).load();
      expect(sha256(toArray(img).data), name).toBe(want.array.sha256);
    }
    const anim = await open(fixture('webp/webp_anim.webp'));
    await expect(anim.load()).rejects.toThrow(UnsupportedError);
  });

  it('decodes PNG as before (own decoder)', async () => {
    const img = await (await open(fixture('png/pngsuite/basn6a08.png'))).load();
    expect(sha256(toArray(img).data)).toBe(ref('pngsuite/basn6a08.png'));
  });
});
