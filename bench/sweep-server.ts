/**
 * The sweep benchmark's server: the real Footfall (engine, sweeper, HTTP server; the same
 * code as `serve.js`), started by this helper so that it can own the clock and say exactly
 * when the sweep starts and ends.
 *
 *   node OUT/bench/sweep-server.js DATA_DIR SESSIONS
 *
 * 1. Writes SESSIONS visits (one page view each, each its own profile) through the session
 *    engine at time T0, and leaves them active.
 * 2. Starts Footfall on that folder at T0 + 10 minutes (timeout 30 minutes, so nothing has
 *    expired yet) and prints `listening on URL source SOURCE_ID`.
 * 3. On the IPC message `sweep`, moves the clock to T0 + 35 minutes (the prepared sessions
 *    are now 35 minutes idle; those the benchmark's load made since are at most 25), runs
 *    the sweeper to completion, and sends back how long it took, what it ended, and the
 *    longest event-loop stall meanwhile, measured two ways: the sweeper's own longest
 *    slice, and the largest delay of a 1 ms timer (perf_hooks' event-loop delay monitor),
 *    which also counts the collector's own commits running between the sweeper's slices.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Footfall } from '../engine/app';
import { FakeClock } from '../engine/clock';
import { loadConfig } from '../engine/config';
import { openDatabase } from '../engine/db/database';
import { SessionEngine } from '../engine/sessions/engine';
import { ensureDefaultSource } from '../engine/store/sources';
import type { TrackPayload } from '../shared/track';
import { Visitors } from './payload';

const MIN = 60_000;

export interface SweepReport {
  ended: number;
  sweepMs: number;
  /** The sweeper's longest single slice, ms. */
  sliceMaxMs: number;
  /** The longest event-loop stall seen by a 1 ms timer during the sweep, ms. */
  loopMaxMs: number;
  /** Active sessions left afterwards (the load's own). */
  activeAfter: number;
  prepareMs: number;
  /** Write transactions during the sweep (the sweeper's and the collector's) and how long they held the loop, ms. */
  transactions: number;
  txMedianMs: number;
  txMaxMs: number;
  /** Of the longest transaction: the time after its work, in COMMIT (WAL write, fsync, checkpoint), ms. */
  txMaxCommitMs: number;
  /** All write transactions together, ms, and their COMMITs. */
  txTotalMs: number;
  txCommitTotalMs: number;
}

/** With FOOTFALL_BENCH_PROFILE=FILE, a CPU profile of the sweep (only) is written to FILE (.cpuprofile, for Chrome's DevTools). */
function profiler(file: string | undefined): { start(): void; stop(): Promise<void> } {
  if (!file) return { start() {}, stop: async () => {} };
  const session = new Session();
  session.connect();
  return {
    start() {
      session.post('Profiler.enable', () => session.post('Profiler.start'));
    },
    stop: () =>
      new Promise((resolve, reject) =>
        session.post('Profiler.stop', (err, r) => {
          if (err) return reject(err);
          writeFileSync(file, JSON.stringify(r.profile));
          resolve();
        }),
      ),
  };
}

async function prepare(dataDir: string, count: number, t0: number): Promise<string> {
  const db = openDatabase(dataDir);
  try {
    // Preparation, not measurement: no fsync per batch.
    db.pragma('synchronous = OFF');
    const source = ensureDefaultSource(db, t0).id;
    const engine = new SessionEngine({ db, clock: new FakeClock(t0), sessionTimeoutMs: 30 * MIN, durable: false });
    const visitors = new Visitors({ sourceId: source, runId: 'sweep', concurrentVisits: 1, meanRequests: 1, seed: 3 });
    const BATCH = 2000;
    for (let i = 0; i < count; i += BATCH) {
      const batch: Array<Promise<unknown>> = [];
      for (let j = i; j < Math.min(count, i + BATCH); j++) {
        const { body, userAgent } = visitors.next(t0);
        batch.push(engine.track(JSON.parse(body) as TrackPayload, { userAgent, at: t0 }));
      }
      await Promise.all(batch);
    }
    await engine.close();
    return source;
  } finally {
    db.close();
  }
}

async function main(): Promise<void> {
  const [dataDir, countArg] = process.argv.slice(2);
  if (!dataDir || !countArg) throw new Error('usage: sweep-server DATA_DIR SESSIONS');
  const count = Number(countArg);
  const t0 = Date.UTC(2026, 0, 15, 9, 0, 0);
  const p0 = performance.now();
  await prepare(dataDir, count, t0);
  const prepareMs = performance.now() - p0;

  const clock = new FakeClock(t0 + 10 * MIN);
  const config = loadConfig(['--port', '0', '--data-dir', dataDir, '--session-timeout', '1800', '--sweep-interval', '3600'], {});
  const ff = await Footfall.start(config, { clock, log: (m) => console.error(m) });
  await ff.sweeper.sweep(); // the catch-up sweep at start: nothing has expired yet
  console.log(`listening on ${ff.url} source ${ff.defaultSourceId} token ${ff.token}`);

  // Times every write transaction (work, then COMMIT), to say where a long stall came from.
  const tx: Array<[total: number, commit: number]> = [];
  let timing = false;
  const db = ff.db;
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn: (...args: unknown[]) => unknown) => {
    const wrapped = transaction((...args: unknown[]) => {
      const r = fn(...args);
      workEnd = performance.now();
      return r;
    });
    let workEnd = 0;
    return (...args: unknown[]) => {
      const t = performance.now();
      const r = wrapped(...args);
      const end = performance.now();
      if (timing) tx.push([end - t, end - workEnd]);
      return r;
    };
  }) as typeof db.transaction;

  const prof = profiler(process.env.FOOTFALL_BENCH_PROFILE);
  process.on('message', (msg) => {
    if (msg !== 'sweep') return;
    timing = true;
    prof.start();
    clock.set(t0 + 35 * MIN);
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    const s0 = performance.now();
    void ff.sweeper.sweep().then(async (r) => {
      const sweepMs = performance.now() - s0;
      h.disable();
      await prof.stop();
      timing = false;
      const activeAfter = ff.db.prepare('SELECT count(*) FROM sessions WHERE status = 0').pluck().get() as number;
      const sorted = [...tx].sort((a, b) => a[0] - b[0]);
      const longest = sorted[sorted.length - 1] ?? [0, 0];
      const report: SweepReport = {
        ended: r.ended,
        sweepMs,
        sliceMaxMs: r.maxBlockMs,
        loopMaxMs: h.max / 1e6,
        activeAfter,
        prepareMs,
        transactions: tx.length,
        txMedianMs: sorted[Math.floor(sorted.length / 2)]?.[0] ?? 0,
        txMaxMs: longest[0],
        txMaxCommitMs: longest[1],
        txTotalMs: tx.reduce((a, t) => a + t[0], 0),
        txCommitTotalMs: tx.reduce((a, t) => a + t[1], 0),
      };
      process.send?.(report);
    });
  });
  process.on('SIGTERM', () => {
    void ff.stop().then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
