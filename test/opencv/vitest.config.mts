// The OpenCV interop check, run by scripts/opencv.sh after it builds @u4/opencv4nodejs in this
// folder (kept out of imarray's dependency tree and out of `npm test`).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/opencv/*.cvtest.ts'],
    testTimeout: 120_000,
    pool: 'forks',
    execArgv: ['--expose-gc'],
    env: { OPENCV4NODEJS_DISABLE_AUTOBUILD: '1' },
  },
});
