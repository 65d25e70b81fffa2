/**
 * One decoding thread of `imreadBatch` (src/io/batch.ts): decodes each task's source into
 * its slot of the shared batch memory and replies ok or the error as plain data.
 */
import { useImplementation } from '../kernels/choose.js';
import { parentPort } from 'node:worker_threads';
import { OUT_DTYPES } from '../api/to-array.js';
import { decodeIntoSlot, errorData, type WorkerReply, type WorkerTask } from './batch.js';

// The batch's threads already fill the cores: no PNG inflate helper thread per decoding thread.
useImplementation('inflater', 'block');

const port = parentPort;
if (port === null) throw new Error('batch-worker runs as a worker thread of imreadBatch');

port.on('message', (task: WorkerTask) => {
  const { batch, index, memory, spec } = task;
  const per = spec.length;
  const Ctor = OUT_DTYPES[spec.dtype];
  const slot = new Ctor(memory as unknown as ArrayBuffer, index * per * Ctor.BYTES_PER_ELEMENT, per);
  decodeIntoSlot(task.source, index, slot, spec).then(
    () => {
      port.postMessage({ batch, index, ok: true } satisfies WorkerReply);
    },
    (e: unknown) => {
      port.postMessage({ batch, index, ok: false, error: errorData(e) } satisfies WorkerReply);
    },
  );
});
