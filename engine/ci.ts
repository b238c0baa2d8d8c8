import { fstatSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StartupError } from './errors';

/**
 * Headless mode for CI (`npm run serve -- --ci`): Footfall for one test run, on a data
 * folder of its own that is removed when it stops, telling the CI script where it is in one
 * machine-readable line on stdout (everything for people goes to stderr):
 *
 *   {"url":"http://127.0.0.1:8686","source":"…","token":"…","dashboard":"…","dataDir":"…"}
 *
 * or, with `--print-env`, lines for a shell or `$GITHUB_ENV` (FOOTFALL_URL=…).
 */
export interface CiMode {
  printEnv: boolean;
  dataDir: string;
  /** The flags for loadConfig: the rest, and the throw-away folder. */
  argv: string[];
}

const CI_FLAGS = new Set(['--ci', '--print-env']);

/** `npm run serve -- --help` adds these to the engine's flags (the desktop app has no CI mode). */
export const CI_USAGE = `  --ci                      for a test run: a throw-away data folder (removed on exit), and one JSON line
                            on stdout with url, source and token; stops on SIGTERM, SIGINT or stdin closing
  --print-env               like --ci, printing FOOTFALL_URL=, FOOTFALL_SOURCE=, FOOTFALL_TOKEN= lines instead`;

/** The CI mode the flags ask for (and a new throw-away folder for it), or null. */
export function ciMode(argv: readonly string[]): CiMode | null {
  if (!argv.some((a) => CI_FLAGS.has(a))) return null;
  if (argv.some((a) => a === '--data-dir' || a.startsWith('--data-dir='))) {
    throw new StartupError('--ci uses a throw-away data folder, removed when Footfall stops; --data-dir names one to keep. Give one or the other.');
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'footfall-ci-'));
  return { printEnv: argv.includes('--print-env'), dataDir, argv: [...argv.filter((a) => !CI_FLAGS.has(a)), '--data-dir', dataDir] };
}

export interface Started {
  url: string;
  source: string;
  token: string;
  dashboard: string;
}

/** The one line (or the env lines) a CI script reads. */
export function ciAnnouncement(mode: CiMode, s: Started): string {
  if (!mode.printEnv) return JSON.stringify({ ...s, dataDir: mode.dataDir });
  return [`FOOTFALL_URL=${s.url}`, `FOOTFALL_SOURCE=${s.source}`, `FOOTFALL_TOKEN=${s.token}`, `FOOTFALL_DASHBOARD=${s.dashboard}`].join('\n');
}

export function removeDataDir(mode: CiMode): void {
  rmSync(mode.dataDir, { recursive: true, force: true });
}

/**
 * Calls `stop` when stdin closes, if stdin is a pipe or socket: the process that started
 * Footfall and holds the other end has gone (a crashed test runner), so no one will send a
 * signal. A terminal or /dev/null (a background job) is not watched: it never closes, or
 * is closed from the start.
 */
export function stopWhenStdinCloses(stop: () => void): void {
  let piped = false;
  try {
    const st = fstatSync(0);
    piped = st.isFIFO() || st.isSocket();
  } catch {
    return;
  }
  if (!piped) return;
  let told = false;
  const once = () => {
    if (!told) stop();
    told = true;
  };
  process.stdin.on('end', once);
  process.stdin.on('close', once);
  process.stdin.resume();
}
