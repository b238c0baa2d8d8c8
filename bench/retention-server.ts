/**
 * The retention benchmark's server: the real Footfall (the same code as `serve.js`) on a
 * seeded folder, started by this helper so that it can say exactly when retention starts and
 * ends and how long the event loop was held meanwhile.
 *
 *   node OUT/bench/retention-server.js DATA_DIR
 *
 * Prints `listening on URL source SOURCE_ID token TOKEN`. The benchmark then sets
 * `retentionDays` through the settings API; the next sweep (every second here) deletes. The
 * first call into retention starts the measurement (perf_hooks' event-loop delay monitor at
 * 1 ms, and the longest write transaction); when that sweep is over — sessions, events,
 * rollups and giving the space back — the helper checkpoints the log and sends a
 * RetentionReport over IPC.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Footfall } from '../engine/app';
import { loadConfig } from '../engine/config';
import { DB_FILE } from '../engine/db/database';

export interface RetentionReport {
  /** Events, sessions before and after. */
  eventsBefore: number;
  eventsAfter: number;
  sessionsDeleted: number;
  /** From the first retention statement to the end of that sweep, ms. */
  retentionMs: number;
  /** The sweeper's own longest slice, ms. */
  sliceMaxMs: number;
  /** The longest event-loop stall seen by a 1 ms timer meanwhile, ms. */
  loopMaxMs: number;
  loopP99Ms: number;
  /** Write transactions meanwhile (the sweeper's and the collector's): how many, the longest, ms. */
  transactions: number;
  txMaxMs: number;
  /** Of the longest transaction, the time in COMMIT (log write, a checkpoint); the longest COMMIT of all, ms. */
  txMaxCommitMs: number;
  txCommitMaxMs: number;
  /** The database file with the log checkpointed into it, bytes, before and after. */
  fileBefore: number;
  fileAfter: number;
  freePagesAfter: number;
  autoVacuum: number;
  /** Explore catching up afterwards: how long, and the longest event-loop stall meanwhile, ms. */
  exploreMs: number;
  exploreLoopMaxMs: number;
  /**
   * Resident memory, MB: with explore's columns loaded before retention, and the most seen
   * (every 50 ms) from retention's start until explore caught up, when it drops the old
   * columns and reads the history again.
   */
  rssBeforeMb: number;
  rssMaxMb: number;
  /** Each kind of sweeper step: how many, the longest (wall ms, and the CPU ms the process used meanwhile), its units. */
  steps: Record<string, { count: number; maxMs: number; cpuMsAtMax: number; unitsAtMax: number; units: number }>;
}

function fileSize(ff: Footfall, dataDir: string): number {
  ff.db.pragma('wal_checkpoint(TRUNCATE)');
  return statSync(join(dataDir, DB_FILE)).size;
}

