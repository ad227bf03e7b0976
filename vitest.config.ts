import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Exhaustive runs are CPU-bound; the CLI tests spawn tsx. Keep per-test time generous,
    // correctness is what tests assert, never speed.
    testTimeout: 120_000,
  },
});
