import type { DB } from '../db/database';
import { HOUR_MS } from '../../shared/rules';
import { VALIDATION_CODE, type PlanCoverageView } from '../../shared/plan';
import { PkTime } from './pk-time';
import { toBuckets, type StatsQueries, type StatsRequest } from './stats';
import { StatementCache } from './statements';
import { eventTraffic } from './traffic';
import { iso } from './views';

/**
 * `GET /api/stats/plan`: the tracking plan's coverage over a range. Each planned type, seen or
 * never seen, with its verdicts (an event stored before the plan, or before its type was in
 * it, is unchecked until revalidated) and when it last came; then the types that came which
 * the plan does not name. Footfall's own events are never in a plan.
 *
 * Cheap on a million events: how many of each type came is the `event_type` rollup's (whole
 * hours, as every chart counts); the verdicts are read from event_validation over the pk
 * range of those hours (only events stored under a plan have one); the last of each type is
 * one step back along its index from the range's end.
 */
export class PlanQueries {
  private readonly st: StatementCache;
  private readonly pkTime: PkTime;
  constructor(
    db: DB,
    private readonly stats: StatsQueries,
  ) {
    this.st = new StatementCache(db);
    this.pkTime = new PkTime(db);
  }

  coverage(planned: readonly string[], r: StatsRequest): PlanCoverageView {
    const seen = new Map(this.stats.breakdown(r, 'event_type', Number.MAX_SAFE_INTEGER).items.map((x) => [x.value, x.n]));
    // The hours the rollup counted, as a pk range.
    const b = toBuckets(r.from, r.to);
    const lo = this.pkTime.boundary(b.fromH * HOUR_MS);
    const hi = this.pkTime.boundary(b.toH * HOUR_MS);
    const verdicts = new Map<string, number[]>();
    const rows = this.st
      .get(
        `SELECT e.type AS type, v.status AS status, count(*) AS n FROM event_validation v CROSS JOIN events e ON e.pk = v.event_pk
        WHERE v.event_pk >= ? AND v.event_pk < ? AND ${eventTraffic('e', r.traffic)} GROUP BY e.type, v.status`,
      )
      .all(lo, hi) as Array<{ type: string; status: number; n: number }>;
    for (const x of rows) {
      const counts = verdicts.get(x.type) ?? [0, 0, 0];
      counts[x.status] = x.n;
      verdicts.set(x.type, counts);
    }
    const last = (type: string): string | null => {
      const t = this.st
        .get(`SELECT time FROM events e WHERE type = ? AND pk >= ? AND pk < ? AND system = 0 AND ${eventTraffic('e', r.traffic)} ORDER BY pk DESC LIMIT 1`)
        .pluck()
        .get(type, lo, hi) as number | undefined;
      return t === undefined ? null : iso(t);
    };
    const plannedSet = new Set(planned);
    return {
      events: planned.map((type) => {
        const n = seen.get(type) ?? 0;
        const v = verdicts.get(type) ?? [0, 0, 0];
        const valid = v[VALIDATION_CODE.valid]!;
        const invalid = v[VALIDATION_CODE.invalid]!;
        return { type, seen: n, valid, invalid, unchecked: Math.max(0, n - valid - invalid), lastSeen: n > 0 ? last(type) : null };
      }),
      unplanned: [...seen]
        .filter(([type, n]) => n > 0 && !plannedSet.has(type))
        .sort((a, b2) => b2[1] - a[1] || a[0].localeCompare(b2[0]))
        .map(([type, n]) => ({ type, seen: n, lastSeen: last(type) })),
    };
  }
}
