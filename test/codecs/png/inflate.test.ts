/**
 * The PNG decoder's three inflaters: ThreadInflater (src/codecs/png/inflate-thread.ts: a
 * helper thread inflates into shared slots, the default for large images), BlockInflater
 * (node:zlib's native handle into one reused block, on this thread) and StreamInflater (the
 * public stream, the fallback). Unit behaviour of each, then the whole PngSuite decoded all
 * three ways must agree (png.test.ts checks the default path against Pillow's hashes).
 */
import { useImplementation } from '../../../src/kernels/choose.js';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { deflateSync } from 'node:zlib';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { open, toArray } from '../../../src/index.js';
import { BlockInflater, StreamInflater, blockInflateWorks, type Inflater } from '../../../src/codecs/png/inflate.js';
import { type InflaterKind } from '../../../src/codecs/png/inflater.js';
import * as thread from '../../../src/codecs/png/inflate-thread.js';
import { PILLOW_94, EXTRA, fixture, sha256 } from '../../helpers/fixtures.js';

function noise(length: number): Uint8Array {
  const a = new Uint8Array(length);
  let x = 1;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    a[i] = (i >> 6) + (x >>> 29); // compressible, but not trivially
  }
  return a;
}

interface Run { out: Uint8Array; blocks: Set<ArrayBufferLike>; failure: unknown }

async function inflateWith(make: (consume: (d: Uint8Array) => boolean) => Inflater, z: Uint8Array, piece: number, want = Infinity): Promise<Run> {
  const parts: Uint8Array[] = [];
  const blocks = new Set<ArrayBufferLike>();
  let got = 0;
  const inf = make((d) => {
    parts.push(d.slice());
    blocks.add(d.buffer);
    got += d.length;
    return got < want;
  });
  for (let o = 0; o < z.length; o += piece) {
    await inf.push(z.subarray(o, o + piece));
    await inf.flush();
  }
  await inf.finish();
  const out = new Uint8Array(got);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return { out, blocks, failure: inf.failure };
}

const block = (size: number) => (consume: (d: Uint8Array) => boolean): Inflater => {
  const inf = BlockInflater.create(consume, size);
  if (inf === undefined) throw new Error('BlockInflater unavailable');
  return inf;
};
const stream = (consume: (d: Uint8Array) => boolean): Inflater => new StreamInflater(consume);
const threaded = (consume: (d: Uint8Array) => boolean): Inflater => {
  const inf = thread.ThreadInflater.create(consume);
  if (inf === undefined) throw new Error('the inflate thread is not free');
  return inf;
};
/** Inflates on the helper thread once it has finished its previous job. */
async function inflateOnThread(z: Uint8Array, piece: number, want = Infinity): Promise<Run> {
  await thread.inflateThreadIdle();
  return inflateWith(threaded, z, piece, want);
}

