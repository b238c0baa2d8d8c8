import type { SessionEngine } from './engine';
import { DAY_MS, HOUR_MS } from '../../shared/rules';

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
      const r = await this.inSlices((limit) => this.engine.deleteOlderThan(cutoff, limit));
      // The rollups of those hours and days, once their sessions are gone, in slices too.
      const a = await this.inSlices((limit) => (this.stopped ? 0 : this.engine.deleteRollupsBefore(cutoff, limit)));
      result.maxBlockMs = Math.max(result.maxBlockMs, r.maxBlockMs, a.maxBlockMs);
    }
    return result;
  }

  /**
   * Runs `step` (which does up to `limit` units of work in one transaction and says how
   * many it did) until it does less than asked, giving the event loop back whenever a
   * stretch has used its time budget.
   */
  private async inSlices(step: (limit: number) => number): Promise<SweepResult> {
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
    let chunk = Math.min(this.chunk, FIRST_CHUNK);
    let perItemMs: number | null = null;
    for (;;) {
      const t0 = this.stopwatch();
      let caughtUp = false;
      // Several chunks may fit in one stretch when they are quick; one always runs.
      do {
        const s = this.stopwatch();
        const n = step(chunk);
        const stepMs = this.stopwatch() - s;
        ended += n;
        if (n < chunk) {
          caughtUp = true;
          break;
        }
        const per = stepMs / n;
        perItemMs = perItemMs === null ? per : perItemMs * 0.7 + per * 0.3;
        chunk = Math.max(Math.min(MIN_CHUNK, this.chunk), Math.min(this.chunk, Math.floor(this.budgetMs / perItemMs)));
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
