/**
 * Frames over streams (src/io/frames.ts): FrameWriter -> FrameReader over real loopback TCP, a
 * Unix socket and in-memory streams fed in odd chunk sizes; bad headers, peers dying mid-frame,
 * backpressure and the reader's memory pool.
 */
import net from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import ndarray from 'ndarray';
import { afterEach, describe, expect, it } from 'vitest';
import {
  FrameReader,
  FrameWriter,
  frameHeader,
  FRAME_MODES,
  fromArray,
  fromBuffer,
  fromStorage,
  toArray,
  flipud,
  crop,
  swapAxes,
  open,
  contiguousCopy,
  DecodeError,
  DecompressionBombError,
  TruncatedImageError,
  UnsupportedError,
  ImageNotLoadedError,
  InvalidArgumentError,
  DTYPES,
  MODES,
  bandCount,
  type FrameReaderOptions,
  type Image,
  type Mode,
} from '../../src/index.js';
import { fixture } from '../helpers/fixtures.js';

/** A deterministic image of `mode` whose every element differs from its neighbours. */
function sample(mode: Mode, width: number, height: number, seed = 1): Image {
  const Ctor = DTYPES[MODES[mode].dtype];
  const data = new Ctor(width * height * bandCount(mode));
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = mode === '1' ? s >>> 31 : MODES[mode].dtype === 'float32' ? (s >>> 8) / 7 - 1000 : s >>> 16;
  }
  return fromStorage(mode, [width, height], data as never);
}

/** The test's wire bytes in one buffer (input building, not a decode path). */
function cat(parts: readonly Uint8Array[]): Buffer {
  const out = Buffer.alloc(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The packed values of an image, as a plain array (for equality). */
function values(img: Image): number[] {
  return Array.from(contiguousCopy(toArray(img, { copy: false })).data);
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanups.splice(0)) f();
});

/** A connected pair of sockets over loopback TCP (or a Unix socket at `path`). */
async function socketPair(path?: string): Promise<[net.Socket, net.Socket]> {
  const server = net.createServer();
  await new Promise<void>((r) => (path === undefined ? server.listen(0, '127.0.0.1', r) : server.listen(path, r)));
  const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
  const addr = server.address();
  const client = path === undefined && typeof addr === 'object' && addr !== null ? net.connect(addr.port, '127.0.0.1') : net.connect(path ?? '');
  await new Promise<void>((r) => client.once('connect', () => { r(); }));
  const serverSide = await accepted;
  for (const s of [client, serverSide]) {
    s.on('error', () => undefined);
  } // errors are checked through the reader
  cleanups.push(() => {
    client.destroy();
    serverSide.destroy();
    server.close();
  });
  return [client, serverSide];
}

type Kind = 'socket' | 'connect';
/**
 * A writer socket and a FrameReader on the other end over loopback TCP: `socket` wraps the
 * accepted socket (the copying 'data' path), `connect` dials with FrameReader.connect (onread).
 */
async function link(kind: Kind, options: FrameReaderOptions = {}): Promise<{ out: net.Socket; reader: FrameReader; input: Readable }> {
  if (kind === 'socket') {
    const [a, b] = await socketPair();
    return { out: a, reader: new FrameReader(b, options), input: b };
  }
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
  const addr = server.address();
  if (typeof addr !== 'object' || addr === null) throw new Error('no port');
  const reader = FrameReader.connect({ port: addr.port, host: '127.0.0.1', ...options });
  const out = await accepted;
  for (const s of [out, reader.stream]) {
    s.on('error', () => undefined);
  }
  cleanups.push(() => {
    out.destroy();
    reader.stream.destroy();
    server.close();
  });
  return { out, reader, input: reader.stream };
}

async function collect(reader: FrameReader): Promise<number[][]> {
  const out: number[][] = [];
  for await (const img of reader) out.push(values(img));
  return out;
}