describe('BlockInflater', () => {
  const plain = noise(300_000);
  const z = deflateSync(plain);

  it('works in this Node (the feature check passes: node:zlib handle with writeSync)', () => {
    expect(blockInflateWorks()).toBe(true);
  });

  it('inflates pushed in 1-byte, 7-byte, 64 KB and whole pieces, through blocks of 1 byte to 256 KB, always into the same block', async () => {
    for (const size of [1, 1000, 65536, 262144]) {
      for (const piece of size === 1 ? [65536] : [1, 7, 65536, z.length]) {
        const r = await inflateWith(block(size), z, piece);
        expect(r.failure, `${size}/${piece}`).toBeNull();
        expect(Buffer.from(r.out).equals(plain), `${size}/${piece}`).toBe(true);
        expect(r.blocks.size, `${size}/${piece}`).toBe(1);
      }
    }
  });

  it('stops once the consumer has enough, and ignores data after the end of the zlib stream', async () => {
    const r = await inflateWith(block(4096), z, 5000, 10_000);
    expect(r.out.length).toBeGreaterThanOrEqual(10_000);
    expect(r.out.length).toBeLessThan(10_000 + 4096);
    expect(Buffer.from(r.out).equals(plain.subarray(0, r.out.length))).toBe(true);
    const trailing = new Uint8Array(z.length + 100).fill(0xab);
    trailing.set(z);
    const t = await inflateWith(block(65536), trailing, 65536);
    expect(t.failure).toBeNull();
    expect(Buffer.from(t.out).equals(plain)).toBe(true);
  });

  it('reports corrupt data as zlib does (code Z_DATA_ERROR), after the bytes inflated before it', async () => {
    const bad = Uint8Array.from(z);
    for (let i = 150_000; i < 150_040; i++) bad[i] ^= 0x5a;
    const b = await inflateWith(block(1024), bad, 4096);
    const s = await inflateWith(stream, bad, 4096);
    expect(b.failure).toMatchObject({ code: 'Z_DATA_ERROR' });
    expect(s.failure).toMatchObject({ code: 'Z_DATA_ERROR' });
    // zlib may turn corrupt bits into wrong bytes before it notices: both give the same prefix
    expect(b.out.length).toBeGreaterThan(100_000);
    const common = Math.min(b.out.length, s.out.length);
    expect(Buffer.from(b.out.subarray(0, common)).equals(s.out.subarray(0, common))).toBe(true);
    expect(Buffer.from(b.out.subarray(0, 100_000)).equals(plain.subarray(0, 100_000))).toBe(true);
  });

  it('gives the same bytes as StreamInflater for input that ends early (no error, just less output)', async () => {
    const cut = z.subarray(0, z.length >> 1);
    const b = await inflateWith(block(65536), cut, 7000);
    const s = await inflateWith(stream, cut, 7000);
    expect(b.failure).toBeNull();
    expect(b.out.length).toBeGreaterThan(0);
    expect(Buffer.from(plain.subarray(0, b.out.length)).equals(b.out)).toBe(true);
    // the stream path reports the early end when it is ended (Z_BUF_ERROR); the decoder reads both as truncation
    expect(s.out.length).toBeLessThanOrEqual(b.out.length);
  });

  it('gives the event loop turns while a large image decodes from a Buffer (the inflate itself is synchronous), on this thread or with the helper', async () => {
    const [w, h] = [4096, 2048]; // 24 MB: over 100 ms of decode on any machine we know
    const px = noise(w * h * 3);
    const png = await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
    expect(await thread.inflateThreadReady()).toBe(true);
    for (const kind of ['block', 'thread'] as const) {
      await thread.inflateThreadIdle();
      useImplementation('inflater', kind);
      const jobs = thread.threadJobs;
      const img = await open(png);
      let ticks = 0;
      const timer = setInterval(() => { ticks++; }, 1);
      try {
        await img.load();
      } finally {
        clearInterval(timer);
        useImplementation('inflater', 'auto');
      }
      expect(thread.threadJobs - jobs, kind).toBe(kind === 'thread' ? 1 : 0);
      expect(sha256(toArray(img).data), kind).toBe(sha256(px));
      expect(ticks, kind).toBeGreaterThanOrEqual(2); // without the 10 ms slices: 0 (checked)
    }
  });

  it('leaves the caller\'s compressed bytes untouched', async () => {
    const copy = Uint8Array.from(z);
    await inflateWith(block(1000), copy, 3000);
    expect(Buffer.from(copy).equals(z)).toBe(true);
  });
});

describe('ThreadInflater', () => {
  const plain = noise(700_000); // several output slots
  const z = deflateSync(plain);
  beforeAll(async () => {
    expect(await thread.inflateThreadReady()).toBe(true);
  });

  it('inflates pushed in 1-byte, 7-byte, 64 KB and whole pieces (larger than its input ring), in order, through the shared slots', async () => {
    for (const piece of [1, 7, 65536, z.length]) {
      const r = await inflateOnThread(z, piece);
      expect(r.failure, `${piece}`).toBeNull();
      expect(Buffer.from(r.out).equals(plain), `${piece}`).toBe(true);
      expect([...r.blocks].every((b) => b instanceof SharedArrayBuffer), `${piece}`).toBe(true);
      expect(r.blocks.size, `${piece}`).toBe(1);
    }
  });

  it('takes one decode at a time: a second one finds it busy (the decoder then inflates on its own thread)', async () => {
    await thread.inflateThreadIdle();
    const first = threaded(() => true);
    expect(thread.ThreadInflater.create(() => true)).toBeUndefined();
    await first.finish();
    await thread.inflateThreadIdle();
    const again = thread.ThreadInflater.create(() => true);
    expect(again).toBeDefined();
    await again?.finish();
  });

  it('stops once the consumer has enough, and ignores data after the end of the zlib stream', async () => {
    const r = await inflateOnThread(z, 5000, 10_000);
    expect(r.out.length).toBeGreaterThanOrEqual(10_000);
    expect(r.out.length).toBeLessThanOrEqual(thread.SLOTS * thread.SLOT);
    expect(Buffer.from(r.out).equals(plain.subarray(0, r.out.length))).toBe(true);
    const trailing = new Uint8Array(z.length + 100).fill(0xab);
    trailing.set(z);
    const t = await inflateOnThread(trailing, 65536);
    expect(t.failure).toBeNull();
    expect(Buffer.from(t.out).equals(plain)).toBe(true);
  });

  it('reports corrupt data as zlib does (code Z_DATA_ERROR and its message), after the bytes inflated before it', async () => {
    const bad = Uint8Array.from(z);
    for (let i = 350_000; i < 350_040; i++) bad[i] ^= 0x5a;
    const t = await inflateOnThread(bad, 4096);
    const b = await inflateWith(block(1024), bad, 4096);
    expect(t.failure).toMatchObject({ code: 'Z_DATA_ERROR', errno: -3 });
    expect((t.failure as Error).message).toBe((b.failure as Error).message);
    expect(t.out.length).toBeGreaterThan(200_000);
    const common = Math.min(b.out.length, t.out.length);
    expect(Buffer.from(t.out.subarray(0, common)).equals(b.out.subarray(0, common))).toBe(true);
  });

  it('gives every byte inflated so far for input that ends early (no error, just less output)', async () => {
    const cut = z.subarray(0, z.length >> 1);
    const t = await inflateOnThread(cut, 7000);
    const b = await inflateWith(block(65536), cut, 7000);
    expect(t.failure).toBeNull();
    expect(Buffer.from(t.out).equals(b.out)).toBe(true);
  });

  it('leaves the caller\'s compressed bytes untouched', async () => {
    const copy = Uint8Array.from(z);
    await inflateOnThread(copy, 3000);
    expect(Buffer.from(copy).equals(z)).toBe(true);
  });

  it('fails the decode with a typed error, not a hang, if the helper thread dies; the next decode starts a new one', async () => {
    const [w, h] = [2048, 2048];
    const px = noise(w * h * 3);
    const png = await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png({ compressionLevel: 1 }).toBuffer();
    await thread.inflateThreadIdle();
    useImplementation('inflater', 'thread');
    try {
      const img = await open(png);
      const loading = img.load();
      await thread.stopInflateThread();
      await expect(loading).rejects.toMatchObject({ code: 'ERR_IMARRAY_DECODE', message: expect.stringMatching(/inflate thread exited/) as unknown });
      expect(await thread.inflateThreadReady()).toBe(true);
      const jobs = thread.threadJobs;
      expect(sha256(toArray(await (await open(png)).load()).data)).toBe(sha256(px));
      expect(thread.threadJobs).toBe(jobs + 1);
    } finally {
      useImplementation('inflater', 'auto');
    }
  });
});

