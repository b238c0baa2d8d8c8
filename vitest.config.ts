import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['engine/**/*.test.ts', 'shared/**/*.test.ts', 'electron/**/*.test.ts', 'scripts/**/*.test.ts', 'tracker/**/*.test.ts', 'bench/**/*.test.ts', 'renderer/src/lib/**/*.test.ts'],
    testTimeout: 20_000,
    pool: 'forks',
  },
});
