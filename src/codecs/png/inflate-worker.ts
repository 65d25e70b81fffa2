/**
 * The helper thread of ThreadInflater (./inflate-thread.ts): for each job, inflates the
 * compressed bytes this thread's decoder writes into the shared ring, straight into the shared
 * output slots, with node:zlib's native handle (as BlockInflater does). It waits (Atomics.wait)
 * when the ring is empty or every slot is full, and before waiting for input it hands over a
 * partly filled slot, so a decode fed slowly (a socket) still sees every byte inflated so far.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { constants, createInflate } from 'node:zlib';
import { handleOf } from './inflate.js';
import { C, ENDED, FAILED, RING, SLOT, SLOTS, jobViews, signal, type HelperData, type Job } from './inflate-thread.js';

const port = parentPort;
if (port === null) throw new Error('inflate-worker runs as a worker thread of the PNG decoder');

function run(job: Job): void {
  const { control, message, ring, slots } = jobViews(job.memory);
  const stream = createInflate();
  const z = handleOf(stream);
  let failure: { message: string; errno: number } | null = null;
  let written = 0; // slots handed over
  let fill = 0; // bytes in the slot being filled
  let read = 0; // compressed bytes taken from the ring
  let ended = false;

  const stopped = (): boolean => Atomics.load(control, C.stop) !== 0;
  const publish = (): void => {
    if (fill === 0) return;
    Atomics.store(control, C.slotLength + (written % SLOTS), fill);
    written = (written + 1) | 0;
    fill = 0;
    Atomics.store(control, C.outWritten, written);
    signal(control, C.progress);
  };

  if (z === undefined) {
    failure = { message: 'node:zlib has no native handle in this thread', errno: -2 };
  } else {
    z.handle.onerror = (text, errno) => {
      failure ??= { message: text, errno };
    };
    const { state } = z;
    while (!ended && failure === null && !stopped()) {
      // Waits on WAKE (bumped by the decoder on every change), re-checking after reading it.
      if (((written - Atomics.load(control, C.outRead)) | 0) >= SLOTS) {
        // every slot is waiting for the decoder
        const seen = Atomics.load(control, C.wake);
        if (((written - Atomics.load(control, C.outRead)) | 0) >= SLOTS) Atomics.wait(control, C.wake, seen, 1000);
        continue;
      }
      const avail = (Atomics.load(control, C.inWritten) - read) | 0;
      if (avail === 0) {
        publish();
        if (Atomics.load(control, C.inEnd) !== 0 && Atomics.load(control, C.inWritten) === read) break;
        const seen = Atomics.load(control, C.wake);
        if (Atomics.load(control, C.inWritten) === read && Atomics.load(control, C.inEnd) === 0 && !stopped()) Atomics.wait(control, C.wake, seen, 1000);
        continue;
      }
      const pos = read & (RING - 1);
      const len = Math.min(avail, RING - pos);
      const at = (written % SLOTS) * SLOT;
      z.handle.writeSync(constants.Z_NO_FLUSH, ring, pos, len, slots, at + fill, SLOT - fill);
      if (failure !== null) break;
      const availOut = state[0];
      const availIn = state[1];
      read = (read + len - availIn) | 0;
      Atomics.store(control, C.inRead, read);
      signal(control, C.progress);
      fill = SLOT - availOut;
      if (availOut === 0) publish();
      else if (availIn > 0) ended = true; // room left and input left: the zlib stream is over
    }
  }
  publish();
  if (failure !== null) {
    const bytes = Buffer.from(failure.message, 'utf8').subarray(0, message.length);
    message.set(bytes);
    Atomics.store(control, C.messageLength, bytes.length);
    Atomics.store(control, C.errno, failure.errno);
    Atomics.store(control, C.state, FAILED);
  } else {
    Atomics.store(control, C.state, ENDED);
  }
  signal(control, C.progress);
  stream.close();
}

const busy = new Int32Array((workerData as HelperData).busy);

port.on('message', (job: Job) => {
  try {
    run(job);
  } finally {
    Atomics.store(busy, 0, 0);
    Atomics.notify(busy, 0);
  }
});
port.postMessage('ready');