describe('the PNG decoder on all three inflaters', () => {
  afterEach(() => { useImplementation('inflater', 'auto'); });
  beforeAll(async () => {
    expect(await thread.inflateThreadReady()).toBe(true);
  });

  async function outcome(bytes: Uint8Array, kind: InflaterKind, loadTruncated = false): Promise<string> {
    await thread.inflateThreadIdle();
    useImplementation('inflater', kind);
    const jobs = thread.threadJobs;
    let result: string;
    try {
      const img = await (await open(bytes, { loadTruncated })).load();
      result = `${img.mode} ${img.size.join('x')} ${sha256(toArray(img).data)} ${JSON.stringify(Object.keys(img.info).sort())}`;
    } catch (e) {
      result = `error ${(e as { code?: string }).code ?? String(e)}`;
    } finally {
      useImplementation('inflater', 'auto');
    }
    // the helper took every decode forced onto it that got as far as the image data
    if (kind === 'thread' && thread.threadJobs === jobs && bytes.length > 200) return `${result} (not on the thread)`;
    return result;
  }

  it('agree on every PngSuite file (pixels, info keys, errors)', async () => {
    const suite = PILLOW_94.filter((e) => e.name.startsWith('pngsuite/'));
    expect(suite.length).toBe(175);
    for (const entry of suite) {
      const bytes = readFileSync(fixture(entry.fixture));
      const block = await outcome(bytes, 'block');
      expect(await outcome(bytes, 'stream'), entry.name).toBe(block);
      expect(await outcome(bytes, 'thread'), entry.name).toBe(block);
    }
  });

  it('agree on truncated files, with and without loadTruncated, cut anywhere in the data', async () => {
    const names = Object.keys(EXTRA).filter((k) => k.startsWith('load_truncated:extra/') && k.endsWith('.png')).map((k) => k.slice('load_truncated:'.length));
    for (const name of [...names, 'png/pngsuite/basn6a08.png', 'png/pngsuite/basi6a16.png', 'png/pngsuite/basn0g16.png']) {
      const whole = readFileSync(fixture(name));
      for (const frac of [0.3, 0.6, 0.9, 0.99]) {
        const cut = whole.subarray(0, Math.floor(whole.length * frac));
        for (const lt of [false, true]) {
          const block = await outcome(cut, 'block', lt);
          expect(await outcome(cut, 'stream', lt), `${name} ${frac} ${lt}`).toBe(block);
          expect(await outcome(cut, 'thread', lt), `${name} ${frac} ${lt}`).toBe(block);
        }
      }
    }
  });

  it('agree on corrupt zlib data (DecodeError)', async () => {
    const b = Buffer.from(readFileSync(fixture('png/pngsuite/basn2c08.png')));
    const idat = b.indexOf('IDAT');
    for (let i = idat + 10; i < idat + 40; i++) b[i] ^= 0x5a;
    expect(await outcome(b, 'block')).toBe('error ERR_IMARRAY_DECODE');
    expect(await outcome(b, 'stream')).toBe('error ERR_IMARRAY_DECODE');
    expect(await outcome(b, 'thread')).toBe('error ERR_IMARRAY_DECODE');
  });
});
