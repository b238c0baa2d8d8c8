import type { Statement } from 'better-sqlite3';
import type { DB } from '../db/database';
import { HOUR_MS } from '../../shared/rules';
import { PkTime } from './pk-time';

/** Local midnight (the machine's time zone) of the day that holds `now`. */
export function localMidnight(now: number): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/**
 * Small counts for status displays (the desktop tray's "events today"). They must stay cheap
 * at any database size, so they read the hourly `event_type` rollup rather than the events.
 */
export class CountQueries {
  private readonly fromRollup: Statement<[number], number>;
  private readonly trackedInPkRange: Statement<[number, number], number>;
  private readonly pkTime: PkTime;

  constructor(db: DB) {
    // agg_dims' primary key starts (dim, g, t): this is a range scan over the hours asked for.
    this.fromRollup = db.prepare<[number], number>("SELECT coalesce(sum(n), 0) FROM agg_dims WHERE dim = 'event_type' AND g = 0 AND t >= ?").pluck();
    this.trackedInPkRange = db.prepare<[number, number], number>('SELECT count(*) FROM events WHERE pk >= ? AND pk < ? AND system = 0').pluck();
    this.pkTime = new PkTime(db);
  }

  /**
   * Tracked events (every traffic class; the engine's own visit-started/visit-ended/
   * profile-created left out) stored at or after `since`.
   *
   * Whole UTC hours come from the rollup. Where `since` is not on an hour (local midnight in
   * a zone such as UTC+5:30), the part-hour before the first whole one is counted from the
   * events themselves, over the pk range that a binary search on `time` finds (pk-time.ts).
   */
  countEventsSince(since: number): number {
    const firstWholeHour = Math.ceil(since / HOUR_MS);
    let n = this.fromRollup.get(firstWholeHour) ?? 0;
    const edge = firstWholeHour * HOUR_MS;
    if (edge > since) n += this.countTrackedBetween(since, edge);
    return n;
  }

  /** Events counted the same way from local midnight of the day that holds `now`. */
  countEventsToday(now: number): number {
    return this.countEventsSince(localMidnight(now));
  }

  private countTrackedBetween(from: number, to: number): number {
    const lo = this.pkTime.boundary(from);
    const hi = this.pkTime.boundary(to);
    return hi > lo ? (this.trackedInPkRange.get(lo, hi) ?? 0) : 0;
  }
}
