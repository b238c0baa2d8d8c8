// Finds the Electron binary without triggering electron's lazy download (its index.js
// downloads when the binary is missing). Used by `npm start` and e2e/electron.spec.ts.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The Electron binary's path, or null where it is not installed. */
export function electronBinary() {
  try {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('electron/package.json'));
    const pathFile = join(dir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const exe = readFileSync(pathFile, 'utf8').trim();
    // electron's own index.js honours this too (a binary kept outside node_modules).
    const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH || join(dir, 'dist');
    const bin = join(distDir, exe);
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

export const NO_ELECTRON =
  'the Electron binary is not installed here (`npx install-electron` fetches it)';
