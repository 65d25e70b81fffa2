/**
 * Where the encoded bytes come from: a file path, bytes in memory, or a stream of chunks.
 * `open()` reads only as far as the header needs (`prefix`); `load()` either hands the whole
 * input to a back-end that wants it (`whole`: a path stays a path, so sharp reads the file
 * itself) or walks the remaining blocks for a streaming decoder (`blocks`). Input bytes are
 * never written to.
 */
import { open as fsOpen } from 'node:fs/promises';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { invalidArgument } from './errors.js';

/** Anything `open()` accepts. */
export type Source =
  | string
  | URL
  | Uint8Array
  | ArrayBuffer
  | NodeJS.ReadableStream
  | AsyncIterable<Uint8Array>;

/** Default block size when walking a file or an in-memory buffer (Pillow's MAXBLOCK). */
export const BLOCK_SIZE = 65536;
/** Files up to this size are read whole synchronously by `bytes()` (see FileInput). */
const SYNC_WHOLE = 4 * 2 ** 20;

export abstract class Input {
  /** File name when the input is a file, for messages and for back-ends that read files. */
  readonly filename: string | undefined;
  constructor(filename?: string) {
    this.filename = filename;
  }

  static from(src: Source): Input {
    if (typeof src === 'string') return new FileInput(src);
    if (src instanceof URL) {
      if (src.protocol !== 'file:') throw invalidArgument('source', 'a file: URL', src.href);
      return new FileInput(decodeURIComponent(src.pathname));
    }
    if (src instanceof Uint8Array) return new BytesInput(src);
    if (src instanceof ArrayBuffer) return new BytesInput(new Uint8Array(src));
    if (typeof src === 'object' && Symbol.asyncIterator in src) {
      return new StreamInput(src as AsyncIterable<Uint8Array>);
    }
    throw invalidArgument(
      'source',
      'a path, URL, Buffer, Uint8Array, ArrayBuffer, Readable or async iterable of Uint8Array',
      src,
    );
  }

  /** The first `n` bytes (fewer at end of input). Valid until the next call. */
  abstract prefix(n: number): Promise<Uint8Array>;
  /** The whole input, as a path when it is a file (so a back-end can read it itself). */
  abstract whole(): Promise<string | Uint8Array>;
  /** The whole input in memory (bytes already in memory are not copied; a file is read once). */
  abstract bytes(): Promise<Uint8Array>;
  /**
   * The input from byte `start` on, in blocks. A file's block buffer is reused for the next
   * read: consumers copy what they keep (the PNG chunk reader and stager do).
   */
  abstract blocks(start: number, blockSize?: number): AsyncIterable<Uint8Array>;
  /**
   * For a decoder that reads parts of a large input where it likes (TIFF strips): a file too
   * big to read whole (over SYNC_WHOLE) as positional reads, so the decode never holds the
   * whole file; undefined for smaller files and for bytes, which `bytes()` gives at no cost.
   */
  positional(): PositionalBytes | undefined {
    return undefined;
  }
  /** Bytes before `offset` will not be asked for again (a stream may drop them). */
  release(_offset: number): void {
    // only streams hold data that could be dropped
  }
  abstract close(): Promise<void>;
}

/**
 * Random access to bytes without holding them: what a Uint8Array offers (`length`, `subarray`),
 * so a decoder written against it takes either. Each `subarray` of a file is a fresh read of
 * those bytes (shorter where the file ends sooner).
 */
export interface ByteSource {
  readonly length: number;
  subarray(start: number, end: number): Uint8Array;
}

