/**
 * Test set-up (vitest.config.ts `setupFiles`): the test processes run with `--no-warnings`, so
 * Node's default printer is off; this listener records the warnings imarray emits by design
 * (Pillow's DecompressionBombWarning, the palette-transparency and invalid-APNG warnings) in
 * `recordedWarnings`, where tests can assert them, and writes any other warning to stderr
 * as Node would, so nothing unexpected goes unseen.
 */
export const recordedWarnings: Error[] = [];

const EXPECTED = [/^DecompressionBombWarning$/, /^ImarrayWarning$/];
const EXPECTED_MESSAGES = [/^Invalid APNG, will use default PNG image if possible$/];

process.on('warning', (w: Error) => {
  if (EXPECTED.some((re) => re.test(w.name)) || EXPECTED_MESSAGES.some((re) => re.test(w.message))) {
    recordedWarnings.push(w);
    return;
  }
  process.stderr.write(`(node:${process.pid}) ${w.name}: ${w.message}\n`);
});
