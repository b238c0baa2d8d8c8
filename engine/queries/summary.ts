import type { DB } from '../db/database';
import type { SummaryView } from '../../shared/api';
import { StatementCache } from './statements';
import { VALIDATION_CODE } from '../../shared/plan';

/**
 * `GET /api/summary`: what is stored, every traffic class and Footfall's own events
 * included, as a test asserts on it after a run. Counts whole tables: cheap on a test run's
 * database, a few hundred milliseconds on a million events.
 */
export class SummaryQueries {
  private readonly st: StatementCache;
  constructor(db: DB) {
    this.st = new StatementCache(db);
  }

  summary(rejected: number): SummaryView {
    const byType: Record<string, number> = {};
    let total = 0;
    for (const r of this.st.get('SELECT type, count(*) AS n FROM events GROUP BY type ORDER BY type').all() as Array<{ type: string; n: number }>) {
      byType[r.type] = r.n;
      total += r.n;
    }
    const status = this.st.get('SELECT status, count(*) AS n FROM sessions GROUP BY status').all() as Array<{ status: number; n: number }>;
    const sessions = { active: status.find((r) => r.status === 0)?.n ?? 0, ended: status.find((r) => r.status === 1)?.n ?? 0 };
    const profiles = this.st.get('SELECT count(*) FROM profiles').pluck().get() as number;
    // The events the tracking plan found wrong or does not name, whenever they were stored (the partial index's rows only).
    const flagged = this.st.get('SELECT status, count(*) AS n FROM event_validation WHERE status <> 0 GROUP BY status').all() as Array<{ status: number; n: number }>;
    const count = (code: number) => flagged.find((r) => r.status === code)?.n ?? 0;
    return { events: { total, byType }, rejected, invalid: count(VALIDATION_CODE.invalid), unplanned: count(VALIDATION_CODE.unplanned), sessions, profiles };
  }
}
