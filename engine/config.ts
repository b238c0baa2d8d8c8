import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { StartupError } from './errors';
import { parseUpstream, UpstreamUrlError } from './forward/upstreams';

/** Every setting of the engine, read in one place (flags first, then env, then defaults). */
export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** Session inactivity timeout, seconds. */
  sessionTimeout: number;
  /** How often the sweeper looks for expired sessions, seconds. */
  sweepInterval: number;
  /** Admin token; null means: generated once and kept in the data folder. */
  token: string | null;
  /** Upstreams every committed event is forwarded to (URLs, credentials included). */
  forward: string[];
  /** A tracking plan file (absolute), followed while running; null: the plan kept in the database. */
  plan: string | null;
  /** Settings given by a flag or env var: these win over what the dashboard stored. */
  explicit: ReadonlyArray<keyof Config>;
}

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8686,
  sessionTimeout: 1800,
  sweepInterval: 10,
} as const;

/** Where the OS keeps an app's data; the same folder Electron's `app.getPath('userData')` gives. */
export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home = homedir(),
): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Footfall');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Footfall');
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'Footfall');
}

interface FlagSpec {
  key: keyof Config;
  env?: string;
  parse: (raw: string, flag: string) => Config[keyof Config];
}

function positiveNumber(raw: string, flag: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n <= 0) throw new StartupError(`${flag} must be a positive number of seconds, got "${raw}".`);
  return n;
}

function port(raw: string, flag: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new StartupError(`${flag} must be a port number from 0 to 65535, got "${raw}".`);
  return n;
}

function nonEmpty(raw: string, flag: string): string {
  if (raw.trim() === '') throw new StartupError(`${flag} must not be empty.`);
  return raw;
}

const FLAGS: Record<string, FlagSpec> = {
  '--host': { key: 'host', env: 'FOOTFALL_HOST', parse: nonEmpty },
  '--port': { key: 'port', env: 'FOOTFALL_PORT', parse: port },
  '--data-dir': { key: 'dataDir', env: 'FOOTFALL_DATA_DIR', parse: (raw, flag) => resolve(nonEmpty(raw, flag)) },
  '--session-timeout': { key: 'sessionTimeout', env: 'FOOTFALL_SESSION_TIMEOUT', parse: positiveNumber },
  '--sweep-interval': { key: 'sweepInterval', env: 'FOOTFALL_SWEEP_INTERVAL', parse: positiveNumber },
  '--token': { key: 'token', env: 'FOOTFALL_TOKEN', parse: nonEmpty },
  '--plan': { key: 'plan', env: 'FOOTFALL_PLAN', parse: (raw, flag) => resolve(nonEmpty(raw, flag)) },
};

export const USAGE = `Usage: npm run serve -- [flags]
  --host HOST               address to listen on (FOOTFALL_HOST, default ${DEFAULTS.host})
  --port PORT               port to listen on (FOOTFALL_PORT, default ${DEFAULTS.port})
  --data-dir DIR            where the database lives (FOOTFALL_DATA_DIR, default ${defaultDataDir()})
  --session-timeout SECONDS inactivity that ends a session (FOOTFALL_SESSION_TIMEOUT, default ${DEFAULTS.sessionTimeout})
  --sweep-interval SECONDS  how often expired sessions are ended (FOOTFALL_SWEEP_INTERVAL, default ${DEFAULTS.sweepInterval})
  --token TOKEN             admin token (FOOTFALL_TOKEN, default: generated once, kept in the data folder)
  --plan FILE               check every event against the tracking plan in FILE (JSON), followed
                            as it changes; the dashboard then shows it read-only (FOOTFALL_PLAN)
  --forward URL             also send every event to clickhouse+http://HOST:PORT/DATABASE or
                            track+http://HOST:PORT/track?source=ID (repeatable; FOOTFALL_FORWARD, comma-separated)`;

/** A checked upstream URL; the error names where it came from and never quotes a password. */
function upstream(raw: string, flag: string): string {
  try {
    parseUpstream(raw);
    return raw.trim();
  } catch (err) {
    if (err instanceof UpstreamUrlError) throw new StartupError(`${flag}: ${err.message}`);
    throw err;
  }
}

/** Reads flags (`--port 1`, `--port=1`) and env vars into a Config. Unknown flags are an error. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Config {
  const config: Config = {
    host: DEFAULTS.host,
    port: DEFAULTS.port,
    dataDir: defaultDataDir(process.platform, env),
    sessionTimeout: DEFAULTS.sessionTimeout,
    sweepInterval: DEFAULTS.sweepInterval,
    token: null,
    forward: [],
    plan: null,
    explicit: [],
  };
  const explicit = new Set<keyof Config>();
  const set = (spec: FlagSpec, raw: string, name: string) => {
    (config as unknown as Record<string, unknown>)[spec.key] = spec.parse(raw, name);
    explicit.add(spec.key);
  };
  for (const spec of Object.values(FLAGS)) {
    const raw = spec.env ? env[spec.env] : undefined;
    if (raw !== undefined && raw !== '') set(spec, raw, spec.env!);
  }
  const envForward = (env.FOOTFALL_FORWARD ?? '').split(',').filter((u) => u.trim() !== '').map((u) => upstream(u, 'FOOTFALL_FORWARD'));
  // Repeatable: the flags given replace the environment's list.
  const flagForward: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (name === '--forward') {
      const raw = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (raw === undefined) throw new StartupError(`--forward needs a URL.\n${USAGE}`);
      flagForward.push(upstream(raw, '--forward'));
      continue;
    }
    const spec = FLAGS[name];
    if (!spec) throw new StartupError(`Unknown option "${arg}".\n${USAGE}`);
    let raw: string | undefined;
    if (eq > 0) raw = arg.slice(eq + 1);
    else raw = argv[++i];
    if (raw === undefined) throw new StartupError(`${name} needs a value.\n${USAGE}`);
    set(spec, raw, name);
  }
  config.forward = flagForward.length > 0 ? flagForward : envForward;
  return { ...config, explicit: [...explicit] };
}
