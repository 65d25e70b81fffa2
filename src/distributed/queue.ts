/**
 * A batch over many machines: BullMQ on Redis carries one job per chunk of the Zarr array
 * (./plan.ts); workers anywhere that see the same files and the same array folder take jobs,
 * fill their chunk with `imreadBatch` and write it once. BullMQ gives what a bespoke protocol
 * would have to re-invent: retries with backoff, a job whose worker died (its lock not renewed)
 * handed to another worker, progress events, and clients that wait for Redis and carry on when it
 * is back. A chunk written twice (a retried job) replaces itself: nothing is duplicated.
 *
 * `bullmq` is an optional peer dependency (`npm install bullmq`): it is loaded only here.
 */
import { createHash } from 'node:crypto';
import { ImarrayError, InvalidArgumentError, UnsupportedError, invalidArgument } from '../core/errors.js';
import { arrayAt, createPlannedArray, fillChunk, imagesIn, missingChunks, packageVersion, planBatch, summaryOf, taskOf, type BatchPlan, type ChunkResult, type ChunkTask, type ZarrBatchOptions, type ZarrBatchProgress, type ZarrBatchSummary } from './plan.js';
import { hasChunk, removeTemporaries } from './zarr.js';

/** Where the queue is: a Redis URL and the queue's name. */
export interface QueueConnection {
  /** `redis://[user:password@]host:port[/db]` */
  queue: string;
  /** The BullMQ queue's name (default `'imarray'`): workers take jobs from the queue of this name. */
  name?: string;
}

/** Options of `enqueueBatch`. */
export interface EnqueueBatchOptions extends ZarrBatchOptions, QueueConnection {
  /** Attempts after the first for a chunk that fails (default 2), with exponential backoff from 1 s. */
  retries?: number;
  /**
   * Enqueue only the chunks not written yet, into an array that exists (a batch whose
   * coordinator or workers stopped); jobs still waiting or running are left as they are.
   */
  resume?: boolean;
}

/** A chunk that failed after its retries. */
export interface FailedChunk {
  chunk: number;
  reason: string;
}

/** A batch on the queue: wait for it, or close the connection and let it run. */
export interface EnqueuedBatch {
  out: string;
  chunks: number;
  /** Chunks enqueued by this call (with `resume`, the missing ones). */
  enqueued: number;
  /** Resolves when every chunk is written or has failed after its retries. */
  wait(options?: { onProgress?: (p: ZarrBatchProgress & { failed: number }) => void; pollMs?: number }): Promise<ZarrBatchSummary & { failed: FailedChunk[] }>;
  /** Closes this process's Redis connections; the jobs stay queued for the workers. */
  close(): Promise<void>;
}

/** Options of `runWorker`. */
export interface WorkerOptions extends QueueConnection {
  /**
   * Chunks this process fills at once (default 2: one decodes while the other's last images
   * finish and it is written; each `imreadBatch` already uses every core).
   */
  concurrency?: number;
  /**
   * How long a job's lock lasts without renewal, ms (default 30000): a worker that dies loses its
   * job to another after about this long. The lock is renewed at half of it while the job runs.
   */
  lockMs?: number;
  /** Called after each chunk (on this process). */
  onChunk?: (result: ChunkResult) => void;
  /** Connection and job errors the worker survives (Redis down, a chunk failing): default stderr. */
  onError?: (message: string) => void;
}

/** A running worker. */
export interface BatchWorker {
  /** Stops taking jobs, lets the running ones finish, closes the connection. */
  close(): Promise<void>;
}

type BullMQ = typeof import('bullmq');

async function bullmq(): Promise<BullMQ> {
  try {
    return await import('bullmq');
  } catch (e) {
    throw new UnsupportedError('a batch over Redis needs BullMQ: npm install bullmq (imarray loads it only for --queue)', { cause: e });
  }
}

