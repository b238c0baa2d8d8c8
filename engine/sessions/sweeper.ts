import type { SessionEngine } from './engine';
import { DAY_MS, HOUR_MS } from '../../shared/rules';
import { GIVE_BACK_MIN_PAGES } from '../db/vacuum';

export interface SweeperOptions {
  /** Seconds between sweeps. */
  intervalSeconds: number;
  /** Days of events to keep; 0 keeps everything. */
  retentionDays?: number;
  /** Longest the sweeper may hold the event loop in one go, ms. */
  budgetMs?: number;
  /** Most sessions ended per transaction (fewer while chunks take longer than the budget). */
  chunk?: number;
  /** Told when a timer-driven sweep fails (a full disk); the next tick tries again. */
  onError?: (err: unknown) => void;
  /**
   * The stopwatch the budget is kept by, ms (default `performance.now`). Tests pass their
   * own, so that what each chunk costs, and so the chunks chosen, are exact.
   */
  stopwatch?: () => number;
}

/** The chunk size each run starts with, and the smallest it shrinks to. */
const FIRST_CHUNK = 250;
const MIN_CHUNK = 50;
/**
 * Retention's first chunk, in events: deleting an event of a large database costs tens of
 * microseconds on a cold cache (every index of the event is a B-tree walk), so the 250 units
 * the sweep starts with would hold the loop far past the budget before anything is measured
 * (measured at 1 M events: 250 sessions, ~2,800 events, held it 190 ms).
 */
const RETENTION_FIRST = 64;
/** A chunk grows at most this many times the last one: one cheap chunk proves little. */
const MAX_GROWTH = 4;

export interface SweepResult {
  ended: number;
  /** Longest single stretch the sweep held the event loop, ms. */
  maxBlockMs: number;
}

/**
 * Ends idle sessions on a timer. Each run ends the expired sessions in small transactions
 * and gives the event loop back between them, so the collector keeps answering while
 * 100,000 sessions are ended.
 */
