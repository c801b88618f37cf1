import { defineConfig } from 'vitest/config';

// Unit tests sit beside the code they test. End-to-end tests have their own config in e2e/.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'engine', include: ['engine/src/**/*.test.ts'], environment: 'node' } },
      { test: { name: 'renderer', include: ['renderer/src/**/*.test.{ts,tsx}'], environment: 'node' } },
      // The engine supervisor's tests start real child processes, which take seconds on a busy machine.
      {
        test: {
          name: 'electron',
          include: ['electron/src/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      { test: { name: 'build', include: ['build/**/*.test.ts'], environment: 'node', testTimeout: 30_000 } },
    ],
  },
});
