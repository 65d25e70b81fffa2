/**
 * ThreadInflater: the PNG decoder's inflate on a second core. A helper thread
 * (./inflate-worker.ts) inflates with node:zlib while this thread unfilters what it inflated
 * a moment before: the two overlap, as with node:zlib's stream, but without its new Buffer
 * per chunk. The two threads share one small SharedArrayBuffer per decode (JOB_BYTES):
 *
 *   control words | zlib's error message | input ring (compressed bytes, this thread writes)
 *                 | SLOTS output slots of SLOT bytes (inflated bytes, the helper writes)
 *
 * Each side bumps a counter and `Atomics.notify`s; each waits with `Atomics.wait` on one word
 * (WAKE for the helper, PROGRESS for this thread). Slots are consumed in order and handed to the
 * consumer (RowSink.write) as views, valid during the call, exactly as BlockInflater's block.
 *
 * The helper starts on the first large decode (a thread's start-up costs more than inflating
 * a small image): until it is ready, and while it serves another decode, `create` returns
 * undefined and the decoder uses BlockInflater. imreadBatch's decoding threads do not use it
 * (they already fill the cores: batch-worker.ts prefers BlockInflater).
 */
import { Worker } from 'node:worker_threads';
import { ZlibError, blockInflateWorks, type Consumer, type Inflater } from './inflate.js';

/** Output slots (inflated bytes) and their size; the input ring's size (a power of two). */
export const SLOTS = 4;
export const SLOT = 128 * 1024;
export const RING = 256 * 1024;
/** Room for zlib's error message (UTF-8). */
export const MESSAGE = 256;

/** Control words (Int32Array indices). Counters only grow; ring positions are counter % size. */
export const C = {
  /** Compressed bytes written into the ring by this thread / read from it by the helper. */
  inWritten: 0,
  inRead: 1,
  /** This thread will write no more input. */
  inEnd: 2,
  /** Slots filled by the helper / given to the consumer by this thread. */
  outWritten: 3,
  outRead: 4,
  /** This thread wants no more output (image complete, or it failed). */
  stop: 5,
  /** The helper's job state (RUNNING, ENDED, FAILED), zlib's errno, the message's length. */
  state: 6,
  errno: 7,
  messageLength: 8,
  /** Bumped by this thread on any change (the helper waits here) / by the helper. */
  wake: 9,
  progress: 10,
  /** Bytes in each output slot. */
  slotLength: 11,
} as const;
const CONTROL_WORDS = C.slotLength + SLOTS;

export const RUNNING = 0;
export const ENDED = 1;
export const FAILED = 2;

export const MESSAGE_AT = 128;
export const RING_AT = MESSAGE_AT + MESSAGE;
export const SLOTS_AT = RING_AT + RING;
export const JOB_BYTES = SLOTS_AT + SLOTS * SLOT;

export interface Job {
  memory: SharedArrayBuffer;
}

/** The helper's workerData: one word, 1 while it runs a job (set here, cleared by the helper). */
export interface HelperData {
  busy: SharedArrayBuffer;
}

/** Typed views of one job's shared memory. */
export function jobViews(memory: SharedArrayBuffer): { control: Int32Array; message: Uint8Array; ring: Uint8Array; slots: Uint8Array } {
  return {
    control: new Int32Array(memory, 0, CONTROL_WORDS),
    message: new Uint8Array(memory, MESSAGE_AT, MESSAGE),
    ring: new Uint8Array(memory, RING_AT, RING),
    slots: new Uint8Array(memory, SLOTS_AT, SLOTS * SLOT),
  };
}

/** Bumps `word` and wakes whoever waits on it. */
export function signal(control: Int32Array, word: number): void {
  Atomics.add(control, word, 1);
  Atomics.notify(control, word);
}

const ZLIB_CODES: Record<number, string> = { 2: 'Z_NEED_DICT', [-2]: 'Z_STREAM_ERROR', [-3]: 'Z_DATA_ERROR', [-4]: 'Z_MEM_ERROR', [-5]: 'Z_BUF_ERROR' };

// ---- the helper thread ------------------------------------------------------------------

