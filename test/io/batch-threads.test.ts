/**
 * imreadBatch's default thread choice (src/io/batch.ts), in a process of its own (vitest runs
 * each file in a fresh fork): JPEGs the native decoder writes straight into their slots stay on
 * the main thread (their decodes run on Node's thread pool); a conversion per image starts threads.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
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

describe('imreadBatch concurrent batches on the threads', () => {
  it('a batch that ends first leaves the threads held for one still running (the process waits for it)', async () => {
    // in a process of its own, with nothing else to keep it alive: a thread released by the
    // first batch while the second waits on it would end the process with the batch unsettled
    const src = JSON.stringify(new URL('../../src/index.ts', import.meta.url).href);
    const script = `
      import { imreadBatch } from ${src};
      const f = ${JSON.stringify(JPEG)};
      const opts = { workers: 2, layout: 'CHW', dtype: 'float32' };
      const [a, b] = await Promise.all([imreadBatch(Array(2).fill(f), opts), imreadBatch(Array(60).fill(f), opts)]);
      process.stdout.write('done ' + a.shape[0] + ' ' + b.shape[0]);
    `;
    // `node` from PATH: the emulated arm64 suite puts its qemu wrapper there
    const { stdout } = await promisify(execFile)('node', ['--import', 'tsx', '--input-type=module', '-e', script]);
    expect(stdout).toBe('done 2 60');
  });
});
