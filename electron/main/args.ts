import { loadConfig, type Config } from '../../engine/config';

/** The engine's flags that take a value (the same as `npm run serve`'s; see engine/config.ts USAGE). */
export const FOOTFALL_FLAGS: ReadonlySet<string> = new Set(['--host', '--port', '--data-dir', '--session-timeout', '--sweep-interval', '--token', '--forward', '--plan']);

/**
 * Footfall's own flags (with their values) out of the desktop app's argv, which also holds
 * the executable, the app folder in development (`electron . --port 9000`) and switches for
 * Chromium or Node (`--no-sandbox`, `--inspect=0`, `--remote-debugging-port=0`) that Footfall
 * must neither refuse nor mistake for its own.
 */
export function footfallArgs(argv: readonly string[]): string[] {
  const picked: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!FOOTFALL_FLAGS.has(name)) continue;
    if (eq > 0) {
      picked.push(arg);
    } else if (i + 1 < argv.length) {
      picked.push(arg, argv[i + 1]!);
      i++;
    } else {
      picked.push(arg); // loadConfig says that it needs a value
    }
  }
  return picked;
}

/** What the desktop app starts with, before it knows its user-data folder. */
export interface DesktopArgs {
  /** The engine's config from flags and env; `dataDir` and `port` are settled by `engineConfig`. */
  base: Config;
  /**
   * The folder Electron must use as `userData` (Chromium's profile, the single-instance lock,
   * the desktop prefs) when the data folder was chosen with --data-dir/FOOTFALL_DATA_DIR:
   * one Footfall per data folder. Null keeps Electron's default (which is the default data dir).
   */
  userDataOverride: string | null;
}

/** Reads flags and env like `npm run serve` does; throws StartupError on a bad value. */
export function readDesktopArgs(argv: readonly string[], env: NodeJS.ProcessEnv): DesktopArgs {
  const base = loadConfig(footfallArgs(argv), env);
  return { base, userDataOverride: base.explicit.includes('dataDir') ? base.dataDir : null };
}

/**
 * The engine's config: data in Electron's userData folder unless one was given; the port
 * given by flag/env, else the one the user last chose in the app, else the default.
 */
export function engineConfig(args: DesktopArgs, userData: string, savedPort: number | null): Config {
  const { base } = args;
  return {
    ...base,
    dataDir: base.explicit.includes('dataDir') ? base.dataDir : userData,
    port: base.explicit.includes('port') ? base.port : (savedPort ?? base.port),
  };
}

/** A port a person or the bridge asked for: an integer from 1 to 65535, else null. */
export function validPort(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535 ? value : null;
}