interface Helper {
  worker: Worker;
  ready: boolean;
  busy: Int32Array;
  exited: boolean;
}
let helper: Helper | undefined;
let readyWaiters: (() => void)[] = [];
/** Helpers that ended before they were ready (no worker file in a bundle, threads not allowed...). */
let failedStarts = 0;
const MAX_FAILED_STARTS = 2;

/** The running helper, or a new one; undefined once starting one has failed twice. */
function currentHelper(): Helper | undefined {
  if (helper === undefined && failedStarts < MAX_FAILED_STARTS) {
    try {
      helper = startHelper();
    } catch {
      failedStarts++;
    }
  }
  return helper;
}

function startHelper(): Helper {
  const url = new URL(import.meta.url.endsWith('.ts') ? './inflate-worker.ts' : './inflate-worker.js', import.meta.url);
  const workerData: HelperData = { busy: new SharedArrayBuffer(4) };
  const worker = url.pathname.endsWith('.js')
    ? new Worker(url, { workerData })
    : new Worker(`import { register } from 'tsx/esm/api'; register(); await import(${JSON.stringify(url.href)});`, { eval: true, workerData });
  const h: Helper = { worker, ready: false, busy: new Int32Array(workerData.busy), exited: false };
  worker.on('message', (m: unknown) => {
    if (m === 'ready') {
      h.ready = true;
      const waiters = readyWaiters;
      readyWaiters = [];
      for (const w of waiters) w();
    }
  });
  const gone = (): void => {
    if (h.exited) return;
    h.exited = true;
    if (!h.ready) failedStarts++;
    if (helper === h) helper = undefined;
    const waiters = readyWaiters;
    readyWaiters = [];
    for (const w of waiters) w();
  };
  worker.on('error', gone);
  worker.on('exit', gone);
  worker.unref(); // (after the listeners) never keeps the process alive: a decode in progress does, by itself
  return h;
}

/** Starts the helper thread if it is not running; resolves once it can take work (tests, benchmarks). */
export function inflateThreadReady(): Promise<boolean> {
  const h = currentHelper();
  if (h === undefined) return Promise.resolve(false);
  if (h.ready || h.exited) return Promise.resolve(h.ready && !h.exited);
  h.worker.ref(); // someone waits for it: keep the process alive until it is up
  return new Promise((resolve) => readyWaiters.push(() => {
    h.worker.unref();
    resolve(h.ready && !h.exited);
  }));
}

/** Decodes the helper has taken so far (tests check that the thread path really ran). */
export let threadJobs = 0;