describe('wire format', () => {
  it('pins the header bytes: magic, version, mode code, flags, width, height, u64 length', () => {
    const h = frameHeader('RGB', 3, 2);
    expect(Array.from(h)).toEqual([0x49, 0x4d, 0x46, 0x52, 1, 5, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 18, 0, 0, 0, 0, 0, 0, 0]);
    expect(Array.from(frameHeader('F', 1920, 1080).subarray(16))).toEqual([0x00, 0x90, 0x7e, 0x00, 0, 0, 0, 0]); // 8294400
    expect(FRAME_MODES.indexOf('I;16') + 1).toBe(13);
  });
});

describe.each(['socket', 'connect'] as const)('FrameWriter -> FrameReader over loopback TCP (%s)', (kind) => {
  it('round-trips every mode with its values, size and dtype', async () => {
    const { out: a, reader } = await link(kind);
    const sent = FRAME_MODES.map((mode, i) => sample(mode, 7 + i, 5, i + 1));
    const writer = new FrameWriter(a);
    const done = (async () => {
      for (const img of sent) await writer.write(img);
      await writer.end();
    })();
    let i = 0;
    for await (const img of reader) {
      const want = sent[i++];
      if (want === undefined) throw new Error('extra frame');
      expect([img.mode, img.width, img.height]).toEqual([want.mode, want.width, want.height]);
      const arr = toArray(img, { copy: false });
      expect(arr.data.constructor).toBe(toArray(want, { copy: false }).data.constructor);
      expect(values(img)).toEqual(values(want));
    }
    await done;
    expect(i).toBe(FRAME_MODES.length);
    expect(writer.frames).toBe(FRAME_MODES.length);
  });

  it('sends views (bottom-up fromBuffer, crop, transpose) as the upright packed pixels', async () => {
    const base = sample('RGBA', 6, 4);
    const raw = toArray(base, { copy: true }).data;
    const views = [
      fromBuffer(raw, { mode: 'RGBA', size: [6, 4], origin: 'bottom-left' }), // negative row stride
      crop(base, [1, 1, 5, 3]), // padded rows
      swapAxes(base), // no contiguous rows: one packed copy
      fromArray(ndarray(new Uint16Array([1, 2, 3, 4, 5, 6]), [2, 3]).step(-1, 1)), // I;16 flipped
    ];
    const { out: a, reader } = await link(kind);
    const writer = new FrameWriter(a);
    void (async () => {
      for (const v of views) await writer.write(v);
      await writer.end();
    })();
    const got = await collect(reader);
    expect(got).toEqual(views.map(values));
    expect(got[0]).toEqual(values(flipud(fromBuffer(raw, { mode: 'RGBA', size: [6, 4] }))));
    expect(Array.from(raw)).toEqual(values(base)); // the caller's memory is untouched
  });

  it('reuses frame memory once warm (recycle), and keep() takes a frame out of the pool', async () => {
    const { out: a, reader } = await link(kind);
    const writer = new FrameWriter(a);
    const n = 40;
    void (async () => {
      for (let i = 0; i < n; i++) await writer.write(sample('RGBA', 64, 48, i + 1));
      await writer.end();
    })();
    const buffers = new Set<ArrayBufferLike>();
    let kept: { img: Image; want: number[] } | undefined;
    let i = 0;
    for await (const img of reader) {
      const want = values(sample('RGBA', 64, 48, i + 1));
      expect(values(img)).toEqual(want);
      buffers.add(toArray(img, { copy: false }).data.buffer);
      if (i === 5) {
        reader.keep(img);
        kept = { img, want };
      }
      i++;
    }
    expect(i).toBe(n);
    expect(buffers.size).toBeLessThanOrEqual(4); // lent + read ahead + filling + the kept one
    if (kept === undefined) throw new Error('no frame kept');
    expect(values(kept.img)).toEqual(kept.want); // not overwritten by 34 later frames
  });
});