/** A file's ByteSource: one descriptor, opened at the first read and closed by `release()`. */
export class PositionalBytes implements ByteSource {
  private fd: number | undefined;
  private scratch = new Uint8Array(0);
  constructor(
    private readonly path: string,
    readonly length: number,
    private readonly head: Uint8Array,
  ) {}
  subarray(start: number, end: number): Uint8Array {
    const from = Math.max(0, Math.min(start, this.length));
    const to = Math.max(from, Math.min(end, this.length));
    if (to <= this.head.length) return this.head.subarray(from, to);
    this.fd ??= openSync(this.path, 'r');
    const buf = new Uint8Array(to - from);
    let got = 0;
    for (let r = 1; r > 0 && got < buf.length; got += r) r = readSync(this.fd, buf, got, buf.length - got, from + got);
    return buf.subarray(0, got);
  }
  /**
   * Bytes `start` to `end` in a buffer this reuses: valid until the next `transient` call (one
   * strip at a time, with no garbage left behind per read).
   */
  transient(start: number, end: number): Uint8Array {
    const from = Math.max(0, Math.min(start, this.length));
    const to = Math.max(from, Math.min(end, this.length));
    if (to <= this.head.length) return this.head.subarray(from, to);
    if (this.scratch.length < to - from) this.scratch = new Uint8Array(to - from);
    this.fd ??= openSync(this.path, 'r');
    let got = 0;
    for (let r = 1; r > 0 && got < to - from; got += r) r = readSync(this.fd, this.scratch, got, to - from - got, from + got);
    return this.scratch.subarray(0, got);
  }
  /** Closes the descriptor (a later read opens it again) and drops the reused buffer. */
  release(): void {
    this.scratch = new Uint8Array(0);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Bytes `start` to `end` of `s`, valid until the next such read of `s` (a view, where `s` is in memory). */
export function transientBytes(s: ByteSource, start: number, end: number): Uint8Array {
  return s instanceof PositionalBytes ? s.transient(start, end) : s.subarray(start, end);
}

class BytesInput extends Input {
  private readonly data: Uint8Array;
  constructor(bytes: Uint8Array) {
    super();
    this.data = bytes;
  }
  prefix(n: number): Promise<Uint8Array> {
    return Promise.resolve(this.data.subarray(0, n));
  }
  whole(): Promise<Uint8Array> {
    return Promise.resolve(this.data);
  }
  bytes(): Promise<Uint8Array> {
    return Promise.resolve(this.data);
  }
  async *blocks(start: number, blockSize = Infinity): AsyncIterable<Uint8Array> {
    for (let p = start; p < this.data.length; p += blockSize) {
      yield await Promise.resolve(this.data.subarray(p, Math.min(p + blockSize, this.data.length)));
    }
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * A file: no descriptor is held between calls. `prefix` reads at least 64 KB at once, so
 * identify + header usually cost one read, and reads it synchronously as Pillow does: three
 * thread-pool round trips (open, read, close) cost more than the read itself. `bytes` of a
 * file the prefix already holds costs nothing; of a file up to SYNC_WHOLE it is one more
 * synchronous read (a data-set image: the thread-pool round trips of an asynchronous read
 * cost more than the read, measured in bench/RESULTS.md's JPEG section); larger files and
 * pixel data (`blocks`, or the back-end reading the file itself) are read asynchronously.
 * An image opened and never loaded leaks nothing.
 */
class FileInput extends Input {
  private head = new Uint8Array(0);
  private headComplete = false;
  prefix(n: number): Promise<Uint8Array> {
    if (this.head.length < n && !this.headComplete) {
      const want = Math.max(n, BLOCK_SIZE);
      const fd = openSync(this.filename as string, 'r');
      try {
        const buf = new Uint8Array(want);
        let got = 0;
        for (let r = 1; r > 0 && got < want; got += r) r = readSync(fd, buf, got, want - got, got);
        this.head = buf.subarray(0, got);
        this.headComplete = got < want;
      } finally {
        closeSync(fd);
      }
    }
    return Promise.resolve(this.head.subarray(0, n));
  }
  whole(): Promise<string> {
    return Promise.resolve(this.filename as string);
  }
  override positional(): PositionalBytes | undefined {
    if (this.headComplete) return undefined;
    const fd = openSync(this.filename as string, 'r');
    let size: number;
    try {
      size = fstatSync(fd).size;
    } finally {
      closeSync(fd);
    }
    return size > SYNC_WHOLE ? new PositionalBytes(this.filename as string, size, this.head) : undefined;
  }
  async bytes(): Promise<Uint8Array> {
    if (this.headComplete) return this.head;
    const fd = openSync(this.filename as string, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size <= SYNC_WHOLE) {
        const buf = new Uint8Array(size);
        let got = 0;
        for (let r = 1; r > 0 && got < size; got += r) r = readSync(fd, buf, got, size - got, got);
        return buf.subarray(0, got);
      }
    } finally {
      closeSync(fd);
    }
    // a large file: read in one request on the thread pool (fs.readFile reads 512 KB at a time,
    // a round trip each), into memory that is not zeroed first since the read fills it
    const fh = await fsOpen(this.filename as string, 'r');
    try {
      const size = (await fh.stat()).size;
      const b = Buffer.allocUnsafeSlow(size);
      let got = 0;
      for (let r = 1; r > 0 && got < size; got += r) ({ bytesRead: r } = await fh.read(b, got, size - got, got));
      b.fill(0, got); // a file that shrank meanwhile: no uninitialised memory behind a view of it
      return new Uint8Array(b.buffer, b.byteOffset, got);
    } finally {
      await fh.close();
    }
  }
  async *blocks(start: number, blockSize = BLOCK_SIZE): AsyncIterable<Uint8Array> {
    const fh = await fsOpen(this.filename as string, 'r');
    try {
      const buf = new Uint8Array(blockSize);
      for (let pos = start; ; ) {
        const { bytesRead } = await fh.read(buf, 0, blockSize, pos);
        if (bytesRead === 0) return;
        pos += bytesRead;
        yield buf.subarray(0, bytesRead);
      }
    } finally {
      await fh.close();
    }
  }
  close(): Promise<void> {
    this.head = new Uint8Array(0);
    return Promise.resolve();
  }
}

/** A Readable or async iterable: chunks are kept by reference (no join) until released. */
class StreamInput extends Input {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private readonly chunks: Uint8Array[] = [];
  /** Absolute offset of chunks[0]. */
  private base = 0;
  private buffered = 0;
  private ended = false;
  constructor(src: AsyncIterable<Uint8Array>) {
    super();
    this.iterator = src[Symbol.asyncIterator]();
  }
  private async pull(): Promise<boolean> {
    if (this.ended) return false;
    const r = await this.iterator.next();
    if (r.done === true) {
      this.ended = true;
      return false;
    }
    const chunk: unknown = r.value;
    if (!(chunk instanceof Uint8Array)) throw invalidArgument('stream chunk', 'a Uint8Array or Buffer', chunk);
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    return true;
  }
  /** Copies the first n bytes (header-sized reads only). */
  async prefix(n: number): Promise<Uint8Array> {
    if (this.base > 0) throw new Error('internal: prefix after release');
    while (this.buffered < n && (await this.pull()));
    const out = new Uint8Array(Math.min(n, this.buffered));
    let o = 0;
    for (const c of this.chunks) {
      if (o >= out.length) break;
      const take = c.subarray(0, out.length - o);
      out.set(take, o);
      o += take.length;
    }
    return out;
  }
  /** A back-end that needs all bytes at once (sharp) gets one copy of the input. */
  async whole(): Promise<Uint8Array> {
    while (await this.pull());
    return this.prefix(this.buffered);
  }
  bytes(): Promise<Uint8Array> {
    return this.whole();
  }
  async *blocks(start: number): AsyncIterable<Uint8Array> {
    if (start < this.base) throw new Error(`internal: offset ${start} was released`);
    for (let pos = start; ; ) {
      let at = this.base;
      let i = 0;
      while (i < this.chunks.length && at + this.chunks[i].length <= pos) at += this.chunks[i++].length;
      if (i === this.chunks.length) {
        if (!(await this.pull())) return;
        continue;
      }
      const c = this.chunks[i];
      const from = pos - at;
      pos = at + c.length;
      yield from > 0 ? c.subarray(from) : c;
    }
  }
  override release(offset: number): void {
    while (this.chunks.length > 0 && this.base + this.chunks[0].length <= offset) {
      this.base += this.chunks[0].length;
      this.chunks.shift();
    }
  }
  async close(): Promise<void> {
    this.chunks.length = 0;
    if (!this.ended) {
      this.ended = true;
      await this.iterator.return?.();
    }
  }
}

/** Thrown by a header parser whose header runs past the bytes it was given: read more and parse again. */
export class NeedMoreBytes extends Error {}

/**
 * Runs `parse` on a growing prefix of `input` (`first` bytes, then `grow` times more each time)
 * until it stops throwing NeedMoreBytes; `complete` tells it the prefix is the whole input.
 */
export async function parsePrefix<T>(input: Input, first: number, grow: number, parse: (bytes: Uint8Array, complete: boolean) => T): Promise<T> {
  for (let n = first; ; n *= grow) {
    const head = await input.prefix(n);
    try {
      return parse(head, head.length < n);
    } catch (e) {
      if (!(e instanceof NeedMoreBytes)) throw e;
    }
  }
}