async function main(): Promise<void> {
  const [dataDir] = process.argv.slice(2);
  if (!dataDir) throw new Error('usage: retention-server DATA_DIR');
  const config = loadConfig(['--port', '0', '--data-dir', dataDir, '--sweep-interval', '1'], {});
  const ff = await Footfall.start(config, { log: (m) => console.error(m) });
  await ff.sweeper.sweep(); // the catch-up sweep at start, before anything is measured
  // Explore's columns loaded and written as segments, as a Footfall that has run a while has
  // them: after retention, explore drops the segments of the deleted range and reads it again.
  await ff.exploreStore.current();
  ff.exploreStore.flush();
  const db = ff.db;
  const count = (sql: string) => db.prepare(sql).pluck().get() as number;
  const fileBefore = fileSize(ff, dataDir);
  const eventsBefore = count('SELECT count(*) FROM events');
  const sessionsBefore = count('SELECT count(*) FROM sessions');
  const rssBeforeMb = process.memoryUsage.rss() / 2 ** 20;
  let rssMaxMb = 0;
  let rssTimer: NodeJS.Timeout | null = null;

  // Times every write transaction, to say where a long stall came from.
  let timing = false;
  let transactions = 0;
  let txMaxMs = 0;
  let txMaxCommitMs = 0;
  let txCommitMaxMs = 0;
  const transaction = db.transaction.bind(db);
  db.transaction = ((fn: (...args: unknown[]) => unknown) => {
    let workEnd = 0;
    const wrapped = transaction((...args: unknown[]) => {
      const r = fn(...args);
      workEnd = performance.now();
      return r;
    });
    return (...args: unknown[]) => {
      const t = performance.now();
      const r = wrapped(...args);
      const end = performance.now();
      if (timing) {
        transactions++;
        if (end - t > txMaxMs) [txMaxMs, txMaxCommitMs] = [end - t, end - workEnd];
        txCommitMaxMs = Math.max(txCommitMaxMs, end - workEnd);
      }
      return r;
    };
  }) as typeof db.transaction;

  // The first retention statement of a sweep starts the measurement; the end of that sweep ends it.
  const h = monitorEventLoopDelay({ resolution: 1 });
  let started = 0;
  const engine = ff.engine;
  const deleteOlderThan = engine.deleteOlderThan.bind(engine);
  engine.deleteOlderThan = (cutoff, limit, overdue) => {
    if (started === 0) {
      started = performance.now();
      timing = true;
      h.enable();
      rssTimer = setInterval(() => (rssMaxMb = Math.max(rssMaxMb, process.memoryUsage.rss() / 2 ** 20)), 50);
    }
    return deleteOlderThan(cutoff, limit, overdue);
  };
  // Each kind of step the sweeper takes: how many, the longest (ms) and the units it did then.
  const steps: RetentionReport['steps'] = {};
  for (const name of ['deleteOlderThan', 'deleteRollupsBefore', 'giveSpaceBack', 'sweepChunk'] as const) {
    // (A build from before giveSpaceBack, to compare, lacks it.)
    if (typeof engine[name] !== 'function') continue;
    const fn = (engine[name] as (...a: unknown[]) => number).bind(engine);
    (engine as unknown as Record<string, (...a: unknown[]) => number>)[name] = (...args: unknown[]) => {
      const t = performance.now();
      const c = process.cpuUsage();
      const n = fn(...args);
      const ms = performance.now() - t;
      if (started !== 0) {
        const s = (steps[name] ??= { count: 0, maxMs: 0, cpuMsAtMax: 0, unitsAtMax: 0, units: 0 });
        s.count++;
        s.units += n;
        if (ms > s.maxMs) {
          const u = process.cpuUsage(c);
          Object.assign(s, { maxMs: ms, cpuMsAtMax: (u.user + u.system) / 1000, unitsAtMax: n });
        }
      }
      return n;
    };
  }
  const sweeper = ff.sweeper;
  const sweep = sweeper.sweep.bind(sweeper);
  let reported = false;
  sweeper.sweep = () => {
    const p = sweep();
    void p.then(async (r) => {
      if (started === 0 || reported) return;
      reported = true;
      const retentionMs = performance.now() - started;
      h.disable();
      timing = false;
      // Then explore catches up with the deletion (as at the first query, or when the collector is quiet).
      const hx = monitorEventLoopDelay({ resolution: 1 });
      hx.enable();
      const x0 = performance.now();
      await ff.exploreStore.current();
      const exploreMs = performance.now() - x0;
      hx.disable();
      if (rssTimer) clearInterval(rssTimer);
      rssMaxMb = Math.max(rssMaxMb, process.memoryUsage.rss() / 2 ** 20);
      // The measured stretch ends here: the counts and the checkpoint below hold the loop
      // (a count of ten million events, a TRUNCATE checkpoint of the log: ~2 s together at
      // 10M), which no user's Footfall does, so the benchmark stops its load first.
      process.send?.('done');
      await new Promise<void>((resolve) => process.once('message', () => resolve()));
      const report: RetentionReport = {
        eventsBefore,
        eventsAfter: count('SELECT count(*) FROM events'),
        sessionsDeleted: sessionsBefore - count('SELECT count(*) FROM sessions'),
        retentionMs,
        sliceMaxMs: r.maxBlockMs,
        loopMaxMs: h.max / 1e6,
        loopP99Ms: h.percentile(99) / 1e6,
        transactions,
        txMaxMs,
        txMaxCommitMs,
        txCommitMaxMs,
        fileBefore,
        fileAfter: fileSize(ff, dataDir),
        freePagesAfter: db.pragma('freelist_count', { simple: true }) as number,
        autoVacuum: db.pragma('auto_vacuum', { simple: true }) as number,
        steps,
        exploreMs,
        exploreLoopMaxMs: hx.max / 1e6,
        rssBeforeMb,
        rssMaxMb,
      };
      process.send?.(report);
    });
    return p;
  };
  console.log(`listening on ${ff.url} source ${ff.defaultSourceId} token ${ff.token}`);
  process.on('SIGTERM', () => {
    void ff.stop().then(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
