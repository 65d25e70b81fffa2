/**
 * Frames over a byte stream (TCP, Unix socket, child-process pipes): `FrameWriter` sends
 * loaded images, `FrameReader` yields them on the other end, at video rate.
 *
 * Wire format, one frame = a 24-byte header then the packed pixels (little-endian fields):
 *
 *   offset 0  4 bytes  magic "IMFR"
 *          4  u8       version (1)
 *          5  u8       mode code (FRAME_MODES below; stable: codes are never reused)
 *          6  u16      flags, 0 (reserved)
 *          8  u32      width
 *         12  u32      height
 *         16  u64      payload byte length = width * height * bands * bytes per element
 *
 * The payload is the numpy layout of the mode (`[h, w(, bands)]`, row-major, little-endian).
 * The writer sends header and pixels with cork/writev (no concatenation), the rows of a
 * strided view one by one, and resolves each write once the stream has taken the bytes
 * (backpressure). The reader copies each incoming chunk straight into the frame's final
 * array, taken from a pool that recycles the previous frame's memory: no join and, once
 * warm, no allocation per frame. A bad header raises a typed error and destroys the stream;
 * a stream that ends mid-frame raises TruncatedImageError and never yields the half frame.
 */
import { constants } from 'node:buffer';
import net from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { DecodeError, DecompressionBombError, InvalidArgumentError, TruncatedImageError, UnsupportedError, invalidArgument } from '../core/errors.js';
import { fromStorage, type Image } from '../image.js';
import { getMaxImagePixels } from '../core/limits.js';
import { DTYPES, MODES, elementCount, viewAs, type Mode } from '../core/modes.js';

export const FRAME_MAGIC = 'IMFR';
export const FRAME_VERSION = 1;
export const FRAME_HEADER_BYTES = 24;

/** Mode <-> wire code. Append only: a code, once given, keeps its meaning. */
export const FRAME_MODES: readonly Mode[] = ['1', 'L', 'LA', 'La', 'RGB', 'RGBA', 'RGBa', 'RGBX', 'CMYK', 'YCbCr', 'LAB', 'HSV', 'I;16', 'I', 'F'];
const MAX_ARRAY_BYTES = constants.MAX_LENGTH;
/** Sockets made by `FrameReader.connect`: their bytes arrive through `onread`, not 'data'. */
const zeroCopySockets = new WeakSet<object>();
const CODE_OF = new Map<Mode, number>(FRAME_MODES.map((m, i) => [m, i + 1]));

function payloadBytes(mode: Mode, width: number, height: number): number {
  return elementCount(mode, width, height) * DTYPES[MODES[mode].dtype].BYTES_PER_ELEMENT;
}

/** The 24-byte header of a `mode` frame of `width` x `height`. */
export function frameHeader(mode: Mode, width: number, height: number): Uint8Array {
  const code = CODE_OF.get(mode);
  if (code === undefined) {
    throw new UnsupportedError(`FrameWriter: mode ${JSON.stringify(mode)} cannot be sent as a frame (it needs a palette); convert('RGB'), or send the indices as mode 'L'`);
  }
  const bytes = new Uint8Array(FRAME_HEADER_BYTES);
  const dv = new DataView(bytes.buffer);
  for (let i = 0; i < 4; i++) bytes[i] = FRAME_MAGIC.charCodeAt(i);
  bytes[4] = FRAME_VERSION;
  bytes[5] = code;
  dv.setUint32(8, width, true);
  dv.setUint32(12, height, true);
  dv.setBigUint64(16, BigInt(payloadBytes(mode, width, height)), true);
  return bytes;
}

