// `npm start`: the desktop app, or headless mode where the Electron binary is not installed.
import { spawn } from 'node:child_process';
import { buildIfNeeded } from './build-if-needed.mjs';
import { electronBinary } from './electron-binary.mjs';

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
