/**
 * One decoding thread of `imreadBatch` (src/io/batch.ts): decodes each task's source into
 * its slot of the shared batch memory and replies ok or the error as plain data.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DTYPES, MODES, elementCount, type ArrayOf, type Mode } from '../modes.js';
import { decodeIntoSlot, errorData, type SlotSpec, type WorkerReply, type WorkerTask } from './batch.js';

const { memory, spec } = workerData as { memory: SharedArrayBuffer; spec: SlotSpec };
const per = elementCount(spec.mode, spec.width, spec.height);
const Ctor = DTYPES[MODES[spec.mode].dtype];
const port = parentPort;
if (port === null) throw new Error('batch-worker runs as a worker thread of imreadBatch');

port.on('message', (task: WorkerTask) => {
  const slot = new Ctor(memory as unknown as ArrayBuffer, task.index * per * Ctor.BYTES_PER_ELEMENT, per) as ArrayOf<Mode>;
  decodeIntoSlot(task.source, task.index, slot, spec).then(
    () => {
      port.postMessage({ index: task.index, ok: true } satisfies WorkerReply);
    },
    (e: unknown) => {
      port.postMessage({ index: task.index, ok: false, error: errorData(e) } satisfies WorkerReply);
    },
  );
});
