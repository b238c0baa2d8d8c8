// Builds (electron-vite: shell, engine entry, dashboard) when the output is missing or older
// than any source file, so `npm run serve` and `npm start` work on a fresh clone.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = join(root, 'out', '.build-stamp');
const SOURCES = ['electron', 'engine', 'renderer', 'shared', 'tracker', 'resources', 'electron.vite.config.ts', 'svelte.config.mjs', 'package.json', 'scripts/build-tracker.mjs'];

function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = st.mtimeMs;
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name.endsWith('.test.ts')) continue;
    max = Math.max(max, newest(join(path, name)));
  }
  return max;
}

export function buildIfNeeded({ quiet = false } = {}) {
  const built = existsSync(STAMP) ? statSync(STAMP).mtimeMs : 0;
  const src = Math.max(...SOURCES.map((s) => newest(join(root, s))));
  if (built >= src && existsSync(join(root, 'out/main/serve.js'))) return;
  if (!quiet) console.error('Footfall: building (sources changed since the last build)...');
  // Under `npm run`, npm_execpath is npm's own CLI; run it with this Node.
  const cli = process.env.npm_execpath;
  const [cmd, args] = cli ? [process.execPath, [cli, 'run', '--silent', 'build']] : ['npm', ['run', '--silent', 'build']];
  const r = spawnSync(cmd, args, { cwd: root, stdio: quiet ? 'ignore' : ['ignore', 'ignore', 'inherit'], shell: !cli && process.platform === 'win32' });
  if (r.status !== 0) {
    console.error('Footfall: the build failed; run `npm run build` to see why.');
    process.exit(1);
  }
  writeFileSync(STAMP, new Date().toISOString());
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildIfNeeded();
