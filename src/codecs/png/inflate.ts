/**
 * The PNG decoder's inflate: compressed IDAT pieces in, inflated bytes handed to a consumer
 * (RowSink.write), which unfilters them into the image's one allocation.
 *
 *  BlockInflater (default): node:zlib's native handle driven synchronously on this thread,
 *    always into the SAME output block. No buffer per chunk, so the decode's memory is the
 *    image plus this block plus zlib's 32 KB window, and the inflate is faster than
 *    node:zlib's own sync/stream paths (docs/internals.md), because nothing is allocated,
 *    joined or collected.
 *    It uses the handle's `writeSync`, which node:zlib's own sync functions call
 *    (lib/zlib.js `processChunkSync`), reached through `_handle` / `_writeState`: not a
 *    documented API, so it is feature-checked once (and proved on a tiny stream) and
 *    StreamInflater is used where it is missing.
 *  StreamInflater (fallback): the public `createInflate` stream, inflating on libuv's thread
 *    pool while this thread unfilters. Each output chunk is a new Buffer (garbage).
 */
import { constants, createInflate, deflateSync, type Inflate } from 'node:zlib';

/** Bytes of inflated output per step; stays in L2 cache between inflate and unfilter. */
const BLOCK = 256 * 1024;
/** BlockInflater yields to the event loop after this much synchronous work. */
const YIELD_MS = 10;
/** StreamInflater: output chunk size, compressed bytes per zlib write, buffers circulating. */
const STREAM_CHUNK = 524288;
const STAGE = 256 * 1024;
const STAGE_BUFFERS = 4;
/** StreamInflater: inflated chunks allowed to wait for the consumer before zlib is paused. */
const QUEUE_MAX = 4;

/** Takes inflated bytes (valid only during the call); returns false once it needs no more. */
export type Consumer = (data: Uint8Array) => boolean;

export interface Inflater {
  /** Inflates one piece of the zlib stream into the consumer. */
  push(piece: Uint8Array): Promise<void> | void;
  /** The end of an input block: compressed bytes held back reach zlib now (streams, sockets). */
  flush(): Promise<void> | void;
  /** No more input: resolves once everything inflated has reached the consumer. */
  finish(): Promise<void>;
  /** Stops early (the consumer has all it needs, or failed); frees zlib's state. */
  stop(): void;
  /** zlib's error (with its `code`, e.g. Z_DATA_ERROR) or the consumer's, first one only. */
  readonly failure: unknown;
}

/** The part of node:zlib's internal handle that BlockInflater drives. */
interface ZlibHandle {
  writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void;
  onerror: (message: string, errno: number, code?: string) => void;
}

export class ZlibError extends Error {
  constructor(message: string, readonly errno: number, readonly code: string | undefined) {
    super(message);
    this.name = 'ZlibError';
  }
}

export function handleOf(stream: Inflate): { handle: ZlibHandle; state: Uint32Array } | undefined {
  const internals = stream as unknown as { _handle?: Partial<ZlibHandle> | null; _writeState?: unknown };
  const handle = internals._handle;
  const state = internals._writeState;
  if (handle == null || typeof handle.writeSync !== 'function' || !('onerror' in handle)) return undefined;
  if (!(state instanceof Uint32Array) || state.length < 2) return undefined;
  return { handle: handle as ZlibHandle, state };
}

export class BlockInflater implements Inflater {
  failure: unknown = null;
  private ended = false;
  private sliceEnd = performance.now() + YIELD_MS;
  private readonly out: Uint8Array;

  private constructor(
    private readonly stream: Inflate,
    private readonly handle: ZlibHandle,
    private readonly state: Uint32Array,
    private readonly consume: Consumer,
    blockSize: number,
  ) {
    this.out = new Uint8Array(blockSize);
    handle.onerror = (message, errno, code) => {
      // Called from inside writeSync; the stream object is never used, so nothing else runs.
      this.failure ??= new ZlibError(message, errno, code);
      this.ended = true;
    };
  }

  /** undefined when this Node's zlib has no usable native handle (use StreamInflater). */
  static create(consume: Consumer, blockSize = BLOCK): BlockInflater | undefined {
    return blockInflateWorks() ? BlockInflater.over(createInflate(), consume, blockSize) : undefined;
  }

