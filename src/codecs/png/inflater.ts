/**
 * Which inflater a PNG decode uses (./inflate.ts, ./inflate-thread.ts):
 *  - ThreadInflater for images of at least THREAD_MIN_BYTES of filtered data, when the helper
 *    thread is up and free: inflate and unfilter overlap on two cores;
 *  - BlockInflater otherwise (and while the helper starts);
 *  - StreamInflater where BlockInflater's feature check fails.
 */
import { BlockInflater, StreamInflater, type Consumer, type Inflater } from './inflate.js';
import { ThreadInflater } from './inflate-thread.js';
import { implementation, type Implementations } from '../../kernels/choose.js';

/** Below this much inflated data a second thread saves less than the hand-over costs. */
export const THREAD_MIN_BYTES = 1 << 20;

/**
 * `useImplementation('inflater', kind)` (kernels/choose.ts): 'thread' uses the helper thread
 * whatever the size (when it is ready: see inflateThreadReady), 'block' / 'stream' force those
 * paths; 'auto' is the default.
 */
export type InflaterKind = Implementations['inflater'];

/** The inflater for a decode of `bytes` bytes of filtered image data. */
export function createInflater(consume: Consumer, bytes: number): Inflater {
  const preferred = implementation('inflater');
  const thread = preferred === 'thread' || (preferred === 'auto' && bytes >= THREAD_MIN_BYTES);
  return (thread ? ThreadInflater.create(consume) : undefined) ??
    (preferred !== 'stream' ? BlockInflater.create(consume) : undefined) ??
    new StreamInflater(consume);
}