/** ioredis options from a `redis://` URL; BullMQ's blocking calls need `maxRetriesPerRequest: null`. */
export function redisOptions(url: string): { host: string; port: number; db: number; username?: string; password?: string; maxRetriesPerRequest: null } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalidArgument('queue', 'a redis://host:port/db URL', url);
  }
  if (u.protocol !== 'redis:') throw invalidArgument('queue', 'a redis://host:port/db URL', url);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw invalidArgument('queue', 'a redis:// URL whose path is a database number', url);
  return {
    host: u.hostname || '127.0.0.1', port: u.port === '' ? 6379 : Number(u.port), db,
    ...(u.username === '' ? {} : { username: decodeURIComponent(u.username) }),
    ...(u.password === '' ? {} : { password: decodeURIComponent(u.password) }),
    maxRetriesPerRequest: null,
  };
}

const queueName = (c: QueueConnection): string => {
  const name = c.name ?? 'imarray';
  if (typeof name !== 'string' || !/^[\w.-]+$/.test(name)) throw invalidArgument('name', 'a queue name of letters, digits, _ . -', name);
  return name;
};

/** The job id of chunk `c` of the array at `out` (BullMQ ignores a second job with the same id). */
const jobId = (out: string, c: number): string => `${createHash('sha256').update(out).digest('hex').slice(0, 16)}-${c}`;

/**
 * Plans the batch, creates its Zarr array and enqueues one job per chunk (only the missing
 * chunks with `resume`). Workers (`runWorker`, `imarray worker`) on any machine fill them.
 * @example
 * const b = await enqueueBatch('photos/', { out: '/shared/photos.zarr', queue: 'redis://10.0.0.5:6379/0', mode: 'RGB', resize: [224, 224] });
 * const { failed } = await b.wait({ onProgress: (p) => console.log(p.chunksDone, '/', p.chunks) });
 * await b.close();
 */