export class Sweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<SweepResult> | null = null;
  private intervalMs: number;
  private readonly budgetMs: number;
  private readonly chunk: number;
  private stopped = false;
  private retentionDays: number;
  private lastRetention = 0;
  private readonly onError: (err: unknown) => void;
  private readonly stopwatch: () => number;

  constructor(
    private readonly engine: SessionEngine,
    opts: SweeperOptions,
  ) {
    this.intervalMs = opts.intervalSeconds * 1000;
    this.budgetMs = opts.budgetMs ?? 15;
    this.chunk = opts.chunk ?? 1000;
    this.retentionDays = opts.retentionDays ?? 0;
    this.onError = opts.onError ?? ((err) => console.error(`Footfall: ending expired sessions failed (${(err as Error).message}); retrying at the next sweep.`));
    this.stopwatch = opts.stopwatch ?? (() => performance.now());
  }

  /** Applies at the next sweep. */
  setRetentionDays(days: number): void {
    this.retentionDays = days;
    this.lastRetention = 0;
  }

  /** Sweeps at once (catching up on what expired while Footfall was closed), then on the timer. */
  start(): Promise<SweepResult> {
    this.stopped = false;
    const first = this.sweep();
    // Nobody may be waiting on the catch-up sweep: a failure must not become an unhandled
    // rejection, which ends a Node process.
    first.catch((err: unknown) => this.onError(err));
    this.schedule();
    return first;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.sweep()
        .catch((err: unknown) => this.onError(err))
        .finally(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref?.();
  }

  /** Takes effect from the next tick of the timer. */
  setInterval(seconds: number): void {
    this.intervalMs = seconds * 1000;
    if (this.timer && !this.stopped) {
      clearTimeout(this.timer);
      this.schedule();
    }
  }

  /** One full sweep; concurrent calls share the run in progress. */
  sweep(): Promise<SweepResult> {
    if (this.running) return this.running;
    this.running = this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<SweepResult> {
    const result = await this.inSlices((limit) => this.engine.sweepChunk(limit));
    const now = this.engine.now();
    this.engine.trimCache(now);
    if (this.retentionDays > 0 && now - this.lastRetention > HOUR_MS) {
      this.lastRetention = now;
      const cutoff = now - this.retentionDays * DAY_MS;
      // Deleting is timed as it goes, not only sized beforehand: what a session's events cost
      // to delete varies tenfold with how much of the database's pages are cached.
      const r = await this.inSlices((limit, overdue) => this.engine.deleteOlderThan(cutoff, limit, overdue), RETENTION_FIRST);
      // The rollups of those hours and days, once their sessions are gone, in slices too.
      const a = await this.inSlices((limit) => (this.stopped ? 0 : this.engine.deleteRollupsBefore(cutoff, limit)), RETENTION_FIRST);
      result.maxBlockMs = Math.max(result.maxBlockMs, r.maxBlockMs, a.maxBlockMs);
    }
    // The pages those deletions (or a reset, or deleted debug data) freed go back to the file
    // system, a slice at a time, so that trimming the history shrinks the file. A few free
    // pages are left for the next inserts.
    if (!this.stopped && this.engine.freePages() >= GIVE_BACK_MIN_PAGES) {
      const v = await this.inSlices((limit, overdue) => (this.stopped ? 0 : this.engine.giveSpaceBack(limit, overdue)), RETENTION_FIRST);
      result.maxBlockMs = Math.max(result.maxBlockMs, v.maxBlockMs);
    }
    return result;
  }

  /**
   * Runs `step` (which does up to `limit` units of work in one transaction and says how
   * many it did) until it does less than asked, giving the event loop back whenever a
   * stretch has used its time budget. A step may also stop early once `overdue()` says the
   * stretch has used its budget (after at least one unit); a step cut short that way is not
   * taken as caught up.
   */
  private async inSlices(step: (limit: number, overdue: () => boolean) => number, first = FIRST_CHUNK): Promise<SweepResult> {
    let ended = 0;
    let maxBlockMs = 0;
    /** How long the next chunk should take: it is started only if that still fits. */
    let nextMs = 0;
    /**
     * The chunk size: one chunk always runs, so it must fit the budget itself. It starts
     * small, then follows the time a session has been taking (smoothed, so one checkpoint
     * does not halve it): as many as fill the budget, up to the most allowed.
     * Sessions cost more on a slow disk, or while the Live view turns every ended session
     * into a message within the commit.
     */
    let chunk = Math.min(this.chunk, first);
    let perItemMs: number | null = null;
    for (;;) {
      const t0 = this.stopwatch();
      let caughtUp = false;
      let cut = false;
      const overdue = () => (cut ||= this.stopwatch() - t0 >= this.budgetMs);
      // Several chunks may fit in one stretch when they are quick; one always runs.
      do {
        const s = this.stopwatch();
        const n = step(chunk, overdue);
        const stepMs = this.stopwatch() - s;
        ended += n;
        if (n < chunk && !cut) {
          caughtUp = true;
          break;
        }
        if (cut) {
          // Cut short by the clock: what it did in its time says what a unit costs now.
          if (n > 0) perItemMs = perItemMs === null ? stepMs / n : perItemMs * 0.7 + (stepMs / n) * 0.3;
          break;
        }
        const per = stepMs / n;
        perItemMs = perItemMs === null ? per : perItemMs * 0.7 + per * 0.3;
        const fits = Math.floor(this.budgetMs / perItemMs);
        chunk = Math.max(Math.min(MIN_CHUNK, this.chunk, first), Math.min(this.chunk, chunk * MAX_GROWTH, fits));
        nextMs = chunk * perItemMs;
      } while (this.stopwatch() - t0 + nextMs <= this.budgetMs);
      maxBlockMs = Math.max(maxBlockMs, this.stopwatch() - t0);
      if (caughtUp || this.stopped) return { ended, maxBlockMs };
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  /** Stops the timer and waits for a sweep in progress to finish its transaction. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running) await this.running;
  }
}
