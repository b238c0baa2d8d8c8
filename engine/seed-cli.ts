import { defaultDataDir } from './config';
import { StartupError } from './errors';
import { seed } from './seed';

const USAGE = `Usage: npm run seed -- [--events N] [--days D] [--data-dir DIR] [--seed S] [--session-timeout SECONDS]
  Writes a realistic history (default 100000 events over 90 days) into the data folder
  (default ${defaultDataDir()}); Footfall must not be running on that folder.`;

function parse(argv: string[]): { events: number; days: number; dataDir: string; seed: number; sessionTimeout?: number } {
  const out = { events: 100_000, days: 90, dataDir: process.env.FOOTFALL_DATA_DIR || defaultDataDir(), seed: 42 } as {
    events: number;
    days: number;
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
  return out;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help')) return console.log(USAGE);
  const opts = parse(argv);
  const r = await seed({ ...opts, log: (m) => console.log(m) });
  console.log(`Seeded ${opts.dataDir}: ${r.events} events stored (of ${r.planned} planned), ${r.sessions} sessions, ${r.profiles} profiles in ${(r.ms / 1000).toFixed(1)} s.`);
}

main().catch((err: unknown) => {
  console.error(err instanceof StartupError ? `Footfall seed: ${err.message}` : err);
  process.exit(1);
});