describe('FrameWriter -> FrameReader, other streams', () => {
  it('sends decoded files unchanged (PNG 16-bit grey, JPEG)', async () => {
    const imgs = await Promise.all(['png/pngsuite/basn0g16.png', 'jpeg/hopper.jpg'].map(async (f) => (await open(fixture(f))).load()));
    const [a, b] = await socketPair();
    const writer = new FrameWriter(a);
    void Promise.all(imgs.map((img) => writer.write(img))).then(() => writer.end());
    const reader = new FrameReader(b);
    for (const want of imgs) {
      const img = await reader.read();
      expect(img?.mode).toBe(want.mode);
      if (img !== null) expect(values(img)).toEqual(values(want));
    }
    expect(await reader.read()).toBeNull();
  });

  it('works over a Unix socket too', async () => {
    const [a, b] = await socketPair(join(mkdtempSync(join(tmpdir(), 'imarray-')), 's.sock'));
    const img = sample('L', 33, 17);
    const writer = new FrameWriter(a);
    void writer.write(img).then(() => writer.end());
    expect(await collect(new FrameReader(b))).toEqual([values(img)]);
  });
});

describe('FrameReader chunking and pool', () => {
  const frames = [sample('RGB', 5, 3, 1), sample('I;16', 4, 4, 2), sample('RGB', 5, 3, 3)];
  async function wireBytes(): Promise<Buffer> {
    const sink = new PassThrough();
    const parts: Buffer[] = [];
    sink.on('data', (c: Buffer) => parts.push(c));
    const w = new FrameWriter(sink);
    for (const f of frames) await w.write(f);
    await w.end();
    return cat(parts);
  }

  it('gives identical frames whatever the chunk sizes (1, 7, 64 KB, whole, random)', async () => {
    const bytes = await wireBytes();
    expect(bytes.length).toBe(3 * 24 + 45 + 32 + 45);
    let seed = 9;
    const random = () => 1 + ((seed = (seed * 1103515245 + 12345) >>> 0) % 40);
    for (const size of [1, 7, 65536, bytes.length, random]) {
      const chunks: Buffer[] = [];
      for (let p = 0; p < bytes.length; ) {
        const n = typeof size === 'number' ? size : size();
        chunks.push(bytes.subarray(p, p + n));
        p += n;
      }
      expect(await collect(new FrameReader(Readable.from(chunks)))).toEqual(frames.map(values));
    }
  });

  it('with recycle: false every frame owns fresh memory', async () => {
    const bytes = await wireBytes();
    const reader = new FrameReader(Readable.from([bytes]), { recycle: false });
    const got: Image[] = [];
    for await (const img of reader) got.push(img);
    expect(new Set(got.map((g) => toArray(g, { copy: false }).data.buffer)).size).toBe(3);
    expect(got.map(values)).toEqual(frames.map(values));
  });
});