/** The bytes of a loaded image in wire order: one run when packed, else one run per row. */
function payloadRuns(img: Image): Uint8Array[] {
  const px = img._pixels('FrameWriter.write');
  const el = px.data.BYTES_PER_ELEMENT;
  const base = px.data.byteOffset;
  const bytesOf = (start: number, count: number) => new Uint8Array(px.data.buffer, base + start * el, count * el);
  const [h = 0, w = 0] = px.shape;
  const bands = px.shape[2] ?? 1;
  const inner = bands === 1 ? px.stride[1] === 1 : px.stride[2] === 1 && px.stride[1] === bands;
  const rowLen = w * bands;
  if (inner && (px.stride[0] === rowLen || h === 1)) return [bytesOf(px.offset, rowLen * h)];
  if (inner) {
    const rows: Uint8Array[] = [];
    for (let y = 0; y < h; y++) rows.push(bytesOf(px.offset + y * (px.stride[0] ?? 0), rowLen));
    return rows;
  }
  const packed = img._storage('FrameWriter.write'); // transposed views: one copy, packed
  return [new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength)];
}

/**
 * Sends images over `stream`, one frame each. `await write(img)` resolves once the stream
 * has taken all of the frame's bytes (its memory may then be reused); at most one write is
 * in flight, so a slow peer slows the writer instead of queueing frames in memory.
 * @example
 * const out = new FrameWriter(net.connect(port));
 * for (;;) await out.write(await grab());
 */
export class FrameWriter {
  readonly #stream: Writable;
  #pending: Promise<void> = Promise.resolve();
  #frames = 0;

  constructor(stream: Writable) {
    if (typeof stream !== 'object' || stream === null || typeof (stream as Partial<Writable>).write !== 'function') {
      throw invalidArgument('stream', 'a writable Node stream', stream);
    }
    this.#stream = stream;
  }

  /** Frames written so far. */
  get frames(): number {
    return this.#frames;
  }

  /** Sends one loaded image; rejects with the stream's error if it fails or is closed. */
  write(img: Image): Promise<void> {
    // validate synchronously so a bad argument never leaves half a frame on the wire
    if (typeof img !== 'object' || img === null || typeof img._pixels !== 'function') throw invalidArgument('img', 'a loaded Image', img);
    const header = frameHeader(img.mode, img.width, img.height);
    const runs = payloadRuns(img);
    const next = this.#pending.then(() => this.#send(header, runs));
    this.#pending = next.catch(() => undefined);
    return next;
  }

  #send(header: Uint8Array, runs: Uint8Array[]): Promise<void> {
    const s = this.#stream;
    if (s.destroyed || s.writableEnded) return Promise.reject(new Error('FrameWriter: the stream is closed'));
    return new Promise<void>((resolve, reject) => {
      let left = runs.length + 1;
      let failed = false;
      const done = (err?: Error | null) => {
        if (failed) return;
        if (err) {
          failed = true;
          reject(err);
        } else if (--left === 0) {
          this.#frames++;
          resolve();
        }
      };
      s.cork();
      s.write(header, done);
      for (const run of runs) s.write(run, done);
      s.uncork();
    });
  }

  /** Ends the stream after the frames already written. */
  async end(): Promise<void> {
    await this.#pending;
    const s = this.#stream;
    if (s.writableEnded) return;
    await new Promise<void>((resolve) => s.end(resolve));
  }
}

/** Options of `FrameReader`: limits on what a frame header may ask for. */
export interface FrameReaderOptions {
  /**
   * Recycle frame memory (default true): the image a `read()` returned stays valid until the
   * next `read()`, then its memory is reused; `keep(img)` takes one out of the pool. false:
   * every frame gets fresh memory the caller owns.
   */
  recycle?: boolean;
  /** Complete frames buffered ahead of the consumer before the stream is paused (default 1). */
  readAhead?: number;
  /** Largest `width * height` accepted (default: twice the image pixel limit, as `open()`). */
  maxPixels?: number;
}

interface Pending {
  resolve: (img: Image | null) => void;
  reject: (err: unknown) => void;
}

/**
 * Yields the frames a `FrameWriter` sent, as loaded images, in order; `null` / end of
 * iteration when the stream ends on a frame boundary.
 * @throws DecodeError (bad magic, version, mode, flags or length; the stream is destroyed),
 *   DecompressionBombError (oversized), TruncatedImageError (the stream ended or failed mid-frame).
 * @example
 * for await (const img of new FrameReader(socket)) use(toArray(img, { copy: false }).data);
 */
export class FrameReader implements AsyncIterable<Image> {
  readonly #stream: Readable;
  readonly #recycle: boolean;
  readonly #readAhead: number;
  readonly #maxPixels: number;