  private static over(stream: Inflate, consume: Consumer, blockSize: number): BlockInflater | undefined {
    const internals = handleOf(stream);
    if (internals === undefined) {
      stream.close();
      return undefined;
    }
    return new BlockInflater(stream, internals.handle, internals.state, consume, blockSize);
  }

  /**
   * Whether BlockInflater works in this Node: the internals are there and inflating a small
   * stream (in two pieces, through a block smaller than its output) gives the right bytes.
   */
  static probe(): boolean {
    const plain = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) % 251);
    const z = deflateSync(plain);
    const got: number[] = [];
    const inf = BlockInflater.over(createInflate(), (d) => { got.push(...d); return true; }, 1000);
    if (inf === undefined) return false;
    inf.run(z.subarray(0, 100), 0, Infinity);
    inf.run(z.subarray(100), 0, Infinity);
    inf.stop();
    return inf.failure === null && got.length === plain.length && got.every((v, i) => v === plain[i]);
  }

  async push(piece: Uint8Array): Promise<void> {
    // The work is synchronous: give the event loop a turn every YIELD_MS (a server keeps
    // answering while a large image from a Buffer decodes).
    for (let at = 0; at >= 0; ) {
      at = this.run(piece, at, this.sliceEnd);
      if (performance.now() > this.sliceEnd) {
        await new Promise((resolve) => setImmediate(resolve));
        this.sliceEnd = performance.now() + YIELD_MS;
      }
    }
  }

  /**
   * Inflates `piece` from byte `from` until it is used up, the stream or the consumer is done
   * (-1), or `deadline` passes (the offset to go on from).
   */
  private run(piece: Uint8Array, from: number, deadline: number): number {
    const { out, state } = this;
    let off = from;
    let avail = piece.length - from;
    while (!this.ended && this.failure === null) {
      this.handle.writeSync(constants.Z_NO_FLUSH, piece, off, avail, out, 0, out.length);
      if (this.failure !== null) break;
      const availOut = state[0];
      const availIn = state[1];
      off += avail - availIn;
      avail = availIn;
      const have = out.length - availOut;
      if (have > 0) {
        try {
          if (!this.consume(out.subarray(0, have))) this.ended = true;
        } catch (e) {
          this.failure ??= e;
          break;
        }
      }
      if (availOut === 0) {
        // the block filled up: more output may be waiting
        if (performance.now() > deadline && !this.ended) return off;
        continue;
      }
      // zlib stopped with room left: it needs more input, or the stream ended (input left over)
      if (avail > 0) this.ended = true;
      break;
    }
    return -1;
  }

  flush(): void {
    // writeSync has already inflated everything pushed
  }

  finish(): Promise<void> {
    this.stop();
    return Promise.resolve();
  }

  stop(): void {
    this.ended = true;
    this.stream.close();
  }
}

/**
 * The public stream: zlib inflates on libuv's thread pool while this thread consumes.
 * Inflated chunks are queued and handed over in a later macrotask so zlib can inflate the
 * next chunk meanwhile (the two cores overlap). The queue is bounded: zlib is paused while
 * QUEUE_MAX chunks wait.
 */
export class StreamInflater implements Inflater {
  failure: unknown = null;
  private readonly zlib = createInflate({ chunkSize: STREAM_CHUNK });
  private readonly stager = new Stager(this.zlib);
  private readonly queue: Buffer[] = [];
  private scheduled = false;
  private over = false; // zlib ended, failed or was stopped
  private wanting = true; // the consumer wants more
  private settle: () => void = () => undefined;
  private readonly finished = new Promise<void>((resolve) => {
    this.settle = resolve;
  });

