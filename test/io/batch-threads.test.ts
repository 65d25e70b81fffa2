/**
 * imreadBatch's default thread choice (src/io/batch.ts), in a process of its own (vitest runs
 * each file in a fresh fork): JPEGs the native decoder writes straight into their slots stay on
 * the main thread (their decodes run on Node's thread pool); a conversion per image starts threads.
 */
import { describe, expect, it } from 'vitest';
import { imreadBatch, open, toArray } from '../../src/index.js';
import { nativeJpeg } from '../../src/kernels/native.js';
import { batchThreadCount } from '../../src/io/batch.js';
import { fixture } from '../helpers/fixtures.js';

const JPEG = fixture('jpeg/hopper.jpg');

describe('imreadBatch default workers', () => {
  it.runIf(nativeJpeg() !== null)('40 JPEGs decoded by the native decoder start no thread, and equal the image alone', async () => {
    const alone = toArray(await (await open(JPEG)).load());
    expect(batchThreadCount()).toBe(0);
    const x = await imreadBatch(Array(40).fill(JPEG));
    expect(batchThreadCount()).toBe(0);
    expect(x.shape).toEqual([40, ...alone.shape]);
    const per = alone.data.length;
    for (const i of [0, 17, 39]) expect(Buffer.from(x.data.subarray(i * per, (i + 1) * per)).equals(Buffer.from(alone.data))).toBe(true);
    // a conversion in JavaScript per image (float CHW) is what threads are for
    const y = await imreadBatch(Array(40).fill(JPEG), { layout: 'CHW', dtype: 'float32' });
    expect(y.shape).toEqual([40, 3, alone.shape[0], alone.shape[1]]);
    expect(batchThreadCount()).toBeGreaterThan(0);
  });
});
