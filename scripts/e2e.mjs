// Runs the Playwright end-to-end tests in a Chromium found on this machine.
import { spawnSync } from 'node:child_process';
import { findChromium, HOW_TO_GET_ONE } from './find-chromium.mjs';

const chromium = await findChromium();
if (chromium === null) {
  console.error(HOW_TO_GET_ONE);
  process.exit(1);
}
const r = spawnSync(process.execPath, ['node_modules/@playwright/test/cli.js', 'test', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, CHROMIUM_PATH: chromium },
});
process.exit(r.status ?? 1);
