/**
 * The two JPEG 2000 back-ends against Pillow 12.3, file by file: imarray's OpenJPEG decoder
 * (`backend: 'native'`, src/codecs/jpeg2000/openjpeg.c, Pillow's Jpeg2KDecode.c) must equal
 * Pillow on every fixture, or fail with Pillow's error class; the WebAssembly one (`'js'`) must
 * equal it wherever it decodes and raise UnsupportedError for what its build lacks. Cut files
 * against Pillow's LOAD_TRUNCATED_IMAGES results (scripts/make-jpeg2000-truncated-references.py):
 * the tiles decoded before the failure, the rest zero. The native decoder is in the native kernel
 * where scripts/build-native.mjs found OpenJPEG's source (scripts/fetch-sources.sh; CI: required
 * whenever the source was fetched).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { open, toArray, imreadBatch, backends, ImarrayError, UnsupportedError, TruncatedImageError, type Backend } from '../../../src/index.js';
import { nativeJ2k, type NativeKernel } from '../../../src/kernels/native.js';
import { PILLOW_CURRENT, fixture, sha256 } from '../../helpers/fixtures.js';

const FILES = PILLOW_CURRENT.filter((e) => e.fixture.startsWith('jpeg2000/'));
const j2k = nativeJ2k();
const sourceFetched = existsSync(new URL('../../../.cache/openjpeg/openjpeg2_2.5.0.orig.tar.xz', import.meta.url));
/** What the WebAssembly build does not decode: 4 components. */
const WASM_LACKS = new Set(['jpeg2000/current_j2k_rgba.j2k', 'jpeg2000/current_jp2_rgba_q.jp2', 'jpeg2000/rgb_trns_ycbc.j2k', 'jpeg2000/rgb_trns_ycbc.jp2']);

interface Outcome { ok: true; mode: string; shape: number[]; sha256: string } 
type Result = Outcome | { ok: false; error: unknown };

async function decode(src: string | Uint8Array, backend: Backend, loadTruncated = false): Promise<Result> {
  try {
    const img = await (await open(src, { backend, loadTruncated })).load();
    const a = toArray(img, { copy: false });
    return { ok: true, mode: img.mode, shape: a.shape, sha256: sha256(a.data) };
  } catch (error) {
    return { ok: false, error };
  }
}

describe('the native JPEG 2000 decoder is there where it is required', () => {
  it(`native kernel with OpenJPEG: ${j2k === null ? 'absent' : j2k.version}`, async () => {
    if (process.env.IMARRAY_NATIVE_REQUIRED === '1' && sourceFetched) expect(j2k?.version).toMatch(/^2\.\d+\.\d+$/);
    const b = await backends();
    expect(b.formats.find((f) => f.format === 'JPEG2000')?.auto).toBe(j2k !== null ? 'native' : 'js');
    if (j2k === null) await expect(decode(fixture('jpeg2000/current_j2k_l.j2k'), 'native').then((r) => (r.ok ? 'ok' : r.error))).resolves.toBeInstanceOf(UnsupportedError);
  });
});

for (const backend of (j2k === null ? ['js'] : ['native', 'js']) as Backend[]) {
  describe(`backend '${backend}' against Pillow 12.3`, () => {
    for (const entry of FILES) {
      const p = entry.pillow;
      it(`${entry.fixture}: ${p.ok ? `${p.mode} ${p.size.join('x')}` : `${p.error} at ${p.stage}`}`, async () => {
        const got = await decode(fixture(entry.fixture), backend);
        if (backend === 'js' && WASM_LACKS.has(entry.fixture)) {
          expect(got.ok ? 'ok' : got.error).toBeInstanceOf(UnsupportedError);
        } else if (p.ok) {
          expect(got.ok ? got : (got.error as Error).message).toEqual({ ok: true, mode: p.mode, shape: p.array.shape, sha256: p.array.sha256_u8 ?? p.array.sha256 });
        } else {
          expect(got.ok).toBe(false);
          const error = got.ok ? undefined : got.error;
          expect(error).toBeInstanceOf(ImarrayError);
          // a codestream that opens but does not decode is Pillow's "broken data stream", or
          // TruncatedImageError where it has no end marker (the file was cut)
          if (p.stage === 'load') expect((error as ImarrayError).code).toBe(entry.fixture === 'jpeg2000/balloon_eciRGBv2_aware.jp2' ? 'ERR_IMARRAY_TRUNCATED' : 'ERR_IMARRAY_DECODE');
        }
      });
    }
  });
}

interface Cut { fixture: string; bytes: number; strict: { ok: boolean; error?: string }; loadTruncated: { ok: boolean; mode?: string; shape?: number[]; sha256?: string } }
const CUTS = (JSON.parse(readFileSync(fixture('jpeg2000-truncated-reference.json'), 'utf8')) as { cases: Cut[] }).cases;