export async function enqueueBatch(sources: string | readonly string[], options: EnqueueBatchOptions): Promise<EnqueuedBatch> {
  const retries = options.retries ?? 2;
  if (!Number.isInteger(retries) || retries < 0) throw invalidArgument('options.retries', 'a non-negative integer', retries);
  const connection = redisOptions(options.queue);
  const name = queueName(options);
  const plan = await planBatch(sources, options);
  if (arrayAt(plan.out) !== undefined && options.resume !== true) {
    throw new InvalidArgumentError(`${plan.out} exists: --resume fills its missing chunks, or choose another --out`);
  }
  await createPlannedArray(plan, packageVersion());
  // what writers killed long ago left (a running worker's file is younger than its lock)
  removeTemporaries(plan.out, 10 * 60_000);
  const { Queue, QueueEvents } = await bullmq();
  const queue = new Queue<ChunkTask>(name, { connection });
  const events = new QueueEvents(name, { connection });
  queue.on('error', () => undefined); // reconnects; wait() reports what it sees
  events.on('error', () => undefined);
  const failed = new Map<number, string>();
  const ours = new Map(Array.from({ length: plan.chunks }, (_, c) => [jobId(plan.out, c), c]));
  events.on('failed', ({ jobId: id, failedReason }) => {
    const c = ours.get(id);
    if (c !== undefined) failed.set(c, failedReason);
  });
  await events.waitUntilReady();
  const todo = options.resume === true ? missingChunks(plan) : Array.from({ length: plan.chunks }, (_, c) => c);
  let enqueued = 0;
  for (const c of todo) {
    const id = jobId(plan.out, c);
    const old = await queue.getJob(id);
    if (old !== undefined) {
      const state = await old.getState();
      if (state === 'waiting' || state === 'active' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children') continue;
      await old.remove(); // failed or finished earlier while its chunk is missing: again
    }
    await queue.add('chunk', taskOf(plan, c), { jobId: id, attempts: retries + 1, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: false });
    enqueued++;
  }
  return {
    out: plan.out,
    chunks: plan.chunks,
    enqueued,
    wait: (w = {}) => waitFor(plan, queue, failed, w.onProgress, w.pollMs ?? 250),
    close: async () => {
      await events.close();
      await queue.close();
    },
  };
}

/** Polls the array for written chunks (cheap, and right whatever Redis is doing) until every chunk is written or failed. */
async function waitFor(
  plan: BatchPlan,
  queue: InstanceType<BullMQ['Queue']>,
  failed: Map<number, string>,
  onProgress: ((p: ZarrBatchProgress & { failed: number }) => void) | undefined,
  pollMs: number,
): Promise<ZarrBatchSummary & { failed: FailedChunk[] }> {
  let pending = missingChunks(plan);
  let last = -1;
  let still = 0;
  for (;;) {
    pending = pending.filter((c) => !hasChunk(plan.out, c, plan.meta.shape.length));
    const done = plan.chunks - pending.length;
    // a failure event missed while Redis was away: ask for the states of what is left after a quiet while
    if (done === last && ++still % Math.max(1, Math.round(5000 / pollMs)) === 0) {
      for (const c of pending) {
        if (failed.has(c)) continue;
        const job = await queue.getJob(jobId(plan.out, c)).catch(() => undefined);
        if (job !== undefined && (await job.getState().catch(() => 'unknown')) === 'failed') failed.set(c, job.failedReason);
      }
    }
    if (done !== last) still = 0;
    last = done;
    const failedNow = pending.filter((c) => failed.has(c));
    const left = new Set(pending);
    let imagesDone = 0;
    for (let c = 0; c < plan.chunks; c++) if (!left.has(c)) imagesDone += imagesIn(plan, c);
    onProgress?.({ chunksDone: done, chunks: plan.chunks, imagesDone, images: plan.files.length, failed: failedNow.length });
    if (pending.length === failedNow.length) break;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  removeTemporaries(plan.out);
  return { ...summaryOf(plan, []), failed: pending.map((c) => ({ chunk: c, reason: failed.get(c) ?? '' })) };
}

/** An error as a job's failure reason: the class, the stable code and the message (BullMQ keeps the message). */
function reasonOf(e: unknown): Error {
  if (e instanceof ImarrayError) return new Error(`${e.name} [${e.code}]: ${e.message}`);
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * Takes chunk jobs from the queue and fills them, until `close()`.
 * @example
 * const w = await runWorker({ queue: 'redis://10.0.0.5:6379/0', concurrency: 1 });
 * process.on('SIGTERM', () => void w.close());
 */
export async function runWorker(options: WorkerOptions): Promise<BatchWorker> {
  const connection = redisOptions(options.queue);
  const name = queueName(options);
  const concurrency = options.concurrency ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw invalidArgument('options.concurrency', 'a positive integer', concurrency);
  const lockMs = options.lockMs ?? 30_000;
  if (!Number.isInteger(lockMs) || lockMs < 200) throw invalidArgument('options.lockMs', 'an integer of at least 200 (ms)', lockMs);
  const report = options.onError ?? ((m: string) => process.stderr.write(`imarray worker: ${m}\n`));
  const { Worker } = await bullmq();
  const worker = new Worker<ChunkTask, ChunkResult>(
    name,
    async (job) => {
      let lastTenth = -1;
      try {
        const r = await fillChunk(job.data, (done, total) => {
          const tenth = Math.floor((done / total) * 10);
          if (tenth !== lastTenth) {
            lastTenth = tenth;
            void job.updateProgress(Math.round((done / total) * 100)).catch(() => undefined);
          }
        });
        options.onChunk?.(r);
        return r;
      } catch (e) {
        throw reasonOf(e);
      }
    },
    { connection, concurrency, lockDuration: lockMs, stalledInterval: lockMs, maxStalledCount: 2 },
  );
  let lastError = '';
  worker.on('error', (e) => {
    // Redis gone: ioredis reconnects and the worker carries on; say so once per distinct error
    if (e.message !== lastError) report(e.message);
    lastError = e.message;
  });
  worker.on('failed', (job, e) => {
    if (job !== undefined) report(`chunk ${job.data.chunk} of ${job.data.out} failed (attempt ${job.attemptsMade}): ${e.message}`);
  });
  await worker.waitUntilReady();
  return { close: () => worker.close() };
}
