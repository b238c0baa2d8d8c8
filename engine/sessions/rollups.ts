import type { SessionFigures, TrafficClass } from '../db/rows';
import { DAY_MS, HOUR_MS } from '../../shared/rules';
import type { DimBucket, SessionBucket, Statements } from './statements';

export type SessionDeltas = Partial<SessionFigures>;

/** One number for (granularity, bucket, class): cls < 4, g < 2. Map lookups by number need no string building. */
function bucketKey(g: number, t: number, cls: number): number {
  return (t * 2 + g) * 4 + cls;
}

/**
 * Collects rollup changes during one write transaction and writes them as a handful of
 * upserts at its end: a batch of 100 page views of one page in one hour is one row write
 * per granularity, not 100.
 *
 * Counters are found by dimension, then value, then bucket, in nested maps: building a
 * string key per count was a measurable share of every event's cost (two dimensions, two
 * granularities each).
 */
export class RollupWriter {
  private dims = new Map<string, Map<string, Map<number, DimBucket>>>();
  private sessions = new Map<number, SessionBucket>();

  constructor(private readonly q: Pick<Statements, 'upsertAggDim' | 'upsertAggSession'>) {}

  /** Counts `n` for `dim = value` at time `ms` (both the hour and the day bucket). */
  addDim(dim: string, ms: number, cls: TrafficClass, value: string, n = 1): void {
    let byValue = this.dims.get(dim);
    if (!byValue) this.dims.set(dim, (byValue = new Map()));
    let byBucket = byValue.get(value);
    if (!byBucket) byValue.set(value, (byBucket = new Map()));
    this.bumpDim(byBucket, dim, 0, Math.floor(ms / HOUR_MS), cls, value, n);
    this.bumpDim(byBucket, dim, 1, Math.floor(ms / DAY_MS), cls, value, n);
  }

  private bumpDim(byBucket: Map<number, DimBucket>, dim: string, g: number, t: number, cls: number, value: string, n: number): void {
    const key = bucketKey(g, t, cls);
    const row = byBucket.get(key);
    if (row) row[5] += n;
    else byBucket.set(key, [dim, g, t, cls, value, n]);
  }

  /** Adds to the per-session figures of the session that started at `startedAt`. */
  addSession(startedAt: number, cls: TrafficClass, d: SessionDeltas): void {
    this.bumpSession(0, Math.floor(startedAt / HOUR_MS), cls, d);
    this.bumpSession(1, Math.floor(startedAt / DAY_MS), cls, d);
  }

  private bumpSession(g: number, t: number, cls: number, d: SessionDeltas): void {
    const key = bucketKey(g, t, cls);
    let row = this.sessions.get(key);
    if (!row) {
      row = { g, t, cls, sessions: 0, newProfiles: 0, ended: 0, engaged: 0, durationSum: 0, pageViews: 0 };
      this.sessions.set(key, row);
    }
    row.sessions += d.sessions ?? 0;
    row.newProfiles += d.newProfiles ?? 0;
    row.ended += d.ended ?? 0;
    row.engaged += d.engaged ?? 0;
    row.durationSum += d.durationSum ?? 0;
    row.pageViews += d.pageViews ?? 0;
  }

  /** Writes what was collected; call inside the transaction that made the changes. */
  flush(): void {
    for (const byValue of this.dims.values()) {
      for (const byBucket of byValue.values()) for (const r of byBucket.values()) this.q.upsertAggDim.run(r);
    }
    for (const r of this.sessions.values()) this.q.upsertAggSession.run(r);
    this.discard();
  }

  /** Forgets what was collected (the transaction rolled back). */
  discard(): void {
    this.dims.clear();
    this.sessions.clear();
  }
}
