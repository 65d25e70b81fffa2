/**
 * One decoding thread of `imreadBatch` (src/io/batch.ts): decodes each task's source into a
 * buffer of its own (one handed back by the batch when it can), transferred back with the
 * reply; or replies with the error as plain data.
 */
import { useImplementation } from '../kernels/choose.js';
import { parentPort } from 'node:worker_threads';
import { OUT_DTYPES } from '../api/to-array.js';
import { decodeIntoSlot, errorData, type WorkerReply, type WorkerTask } from './batch.js';

// The batch's threads already fill the cores: no PNG inflate helper thread per decoding thread.
useImplementation('inflater', 'block');

const port = parentPort;
if (port === null) throw new Error('batch-worker runs as a worker thread of imreadBatch');

/** Buffers the batch handed back, reused (zeroed: decoders write into zeroed storage). */
const spare: ArrayBuffer[] = [];
const SPARE_MAX = 2; // images in flight per thread (batch.ts)

function bufferFor(bytes: number): ArrayBuffer {
  const at = spare.findIndex((b) => b.byteLength === bytes);
  if (at < 0) return new ArrayBuffer(bytes);
  const [b] = spare.splice(at, 1) as [ArrayBuffer];
  new Uint8Array(b).fill(0);
  return b;
}

port.on('message', (task: WorkerTask) => {
  const { batch, index, spec } = task;
  if (task.buffer !== undefined) {
    spare.push(task.buffer);
    if (spare.length > SPARE_MAX) spare.shift();
  }
  const Ctor = OUT_DTYPES[spec.dtype];
  const buffer = bufferFor(spec.length * Ctor.BYTES_PER_ELEMENT);
  const slot = new Ctor(buffer, 0, spec.length);
  decodeIntoSlot(task.source, index, slot, spec).then(
    () => {
      port.postMessage({ batch, index, ok: true, buffer } satisfies WorkerReply, [buffer]);
    },
    (e: unknown) => {
      spare.push(buffer);
      if (spare.length > SPARE_MAX) spare.shift();
      port.postMessage({ batch, index, ok: false, error: errorData(e) } satisfies WorkerReply);
    },
  );
});
