// The distributed batch over real Redis (Debian's redis-server, started per test file on a free
// loopback port) and real worker processes, read back with Debian's python3-zarr: run by
// scripts/distributed.sh (npm run test:distributed), which installs both; kept out of `npm test`,
// which must pass on a machine without them.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/distributed/*.redistest.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
