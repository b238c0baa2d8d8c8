import type { DB } from '../db/database';
import { HOUR_MS } from '../stats/rollups';
import { StatementCache } from './statements';
import { toBuckets } from './stats';

/** What the session list is filtered and sorted by (the subset the choice depends on). */
export interface SessionOrderInput {
  status?: 'active' | 'ended';
  device?: string;
  channel?: string;
  browser?: string;
  os?: string;
  profile?: string;
  from?: number;
  to?: number;
  sort: 'started' | 'last' | 'duration' | 'events' | 'pageViews';
}

/** Partial indexes of ended sessions by each sort column (migration 004). */
const ENDED_INDEX = {
  last: 'sessions_ended_last',
  duration: 'sessions_ended_duration',
  events: 'sessions_ended_events',
  pageViews: 'sessions_ended_page_views',
} as const;

/** Rollup dimension of each equality filter, to estimate how many sessions pass it. */
const FILTER_DIMS = [
  ['device', 'device'],
  ['channel', 'channel'],
  ['browser', 'browser'],
  ['os', 'os'],
] as const;

/** A page is 50 rows; an ordered index scan reads about this many matches. */
const PAGE_ROWS = 51;

/** How a page of the session list is read. */
export type SessionPlan =
  /** Walk an index of ended sessions in sort order (a bounded prefix of it), then filter. */
  | { kind: 'walk'; index: string }
  /** Only active sessions: their own small index. */
  | { kind: 'active' }
  /** Read the sessions of the range (by start) and sort their keys. */
  | { kind: 'range' };

/** How far a walk goes before it gives up for the range plan: at most this many index entries. */
export const WALK_CANDIDATES = 5000;

/**
 * Picks how a page of the session list is read.
 *
 * Sorting a range by start time walks `sessions_started`. Sorting by duration, events, page
 * views or last activity either reads every session of the range and sorts their keys, or
 * walks the ended sessions in sort order (partial indexes that only change when a session
 * ends, so they cost nothing per event) until a page of them passes the filters. The first
 * suits a few thousand sessions, the second a 90-day range of 100,000. The choice is made
 * from the rollups (how many sessions the range holds, what share of them each
 * device/channel/browser/OS filter lets through), and a walk is bounded: if its first
 * WALK_CANDIDATES entries do not fill a page (values tied across time, a range far from the
 * walk's start), the caller reads the range instead. Either way the page is exact.
 */
export class SessionOrderPlanner {
  private readonly st: StatementCache;

  constructor(db: DB) {
    this.st = new StatementCache(db);
  }

  plan(f: SessionOrderInput): SessionPlan {
    if (f.status === 'active') return { kind: 'active' };
    if (f.status !== 'ended' || f.sort === 'started' || f.profile !== undefined) return { kind: 'range' };
    const total = (this.st.get('SELECT max(pk) FROM sessions').pluck().get() as number | null) ?? 0;
    const from = f.from ?? 0;
    const b = toBuckets(from, Math.max(from + HOUR_MS, f.to ?? Date.now() + HOUR_MS));
    const p = { d0: b.d0, d1: b.d1, h0: b.h0, h1: b.h1, h2: b.h2, h3: b.h3 };
    const inRange = this.st.get(SESSIONS_IN_RANGE).pluck().get(p) as number;
    if (inRange === 0 || total === 0) return { kind: 'range' };
    let share = 1;
    for (const [key, dim] of FILTER_DIMS) {
      const value = f[key];
      if (value === undefined) continue;
      const n = this.st.get(DIM_IN_RANGE).pluck().get({ ...p, dim, value }) as number;
      share *= n / inRange;
    }
    // Entries the walk is expected to pass before a page passes range and filters, against
    // the sessions of the range that the range plan reads.
    const walk = share === 0 ? Infinity : PAGE_ROWS / ((inRange / total) * share);
    return walk < Math.min(inRange, WALK_CANDIDATES) ? { kind: 'walk', index: ENDED_INDEX[f.sort] } : { kind: 'range' };
  }
}

const EDGES = (select: string): string => `${select} WHERE g = 1 AND t >= @d0 AND t < @d1
  UNION ALL ${select} WHERE g = 0 AND t >= @h0 AND t < @h1
  UNION ALL ${select} WHERE g = 0 AND t >= @h2 AND t < @h3`;

const SESSIONS_IN_RANGE = `SELECT coalesce(sum(sessions), 0) FROM (${EDGES('SELECT sessions FROM agg_sessions')})`;
const DIM_IN_RANGE = `SELECT coalesce(sum(n), 0) FROM (${EDGES('SELECT n FROM agg_dims').replaceAll(' WHERE g', ' WHERE dim = @dim AND value = @value AND g')})`;
