import { FakeClock } from './clock';
import { openDatabase, type DB } from './db/database';
import { SessionEngine } from './sessions/engine';
import { ensureDefaultSource } from './store/sources';
import { readSettings } from './store/settings';
import { DAY_MS, DEFAULT_KEY_EVENT_TYPES } from '../shared/rules';
import { ExploreStore } from './explore/store';
import { planSeed } from './seed-plan';

/**
 * Writes a realistic history through the real session engine (so sessions, visit counts,
 * `visit-ended` events and rollups are exactly what live traffic would have made):
 * profiles that come back, sessions over `days` days with a daily and weekly rhythm, a mix
 * of devices, channels, pages and event types, a little bot and debug traffic, and the
 * last half hour's sessions still active.
 */
export interface SeedOptions {
  dataDir: string;
  events: number;
  days: number;
  /** PRNG seed: the same seed gives the same data (ids aside). */
  seed: number;
  /** End of the seeded history, ms (default now). */
  until?: number;
  /** Session timeout, seconds (default: the database's setting, else 1800). */
  sessionTimeout?: number;
  log?: (msg: string) => void;
  /** Told how far the writing is, every PROGRESS_MS or so, and once at the end of it. */
  progress?: (p: SeedProgress) => void;
}

export interface SeedProgress {
  /** Planned events written so far (the engine's own included). */
  planned: number;
  of: number;
  /** Since the seed started. */
  ms: number;
}

/**
 * Simulated time between sweeps. The live sweeper runs every 10 s; here each sweep and each
 * interval's group commit is a write of its own whose rollups are upserted at its end, so
 * the interval sets how often the same hour's and day's rollup rows are written again:
 * 15 minutes took 0.8x the CPU of 5 (300,000 events), longer ones no measurably less.
 * visit-ended then lands up to 15 minutes after the timeout.
 */
const SWEEP_MS = 15 * 60_000;
const SEED_CACHE_MB = 512;
const SWEEP_CHUNK = 5000;
const PROGRESS_MS = 5000;

export interface SeedResult {
  /** Events planned: the budget, Footfall's own events (profile-created, visit-started, visit-ended) included. */
  planned: number;
  /** Events stored: a little fewer (visits still active at the end have no visit-ended yet; debug ones start no visit). */
  events: number;
  sessions: number;
  profiles: number;
  ms: number;
}

export async function seed(opts: SeedOptions): Promise<SeedResult> {
  const log = opts.log ?? (() => {});
  const t0 = performance.now();
  const until = opts.until ?? Date.now();
  const from = until - opts.days * DAY_MS;
  const db: DB = openDatabase(opts.dataDir);
  try {
    // A bulk import: if it is interrupted, it is run again, so no fsync per batch.
    db.pragma('synchronous = OFF');
    // A history of millions of events outgrows the engine's 32 MB page cache within minutes;
    // this connection's own cache only (the next start opens with the usual one).
    db.pragma(`cache_size = -${SEED_CACHE_MB * 1024}`);
    const source = ensureDefaultSource(db, from).id;
    const stored = readSettings(db);
    const timeout = (opts.sessionTimeout ?? stored.sessionTimeout ?? 1800) * 1000;
    const clock = new FakeClock(from);
    const engine = new SessionEngine({ db, clock, sessionTimeoutMs: timeout, keyEventTypes: stored.keyEventTypes ?? DEFAULT_KEY_EVENT_TYPES, durable: false });
    const plan = planSeed({ events: opts.events, from, until, timeoutMs: timeout, seed: opts.seed, sourceId: source });
    log(`Planned ${plan.planned} events in ${plan.visits} visits of ${plan.profiles} profiles over ${opts.days} days.`);

    // Feed in time order and sweep every simulated SWEEP_MS as the live sweeper would, so
    // visit-ended lands minutes after the timeout. Each sweep interval's requests are queued
    // together and written by the engine's next flush as one group commit (the engine's
    // rollups then add up a whole interval before they are written). The engine's writes run
    // as savepoints inside an outer transaction that commits every OUTER requests: committing
    // each rewrote the same hot pages to the WAL again and again.
    const OUTER = 200_000;
    let nextSweep = from + SWEEP_MS;
    let sinceCommit = 0;
    let fed = 0;
    let inFlight: Promise<unknown> | null = null;
    const progress = opts.progress;
    let nextReport = performance.now() + PROGRESS_MS;
    const sweep = (to: number) => {
      for (; nextSweep <= to; nextSweep += SWEEP_MS) {
        clock.set(nextSweep);
        while (engine.sweepChunk(SWEEP_CHUNK) === SWEEP_CHUNK) {
          // keep ending until caught up
        }
      }
    };
    db.exec('BEGIN');
    for (const r of plan.requests()) {
      if (r.at >= nextSweep) {
        // Let the engine write what is queued (one flush), then sweep up to this request.
        if (inFlight !== null) await inFlight;
        inFlight = null;
        if (sinceCommit >= OUTER) {
          db.exec('COMMIT; BEGIN');
          sinceCommit = 0;
        }
        sweep(r.at);
        if (progress && performance.now() >= nextReport) {
          progress({ planned: fed, of: plan.planned, ms: performance.now() - t0 });
          nextReport = performance.now() + PROGRESS_MS;
        }
      }
      // Only the last promise of a flush is awaited: the engine answers its requests in order.
      inFlight = engine.track(r.payload, { userAgent: null, at: r.at });
      fed += r.planned;
      sinceCommit++;
    }
    if (inFlight !== null) await inFlight;
    clock.set(until);
    while (engine.sweepChunk(SWEEP_CHUNK) === SWEEP_CHUNK) {
      // end what expired before `until`; the last half hour's visits stay active
    }
    await engine.close();
    db.exec('COMMIT');
    progress?.({ planned: plan.planned, of: plan.planned, ms: performance.now() - t0 });
    // What a running Footfall writes when idle: explore's segments, so that its first start
    // on this history loads them instead of reading every event row.
    const t1 = performance.now();
    log('Writing explore\'s segments (every event read once) ...');
    const explore = new ExploreStore(db);
    await explore.current();
    explore.stop();
    log(`  ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    const count = (sql: string) => db.prepare(sql).pluck().get() as number;
    return {
      planned: plan.planned,
      events: count('SELECT count(*) FROM events'),
      sessions: count('SELECT count(*) FROM sessions'),
      profiles: count('SELECT count(*) FROM profiles'),
      ms: Math.round(performance.now() - t0),
    };
  } finally {
    db.close();
  }
}
