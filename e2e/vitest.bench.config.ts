import { defineConfig } from 'vitest/config';

// Benchmarks against the built studio (`npm run bench:gallery`): not tests, and not part of `npm test`.
export default defineConfig({
  test: {
    name: 'bench',
    root: new URL('..', import.meta.url).pathname,
    include: ['e2e/**/*.bench.ts'],
    testTimeout: 1_200_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
