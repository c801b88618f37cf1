import { defineConfig } from 'vitest/config';

// End-to-end: the built studio served by the real `emu3 serve`, driven in the system Chromium.
export default defineConfig({
  test: {
    name: 'e2e',
    root: new URL('..', import.meta.url).pathname,
    include: ['e2e/**/*.e2e.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One browser and one engine at a time: the machine has two cores.
    fileParallelism: false,
  },
});