  readonly #header = new Uint8Array(FRAME_HEADER_BYTES);
  #headerFill = 0;
  /** The frame being filled: its mode, size and final memory. */
  #current: { mode: Mode; width: number; height: number; bytes: Uint8Array; fill: number } | undefined;
  #offset = 0; // stream bytes consumed, for error messages
  #frameIndex = 0;

  readonly #ready: Image[] = [];
  readonly #waiting: Pending[] = [];
  /** Bytes of the last chunk not parsed yet: held (not copied) while the consumer is behind. */
  #rest: Uint8Array | undefined;
  /** The stream said it is over (end, close or error) ... */
  #streamDone: { cause?: unknown } | undefined;
  /** ... and every byte it gave is parsed: the reader's final state. */
  #end: { error?: Error } | undefined;

  readonly #free: ArrayBuffer[] = [];
  readonly #lent = new Map<Image, ArrayBuffer>();

  readonly #onData = (chunk: unknown) => {
    this.#push(chunk);
  };
  readonly #onEnd = () => {
    this.#streamOver();
  };
  readonly #onError = (err: unknown) => {
    this.#streamOver(err);
  };
  readonly #onClose = () => {
    this.#streamOver();
  };

  constructor(stream: Readable, options: FrameReaderOptions = {}) {
    if (typeof stream !== 'object' || stream === null || typeof (stream as Partial<Readable>).on !== 'function') {
      throw invalidArgument('stream', 'a readable Node stream', stream);
    }
    const limit = getMaxImagePixels();
    const { recycle = true, readAhead = 1, maxPixels = limit === null ? Infinity : 2 * limit } = options;
    if (typeof recycle !== 'boolean') throw invalidArgument('options.recycle', 'a boolean', recycle);
    if (!Number.isInteger(readAhead) || readAhead < 1) throw invalidArgument('options.readAhead', 'a positive integer', readAhead);
    if (!(maxPixels > 0)) throw invalidArgument('options.maxPixels', 'a positive number', maxPixels);
    this.#stream = stream;
    this.#recycle = recycle;
    this.#readAhead = readAhead;
    this.#maxPixels = maxPixels;
    if (!zeroCopySockets.has(stream)) stream.on('data', this.#onData);
    stream.on('end', this.#onEnd);
    stream.on('error', this.#onError);
    stream.on('close', this.#onClose);
  }

  /**
   * Connects to a frame server (`net.connect` options: `{ port, host }` or `{ path }`) and
   * reads with the socket's `onread` hook pointed at the frame being filled, so the kernel
   * writes the pixels straight into the pooled array: no per-chunk buffer, no copy. (A
   * socket accepted by a server has no such hook: `new FrameReader(socket)` copies once.)
   */
  static connect(options: net.NetConnectOpts & FrameReaderOptions): FrameReader {
    const self: { reader?: FrameReader } = {};
    const onread: net.OnReadOpts = {
      // asked at connect time and after each read: the reader exists by then
      buffer: () => (self.reader as FrameReader).#target(),
      callback: (n: number) => (self.reader as FrameReader).#received(n),
    };
    // Node's Socket constructor takes onread (net.js) though @types/node 20 lists it for connect only
    const socket = new net.Socket({ onread } as net.SocketConstructorOpts);
    zeroCopySockets.add(socket);
    const reader = new FrameReader(socket, options);
    self.reader = reader;
    socket.connect(options);
    socket.resume(); // no 'data' listener: flow explicitly (reads start once connected)
    return reader;
  }

  /** The stream frames are read from (for `FrameReader.connect`, the socket it made). */
  get stream(): Readable {
    return this.#stream;
  }

  /** The next frame, or null when the stream ended cleanly between frames. */
  read(): Promise<Image | null> {
    if (this.#recycle) {
      for (const buffer of this.#lent.values()) this.#release(buffer);
      this.#lent.clear();
    }
    const img = this.#ready.shift();
    this.#catchUp();
    if (img !== undefined) return Promise.resolve(this.#lend(img));
    if (this.#end !== undefined) return this.#end.error === undefined ? Promise.resolve(null) : Promise.reject(this.#end.error);
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  /** Takes `img` (returned by `read()`) out of the pool: it stays valid after the next read. */
  keep(img: Image): void {
    this.#lent.delete(img);
  }

  /** Stops reading and destroys the stream. Pending and later reads resolve null. */
  close(): void {
    this.#ready.length = 0;
    this.#rest = undefined;
    this.#settle();
    this.#stream.destroy();
  }

  /** The frames as images, one per frame read (`for await (const img of reader)`). */
  async *[Symbol.asyncIterator](): AsyncIterator<Image> {
    for (;;) {
      const img = await this.read();
      if (img === null) return;
      yield img;
    }
  }

  #lend(img: Image): Image {
    if (this.#recycle) {
      const px = img._pixels('FrameReader');
      this.#lent.set(img, px.data.buffer as ArrayBuffer);
    }
    return img;
  }

  #release(buffer: ArrayBuffer): void {
    if (this.#free.length >= this.#readAhead + 2) this.#free.shift();
    this.#free.push(buffer);
  }

  #take(byteLength: number): ArrayBuffer {
    if (this.#recycle) {
      const i = this.#free.findIndex((b) => b.byteLength === byteLength);
      const [reused] = i >= 0 ? this.#free.splice(i, 1) : [];
      if (reused !== undefined) return reused;
    }
    return new ArrayBuffer(byteLength);
  }

  /** Parses held bytes while there is room ahead, then lets the stream flow again. */
  #catchUp(): void {
    const rest = this.#rest;
    if (rest !== undefined && this.#ready.length < this.#readAhead) {
      this.#rest = undefined;
      this.#push(rest);
    }
    if (this.#end !== undefined) return;
    if (this.#rest === undefined && this.#streamDone !== undefined) this.#settle();
    else if (this.#rest === undefined && this.#ready.length < this.#readAhead && this.#stream.isPaused()) this.#stream.resume();
  }

  #push(chunk: unknown): void {
    if (this.#end !== undefined) return;
    if (!(chunk instanceof Uint8Array)) {
      this.#fail(new InvalidArgumentError('FrameReader: the stream yields strings or objects; it must yield bytes (no setEncoding, no object mode)'));
      return;
    }
    let pos = 0;
    while (pos < chunk.length) {
      if (this.#ready.length >= this.#readAhead) {
        // the consumer is behind: hold the remainder (a view, not a copy) and stop the flow
        this.#rest = chunk.subarray(pos);
        break;
      }
      const target = this.#target();
      const n = Math.min(target.length, chunk.length - pos);
      target.set(chunk.subarray(pos, pos + n));
      pos += n;
      if (!this.#advance(n)) return;
    }
    if (this.#ready.length >= this.#readAhead) this.#stream.pause();
  }

  /** Where the next stream bytes go: the rest of the header, or the rest of the frame's pixels. */
  #target(): Uint8Array {
    const cur = this.#current;
    return cur === undefined ? this.#header.subarray(this.#headerFill) : cur.bytes.subarray(cur.fill);
  }

  /** `n` bytes were written at `#target()`; false after a protocol error. */
  #advance(n: number): boolean {
    this.#offset += n;
    const cur = this.#current;
    if (cur !== undefined) {
      cur.fill += n;
      if (cur.fill === cur.bytes.length) this.#completeFrame();
      return true;
    }
    this.#headerFill += n;
    if (this.#headerFill < FRAME_HEADER_BYTES) return true;
    const err = this.#startFrame();
    if (err === undefined) return true;
    this.#fail(err);
    return false;
  }

  /** Zero-copy socket (`FrameReader.connect`): the kernel wrote `n` bytes at `#target()`. */
  #received(n: number): boolean {
    if (this.#end !== undefined || !this.#advance(n)) return false;
    if (this.#ready.length >= this.#readAhead) this.#stream.pause(); // stops the socket's reads
    return true;
  }

  /** Parses the header just read; returns the error for a bad one. */
  #startFrame(): Error | undefined {
    const h = this.#header;
    const dv = new DataView(h.buffer);
    const at = this.#offset - FRAME_HEADER_BYTES;
    const where = `frame ${this.#frameIndex} (header at stream byte ${at})`;
    const magic = String.fromCharCode(h[0] ?? 0, h[1] ?? 0, h[2] ?? 0, h[3] ?? 0);
    if (magic !== FRAME_MAGIC) return new DecodeError(`FrameReader: ${where}: bad magic ${JSON.stringify(magic)}, expected "${FRAME_MAGIC}"`, { offset: at });
    if (h[4] !== FRAME_VERSION) return new DecodeError(`FrameReader: ${where}: unsupported version ${String(h[4])}, this reader speaks ${FRAME_VERSION}`, { offset: at + 4 });
    const mode = FRAME_MODES[(h[5] ?? 0) - 1];
    if (mode === undefined) return new DecodeError(`FrameReader: ${where}: unknown mode code ${String(h[5])}`, { offset: at + 5 });
    const flags = dv.getUint16(6, true);
    if (flags !== 0) return new DecodeError(`FrameReader: ${where}: reserved flags are ${flags}, expected 0`, { offset: at + 6 });
    const width = dv.getUint32(8, true);
    const height = dv.getUint32(12, true);
    if (width === 0 || height === 0) return new DecodeError(`FrameReader: ${where}: empty size ${width}x${height}`, { offset: at + 8 });
    if (width * height > this.#maxPixels) return new DecompressionBombError(width * height, this.#maxPixels / 2);
    const length = dv.getBigUint64(16, true);
    const want = payloadBytes(mode, width, height);
    if (want > MAX_ARRAY_BYTES) return new DecodeError(`FrameReader: ${where}: a ${mode} ${width}x${height} frame (${want} bytes) is larger than one array can be`, { offset: at + 8 });
    if (length !== BigInt(want)) {
      return new DecodeError(`FrameReader: ${where}: declares ${length} payload bytes, a ${mode} ${width}x${height} frame has ${want}`, { offset: at + 16 });
    }
    this.#current = { mode, width, height, bytes: new Uint8Array(this.#take(want)), fill: 0 };
    this.#headerFill = 0;
    return undefined;
  }

  #completeFrame(): void {
    const cur = this.#current;
    if (cur === undefined) return;
    this.#current = undefined;
    this.#frameIndex++;
    const img = fromStorage(cur.mode, [cur.width, cur.height], viewAs(cur.mode, cur.bytes));
    const waiter = this.#waiting.shift();
    if (waiter !== undefined) waiter.resolve(this.#lend(img));
    else this.#ready.push(img);
  }

  /** A protocol error: report it and destroy the stream (the bytes after it mean nothing). */
  #fail(err: Error): void {
    this.#rest = undefined;
    this.#settle(err);
    this.#stream.destroy();
  }

  /** The stream is over; settle once the bytes it gave are parsed. */
  #streamOver(cause?: unknown): void {
    this.#stream.off('data', this.#onData);
    this.#streamDone ??= cause === undefined ? {} : { cause };
    if (this.#rest === undefined) this.#settle();
  }

  /** Final state: clean between frames, or an error (a half frame is never yielded). */
  #settle(failure?: Error): void {
    if (this.#end !== undefined) return;
    this.#stream.off('data', this.#onData);
    const cause = this.#streamDone?.cause;
    let error: Error | undefined = failure ?? (cause === undefined ? undefined : cause instanceof Error ? cause : new Error('FrameReader: the stream failed', { cause }));
    const cur = this.#current;
    if (failure === undefined && (cur !== undefined || this.#headerFill > 0)) {
      const got = cur === undefined ? `${this.#headerFill} of ${FRAME_HEADER_BYTES} header bytes` : `${cur.fill} of ${cur.bytes.length} pixel bytes`;
      error = new TruncatedImageError(`FrameReader: the stream ended after ${got} of frame ${this.#frameIndex} (stream byte ${this.#offset})`, cause === undefined ? undefined : { cause });
    }
    this.#current = undefined;
    this.#end = error === undefined ? {} : { error };
    for (const w of this.#waiting.splice(0)) {
      if (error === undefined) w.resolve(null);
      else w.reject(error);
    }
  }
}