describe.each(['socket', 'connect'] as const)('FrameReader errors (%s)', (kind) => {
  const good = cat([Buffer.from(frameHeader('L', 4, 2)), Buffer.alloc(8, 7)]);
  function corrupt(edit: (h: DataView) => void): Buffer {
    const h = Buffer.from(frameHeader('L', 4, 2));
    edit(new DataView(h.buffer, h.byteOffset, 24));
    return cat([h, Buffer.alloc(8)]);
  }
  const cases: [string, Buffer, new (...a: never[]) => Error, RegExp][] = [
    ['bad magic', corrupt((h) => { h.setUint8(0, 0x50); }), DecodeError, /frame 1 \(header at stream byte 32\): bad magic "PMFR"/],
    ['version 2', corrupt((h) => { h.setUint8(4, 2); }), DecodeError, /unsupported version 2/],
    ['mode code 0', corrupt((h) => { h.setUint8(5, 0); }), DecodeError, /unknown mode code 0/],
    ['mode code 99', corrupt((h) => { h.setUint8(5, 99); }), DecodeError, /unknown mode code 99/],
    ['flags', corrupt((h) => { h.setUint16(6, 1, true); }), DecodeError, /reserved flags are 1/],
    ['zero width', corrupt((h) => { h.setUint32(8, 0, true); }), DecodeError, /empty size 0x2/],
    ['length mismatch', corrupt((h) => { h.setBigUint64(16, 9n, true); }), DecodeError, /declares 9 payload bytes, a L 4x2 frame has 8/],
    ['oversized', corrupt((h) => { h.setUint32(8, 100000, true); h.setUint32(12, 100000, true); }), DecompressionBombError, /exceeds limit/],
  ];

  for (const [name, bad, Err, message] of cases) {
    it(`${name}: typed error after the good frames, stream destroyed, no allocation of the claim`, async () => {
      const { out: a, reader, input: b } = await link(kind);
      a.end(cat([good, Buffer.from(bad.subarray(0, 12)), Buffer.from(bad.subarray(12))]));
      const first = await reader.read();
      expect(first === null ? null : values(first)).toEqual(Array(8).fill(7));
      const err = await reader.read().then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(Err);
      expect(String(err)).toMatch(message);
      expect(b.destroyed).toBe(true);
      await expect(reader.read()).rejects.toBe(err); // stays failed
    });
  }

  it('a peer that dies mid-frame never yields the half frame', async () => {
    const { out: a, reader } = await link(kind);
    const writer = new FrameWriter(a);
    await writer.write(sample('RGB', 10, 10));
    a.write(frameHeader('RGB', 10, 10));
    a.write(new Uint8Array(150)); // half of the 300 pixel bytes
    expect((await reader.read())?.size).toEqual([10, 10]);
    a.destroy();
    const err = await reader.read().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(TruncatedImageError);
    expect(String(err)).toMatch(/after 150 of 300 pixel bytes of frame 1/);
  });

  it('a connection reset mid-header is a truncation with the socket error as cause', async () => {
    const { out: a, reader } = await link(kind);
    a.write(frameHeader('L', 4, 2).subarray(0, 10));
    const pending = reader.read().then(() => undefined, (e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    a.resetAndDestroy();
    const err = await pending;
    expect(err).toBeInstanceOf(TruncatedImageError);
    expect(String(err)).toMatch(/after 10 of 24 header bytes of frame 0/);
  });
});

describe('FrameWriter errors and backpressure', () => {
  it('rejects a text-mode stream and bad options', async () => {
    const s = new PassThrough();
    s.setEncoding('latin1');
    const reader = new FrameReader(s);
    s.write(Buffer.from(frameHeader('L', 1, 1)));
    await expect(reader.read()).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(() => new FrameReader({} as never)).toThrow(InvalidArgumentError);
    expect(() => new FrameReader(new PassThrough(), { readAhead: 0 })).toThrow(InvalidArgumentError);
  });


  it('refuses palette images, unloaded images and non-images before writing a byte', async () => {
    const sink = new PassThrough();
    const w = new FrameWriter(sink);
    const p = await (await open(fixture('png/pngsuite/basn3p08.png'))).load();
    expect(() => w.write(p)).toThrow(UnsupportedError);
    const unloaded = await open(fixture('jpeg/hopper.jpg'));
    expect(() => w.write(unloaded)).toThrow(ImageNotLoadedError);
    expect(() => w.write({} as never)).toThrow(InvalidArgumentError);
    expect(() => new FrameWriter({} as never)).toThrow(InvalidArgumentError);
    expect(sink.readableLength).toBe(0);
  });

  it('rejects writes on a closed stream with the stream error', async () => {
    const [a] = await socketPair();
    a.destroy();
    await expect(new FrameWriter(a).write(sample('L', 2, 2))).rejects.toThrow(/closed/);
  });
});

describe.each(['socket', 'connect'] as const)('backpressure (%s)', (kind) => {
  it('a reader that stops reading pauses the socket and holds the writer back', async () => {
    const { out: a, reader, input: b } = await link(kind); // readAhead 1: one complete frame, then pause
    const big = sample('RGBA', 1024, 1024); // 4 MB a frame: socket buffers hold only a few
    const writer = new FrameWriter(a);
    let written = 0;
    const total = 8;
    const sending = (async () => {
      for (let i = 0; i < total; i++) {
        await writer.write(big);
        written++;
      }
      await writer.end();
    })();
    // the first frame completes and the reader pauses (polled: no fixed delay, slow machines too)
    for (let waited = 0; !b.isPaused() && waited < 50_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    expect(b.isPaused()).toBe(true);
    await new Promise((r) => setTimeout(r, 200)); // time for the writer to run ahead, if it could
    expect(written).toBeLessThan(total);
    let n = 0;
    for await (const img of reader) {
      expect(img.size).toEqual([1024, 1024]);
      n++;
    }
    await sending;
    expect([n, written]).toEqual([total, total]);
  });
});
