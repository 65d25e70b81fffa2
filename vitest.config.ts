import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    // Node prints no process warnings in the test processes; test/helpers/warnings.ts records
    // imarray's (decompression bomb, palette transparency, invalid APNG) and prints any other
    execArgv: ['--no-warnings'],
    setupFiles: ['test/helpers/warnings.ts'],
  },
});
