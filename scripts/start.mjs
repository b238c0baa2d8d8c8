// `npm start`: the desktop app, or headless mode where the Electron binary is not installed.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { buildIfNeeded } from './build-if-needed.mjs';

/** The Electron binary's path, or null, found without triggering electron's lazy download. */
function electronBinary() {
  try {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('electron/package.json'));
    const pathFile = join(dir, 'path.txt');
    if (!existsSync(pathFile)) return null;
    const bin = join(dir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

buildIfNeeded();
const bin = electronBinary();
if (bin === null) {
  console.log('Footfall: the Electron binary is not installed here (npx install-electron fetches it), so Footfall runs headless; open the dashboard URL below in a browser.');
  await import('../out/main/serve.js');
} else {
  const child = spawn(bin, ['.', ...process.argv.slice(2)], { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}