/** For tests: resolves once the helper has finished its job (it takes one decode at a time). */
export async function inflateThreadIdle(): Promise<void> {
  while (helper !== undefined && !helper.exited && Atomics.load(helper.busy, 0) !== 0) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** For tests: ends the helper thread (as if it had crashed). */
export async function stopInflateThread(): Promise<void> {
  const h = helper;
  helper = undefined;
  if (h !== undefined && !h.exited) await h.worker.terminate();
}

// ---- this thread's side -----------------------------------------------------------------

/** Blocking waits last at most this long before the event loop gets a turn. */
const YIELD_MS = 10;
const WAIT_MS = 2;

export class ThreadInflater implements Inflater {
  failure: unknown = null;
  private readonly control: Int32Array;
  private readonly message: Uint8Array;
  private readonly ring: Uint8Array;
  private readonly slots: Uint8Array;
  private written = 0;
  private read = 0;
  private wanting = true;
  private released = false;
  private sliceEnd = performance.now() + YIELD_MS;

  private constructor(private readonly h: Helper, private readonly consume: Consumer) {
    const memory = new SharedArrayBuffer(JOB_BYTES);
    ({ control: this.control, message: this.message, ring: this.ring, slots: this.slots } = jobViews(memory));
    Atomics.store(h.busy, 0, 1);
    threadJobs++;
    h.worker.postMessage({ memory } satisfies Job);
  }

  /**
   * A ThreadInflater when the helper thread is ready and free, else undefined (the helper is
   * started for next time).
   */
  static create(consume: Consumer): ThreadInflater | undefined {
    // the helper drives zlib's handle as BlockInflater does: where that is missing, neither runs
    if (!blockInflateWorks()) return undefined;
    const h = currentHelper();
    if (h === undefined || !h.ready || h.exited || Atomics.load(h.busy, 0) !== 0) return undefined;
    return new ThreadInflater(h, consume);
  }

  async push(piece: Uint8Array): Promise<void> {
    for (let at = 0; at < piece.length && this.live(); ) {
      at += this.copyIn(piece, at);
      this.drain();
      if (at < piece.length) await this.waitForHelper();
    }
  }

  flush(): void {
    this.drain();
  }

  async finish(): Promise<void> {
    const { control } = this;
    if (this.live()) {
      Atomics.store(control, C.inEnd, 1);
      signal(control, C.wake);
      for (;;) {
        this.drain();
        if (!this.live()) break;
        const state = Atomics.load(control, C.state);
        if (state !== RUNNING && this.read === Atomics.load(control, C.outWritten)) {
          if (state === FAILED) this.failure ??= this.zlibError();
          break;
        }
        await this.waitForHelper();
      }
    }
    this.stop();
    // The helper notices the stop within one slot's inflate: wait that long, so that the next
    // decode finds it free (it would use BlockInflater otherwise).
    Atomics.wait(this.h.busy, 0, 1, WAIT_MS);
  }

  stop(): void {
    this.wanting = false;
    if (this.released) return;
    this.released = true;
    Atomics.store(this.control, C.stop, 1);
    signal(this.control, C.wake);
  }

  /** The consumer wants more, nothing failed, and the helper is still there. */
  private live(): boolean {
    if (this.h.exited && this.wanting && this.failure === null) {
      this.failure = new Error('the PNG inflate thread exited during the decode');
    }
    return this.wanting && this.failure === null;
  }

  /** Copies what fits of `piece[at..]` into the ring; returns the bytes taken. */
  private copyIn(piece: Uint8Array, at: number): number {
    const { control, ring } = this;
    const free = RING - ((this.written - Atomics.load(control, C.inRead)) | 0);
    const n = Math.min(free, piece.length - at);
    if (n <= 0) return 0;
    const pos = this.written & (RING - 1);
    const first = Math.min(n, RING - pos);
    ring.set(piece.subarray(at, at + first), pos);
    if (first < n) ring.set(piece.subarray(at + first, at + n), 0);
    this.written = (this.written + n) | 0;
    Atomics.store(control, C.inWritten, this.written);
    signal(control, C.wake);
    return n;
  }

  /** Hands every filled slot to the consumer, in order. */
  private drain(): void {
    const { control, slots } = this;
    while (this.live() && this.read !== Atomics.load(control, C.outWritten)) {
      const slot = this.read % SLOTS;
      const length = Atomics.load(control, C.slotLength + slot);
      try {
        if (!this.consume(slots.subarray(slot * SLOT, slot * SLOT + length))) this.wanting = false;
      } catch (e) {
        this.failure ??= e;
      }
      this.read = (this.read + 1) | 0;
      Atomics.store(control, C.outRead, this.read);
      signal(control, C.wake);
    }
  }

  /**
   * Blocks until the helper makes progress (a few ms at most), giving the event loop a turn
   * every YIELD_MS: a server keeps answering while a large image decodes.
   */
  private async waitForHelper(): Promise<void> {
    const seen = Atomics.load(this.control, C.progress);
    if (this.read === Atomics.load(this.control, C.outWritten)) Atomics.wait(this.control, C.progress, seen, WAIT_MS);
    if (performance.now() > this.sliceEnd) {
      await new Promise((resolve) => setImmediate(resolve));
      this.sliceEnd = performance.now() + YIELD_MS;
    }
  }

  private zlibError(): ZlibError {
    const { control, message } = this;
    const errno = Atomics.load(control, C.errno);
    const text = Buffer.from(message.subarray(0, Atomics.load(control, C.messageLength))).toString('utf8');
    return new ZlibError(text, errno, ZLIB_CODES[errno]);
  }
}