  constructor(private readonly consume: Consumer) {
    const { zlib, queue } = this;
    zlib.on('data', (buf: Buffer) => {
      if (!this.wanting || this.failure !== null) return;
      queue.push(buf);
      if (queue.length >= QUEUE_MAX) zlib.pause();
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.drainQueue);
      }
    });
    zlib.on('error', (e) => {
      if (this.wanting && this.failure === null) {
        // bytes inflated before the error still count (Pillow keeps those rows): hand them over first
        for (let buf = queue.shift(); buf !== undefined && this.wanting; buf = queue.shift()) this.give(buf);
        if (this.wanting) this.failure ??= e;
      }
      this.over = true;
      this.checkDone();
    });
    const ended = (): void => {
      this.over = true;
      if (!this.scheduled) this.checkDone();
    };
    zlib.on('end', ended);
    zlib.on('close', ended);
  }

  private give(buf: Buffer): void {
    try {
      if (!this.consume(buf)) this.wanting = false;
    } catch (e) {
      this.failure ??= e;
    }
  }

  private checkDone(): void {
    if (!this.wanting || this.failure !== null) {
      this.queue.length = 0;
      this.zlib.destroy();
      this.settle();
    } else if (this.over && this.queue.length === 0) {
      this.settle();
    }
  }

  // One chunk per macrotask: zlib's completion callback (which queues its next thread-pool
  // job) runs on this thread too, and must not wait behind a long run of unfiltering.
  private readonly drainQueue = (): void => {
    this.scheduled = false;
    const buf = this.queue.shift();
    if (buf !== undefined && this.wanting && this.failure === null) this.give(buf);
    if (this.queue.length > 0 && this.wanting && this.failure === null) {
      this.scheduled = true;
      setImmediate(this.drainQueue);
    }
    if (this.queue.length < QUEUE_MAX && this.zlib.isPaused()) this.zlib.resume();
    this.checkDone();
  };

  async push(piece: Uint8Array): Promise<void> {
    for (let o = 0; o < piece.length && this.wanting && this.failure === null; ) {
      o += await this.stager.add(piece.subarray(o));
    }
  }

  flush(): Promise<void> {
    return this.stager.flush();
  }

  finish(): Promise<void> {
    if (this.wanting && this.failure === null) this.zlib.end();
    else this.checkDone();
    return this.finished;
  }

  stop(): void {
    this.wanting = false;
    this.checkDone();
  }
}

/**
 * Copies IDAT payload pieces into a few recycled staging buffers of STAGE bytes and writes
 * those to zlib. PNG writers emit 8-64 KB IDAT chunks and each zlib write is a thread-pool
 * round trip, so batching matters; recycling (a buffer returns in zlib's write callback,
 * once consumed) keeps compressed data from piling up as garbage, and lets the input reuse
 * its read buffer.
 */
class Stager {
  private readonly free: Uint8Array[] = [];
  private made = 0;
  private waiting: (() => void) | null = null;
  private cur: Uint8Array | null = null;
  private fill = 0;
  private closed = false;

  constructor(private readonly zlib: Inflate) {
    zlib.once('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = null;
    w?.();
  }

  private async take(): Promise<Uint8Array | null> {
    for (;;) {
      if (this.closed) return null;
      const b = this.free.pop();
      if (b !== undefined) return b;
      if (this.made < STAGE_BUFFERS) {
        this.made++;
        return new Uint8Array(STAGE);
      }
      await new Promise<void>((r) => (this.waiting = r));
    }
  }

  /** Copies as much of `piece` as fits; returns the bytes taken (all of it once closed). */
  async add(piece: Uint8Array): Promise<number> {
    this.cur ??= await this.take();
    if (this.cur === null) return piece.length;
    const n = Math.min(STAGE - this.fill, piece.length);
    this.cur.set(piece.subarray(0, n), this.fill);
    this.fill += n;
    if (this.fill === STAGE) await this.flush();
    return n;
  }

  async flush(): Promise<void> {
    const buf = this.cur;
    if (buf === null || this.fill === 0 || this.closed) return;
    const ok = this.zlib.write(buf.subarray(0, this.fill), () => {
      this.free.push(buf);
      this.wake();
    });
    this.cur = null;
    this.fill = 0;
    if (!ok) await waitDrain(this.zlib);
  }
}

function waitDrain(stream: Inflate): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

let blockInflateChecked: boolean | undefined;

/** BlockInflater.probe(), once per thread. */
export function blockInflateWorks(): boolean {
  if (blockInflateChecked === undefined) {
    try {
      blockInflateChecked = BlockInflater.probe();
    } catch {
      blockInflateChecked = false;
    }
  }
  return blockInflateChecked;
}
