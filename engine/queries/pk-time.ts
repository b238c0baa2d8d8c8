import type { Statement } from 'better-sqlite3';
import type { DB } from '../db/database';

/**
 * Where a time falls in the events table: events are written in clock order, so pk order is
 * time order, and a binary search on `time` over pks finds the pk a range starts at. Reads
 * that must not walk every event (the tray's counts, the plan's coverage) bound their scans
 * with it.
 */
export class PkTime {
  private readonly firstAtOrAfter: Statement<[number], { pk: number; time: number }>;
  private readonly maxPk: Statement<[], number | null>;

  constructor(db: DB) {
    this.firstAtOrAfter = db.prepare<[number], { pk: number; time: number }>('SELECT pk, time FROM events WHERE pk >= ? ORDER BY pk LIMIT 1');
    this.maxPk = db.prepare<[], number | null>('SELECT max(pk) FROM events').pluck();
  }

  /** The smallest x such that the first event at pk >= x (if any) has time >= `time`. */
  boundary(time: number): number {
    let lo = 0;
    let hi = (this.maxPk.get() ?? 0) + 1;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const row = this.firstAtOrAfter.get(mid);
      if (row === undefined || row.time >= time) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
