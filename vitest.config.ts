import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/plain-summary-reporter.ts'],
    // Exhaustive runs are CPU-bound and the CLI tests spawn the command: allow time, and assert
    // correctness only, never speed (speed is the bench's job).
    testTimeout: 120_000,
  },
});