describe.runIf(j2k !== null)("backend 'native': cut files as Pillow's LOAD_TRUNCATED_IMAGES", () => {
  for (const c of CUTS) {
    it(`${c.fixture} cut to ${c.bytes} bytes`, async () => {
      const data = new Uint8Array(readFileSync(fixture(c.fixture))).subarray(0, c.bytes);
      const before = sha256(data);
      const strict = await decode(data, 'native');
      expect(strict.ok).toBe(c.strict.ok);
      // Pillow: "broken data stream"; a cut codestream (no end marker) is TruncatedImageError here
      if (!strict.ok) expect(strict.error).toBeInstanceOf(TruncatedImageError);
      const partial = await decode(data, 'native', true);
      expect(partial).toEqual({ ok: true, mode: c.loadTruncated.mode, shape: c.loadTruncated.shape, sha256: c.loadTruncated.sha256 });
      expect(sha256(data)).toBe(before);
    });
  }
  it('some cut keeps decoded tiles (not all zero), as Pillow does', () => {
    const zeros = new Set(CUTS.filter((c) => c.fixture === 'jpeg2000/test-card-lossy-tiled.jp2').map((c) => c.loadTruncated.sha256));
    expect(zeros.size).toBeGreaterThan(1);
  });
});

describe.runIf(j2k !== null)("backend 'native': its own paths", () => {
  it('decodes into a batch slot, the same as one at a time, on the main thread and on worker threads', async () => {
    const files = ['jpeg2000/current_j2k_rgb.j2k', 'jpeg2000/current_jp2_rgb_q.jp2', 'jpeg2000/current_j2k_rgb.j2k'].map(fixture);
    const one = await Promise.all(files.map(async (f) => (await decode(f, 'native')) as Outcome));
    for (const workers of [0, 2]) {
      const batch = await imreadBatch(files, { workers });
      const per = batch.data.length / files.length;
      files.forEach((f, i) => { expect(sha256(batch.data.subarray(i * per, (i + 1) * per)), `${f} workers ${workers}`).toBe(one[i].sha256); });
    }
  });
  it('checks its arguments before touching memory', () => {
    const src = new Uint8Array(readFileSync(fixture('jpeg2000/current_j2k_l.j2k')));
    const small = new Uint8Array(100);
    const r = j2k!.decodeSync(src, small, 0, 301, 203, 0, 0, 0, 0, 1);
    expect(r).toMatchObject({ ok: false, tiles: 0 });
    expect(r.message).toMatch(/does not fit/);
    expect(small.every((v) => v === 0)).toBe(true);
    expect(() => j2k!.decodeSync(src, small, 0, 301, 203, 0, 8, 0, 0, 1)).toThrow(RangeError);
    expect(() => j2k!.decodeSync(src, small, 101, 1, 1, 0, 0, 0, 0, 1)).toThrow(RangeError);
    expect(() => j2k!.decodeSync(src, small, 0, 1, 1, 0, 0, 0, 0, 0)).toThrow(RangeError);
  });
  it('hostile bytes never crash: every flipped byte of a codestream header decodes or fails typed', async () => {
    const good = new Uint8Array(readFileSync(fixture('jpeg2000/rgb_trns_ycbc.j2k')));
    for (let at = 0; at < Math.min(good.length, 160); at++) {
      for (const value of [0x00, 0xff, good[at] ^ 0x80]) {
        const bad = Uint8Array.from(good);
        bad[at] = value;
        const r = await decode(bad, 'native');
        if (!r.ok) expect(r.error, `byte ${at} = ${value}`).toBeInstanceOf(ImarrayError);
      }
    }
  });
});

describe('the prebuilt kernel the package ships (prebuilds/, npm run native:prebuilds)', () => {
  const here = `${process.platform}-${process.arch}`;
  const path = fileURLToPath(new URL(`../../../prebuilds/${here}/imarray.node`, import.meta.url));
  it(`prebuilds/${here}: has the OpenJPEG decoder where its source was fetched, and decodes as Pillow`, () => {
    if (!existsSync(path)) {
      expect(process.env.IMARRAY_NATIVE_REQUIRED).not.toBe('1');
      return;
    }
    const m = createRequire(import.meta.url)(path) as NativeKernel;
    if (m.j2k === undefined) {
      expect(sourceFetched).toBe(false);
      return;
    }
    let exact = 0;
    for (const entry of FILES) {
      const p = entry.pillow;
      if (!p.ok) continue;
      const [h, w, c = 1] = p.array.shape;
      const out = new Uint8Array(h * w * c * (p.mode === 'I;16' ? 2 : 1));
      const mode = { L: 0, P: 1, PA: 2, 'I;16': 3, LA: 4, RGB: 5, RGBA: 6, CMYK: 7 }[p.mode] ?? -1;
      const r = m.j2k.decodeSync(new Uint8Array(readFileSync(fixture(entry.fixture))), out, 0, w, h, entry.fixture.endsWith('.j2k') ? 0 : 1, mode, 0, 0, 1);
      expect(r.ok, entry.fixture).toBe(true);
      expect(sha256(out), entry.fixture).toBe(p.array.sha256_u8 ?? p.array.sha256);
      exact++;
    }
    expect(exact).toBeGreaterThan(12);
  });
});
