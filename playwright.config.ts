import { defineConfig } from '@playwright/test';

// scripts/e2e.mjs sets CHROMIUM_PATH to the Chromium it found (env override, Debian's, or Playwright's).
export default defineConfig({
  testDir: 'e2e',
  // Separate per build folder so parallel runs don't wipe each other's results.
  outputDir: process.env.FOOTFALL_OUT_DIR ? `test-results/${process.env.FOOTFALL_OUT_DIR}` : 'test-results/out',
  timeout: 60_000,
  workers: 2,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    headless: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
});
