import type { DB } from '../db/database';
import type { PlanCoverageView } from '../../shared/plan';
import { StatementCache } from './statements';
import { eventTraffic, type TrafficSet } from './traffic';
import { iso } from './views';

interface TypeRow {
  type: string;
  seen: number;
  valid: number;
  invalid: number;
  last: number;
}

/**
 * `GET /api/stats/plan`: the tracking plan's coverage over a range. Each planned type, seen or
 * never seen, with its verdicts (an event stored before the plan, or before its type was in
 * it, is unchecked until revalidated) and when it last came; then the types that came which
 * the plan does not name. Footfall's own events are never in a plan.
 */
export class PlanQueries {
  private readonly st: StatementCache;
  constructor(db: DB) {
    this.st = new StatementCache(db);
  }

  coverage(planned: readonly string[], r: { from: number; to: number; traffic: TrafficSet }): PlanCoverageView {
    const rows = this.st
      .get(
        `SELECT e.type AS type, count(*) AS seen, coalesce(sum(v.status = 0), 0) AS valid, coalesce(sum(v.status = 1), 0) AS invalid,
          max(e.time) AS last
        FROM events e LEFT JOIN event_validation v ON v.event_pk = e.pk
        WHERE e.system = 0 AND e.time >= ? AND e.time < ? AND ${eventTraffic('e', r.traffic)}
        GROUP BY e.type`,
      )
      .all(r.from, r.to) as TypeRow[];
    const byType = new Map(rows.map((x) => [x.type, x]));
    const plannedSet = new Set(planned);
    return {
      events: planned.map((type) => {
        const x = byType.get(type);
        // An event of a planned type checked as unplanned was stored before its type joined the plan.
        return x === undefined
          ? { type, seen: 0, valid: 0, invalid: 0, unchecked: 0, lastSeen: null }
          : { type, seen: x.seen, valid: x.valid, invalid: x.invalid, unchecked: x.seen - x.valid - x.invalid, lastSeen: iso(x.last) };
      }),
      unplanned: rows
        .filter((x) => !plannedSet.has(x.type))
        .sort((a, b) => b.seen - a.seen || a.type.localeCompare(b.type))
        .map((x) => ({ type: x.type, seen: x.seen, lastSeen: iso(x.last) })),
    };
  }
}
