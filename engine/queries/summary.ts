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
    // Counted along the type index by key, then named: grouped through the events view, the
    // rows themselves are read (3.2 s where the index takes 0.2 s, at a million events).
    const byTypeSql = `SELECT t.value AS type, c.n AS n FROM (SELECT type_ref, count(*) AS n FROM event_rows GROUP BY type_ref) c
      JOIN event_strings t ON t.id = c.type_ref ORDER BY t.value`;
    for (const r of this.st.get(byTypeSql).all() as Array<{ type: string; n: number }>) {
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
