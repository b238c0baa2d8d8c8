import { defaultDataDir } from './config';
import { StartupError } from './errors';
import { seed, type SeedProgress } from './seed';

/** Up to this many events the history spans 90 days by default, above it 365. */
const SHORT_HISTORY_EVENTS = 1_000_000;

const USAGE = `Usage: npm run seed -- [--events N] [--days D] [--data-dir DIR] [--seed S] [--session-timeout SECONDS]
  Writes a realistic history (default 100000 events) into the data folder
  (default ${defaultDataDir()}); Footfall must not be running on that folder.
  Without --days the history spans 90 days up to ${SHORT_HISTORY_EVENTS} events, and 365 days above that.`;

function parse(argv: string[]): { events: number; days: number; dataDir: string; seed: number; sessionTimeout?: number } {
  const out = { events: 100_000, dataDir: process.env.FOOTFALL_DATA_DIR || defaultDataDir(), seed: 42 } as {
    events: number;
    days?: number;
    dataDir: string;
    seed: number;
    sessionTimeout?: number;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = inline ?? argv[++i];
    if (value === undefined) throw new StartupError(`${flag} needs a value.\n${USAGE}`);
    const num = Number(value);
    switch (flag) {
      case '--events':
        if (!Number.isInteger(num) || num < 1) throw new StartupError(`--events must be a whole number above 0, got "${value}".`);
        out.events = num;
        break;
      case '--days':
        if (!(num > 0)) throw new StartupError(`--days must be above 0, got "${value}".`);
        out.days = num;
        break;
      case '--seed':
        out.seed = num;
        break;
      case '--session-timeout':
        if (!(num > 0)) throw new StartupError(`--session-timeout must be above 0 seconds, got "${value}".`);
        out.sessionTimeout = num;
        break;
      case '--data-dir':
        out.dataDir = value;
        break;
      default:
        throw new StartupError(`Unknown option "${flag}".\n${USAGE}`);
    }
  }
  return { ...out, days: out.days ?? (out.events > SHORT_HISTORY_EVENTS ? 365 : 90) };
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m} min ${String(Math.round(s % 60)).padStart(2, '0')} s` : `${Math.round(s)} s`;
}

/** One line a person can follow: on a terminal it rewrites itself, elsewhere each report is a line. */
function progressLine(): (p: SeedProgress) => void {
  const tty = process.stdout.isTTY === true;
  const started = performance.now();
  return (p) => {
    const s = (performance.now() - started) / 1000;
    const rate = p.planned / Math.max(s, 0.001);
    const pct = p.of > 0 ? (p.planned / p.of) * 100 : 100;
    const eta = p.planned >= p.of ? 'done' : `ETA ${duration((p.of - p.planned) / rate)}`;
    const line = `  ${pct.toFixed(1).padStart(5)} %  ${p.planned.toLocaleString('en-US')} of ${p.of.toLocaleString('en-US')} events  ${Math.round(rate).toLocaleString('en-US')} events/s  ${eta}`;
    if (tty) process.stdout.write(`\r${line}\x1b[K${p.planned >= p.of ? '\n' : ''}`);
    else console.log(line);
  };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) return console.log(USAGE);
  const opts = parse(argv);
  const r = await seed({ ...opts, log: (m) => console.log(m), progress: progressLine() });
  console.log(`Seeded ${opts.dataDir}: ${r.events} events stored (of ${r.planned} planned), ${r.sessions} sessions, ${r.profiles} profiles in ${(r.ms / 1000).toFixed(1)} s.`);
}

main().catch((err: unknown) => {
  console.error(err instanceof StartupError ? `Footfall seed: ${err.message}` : err);
  process.exit(1);
});
