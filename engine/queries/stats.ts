import type { DB } from '../db/database';
import { CLS, TRAFFIC_NAME, type SessionFigures, type TrafficClass } from '../db/rows';
import { noTraffic } from '../../shared/traffic';
import { ALL_TRAFFIC, leftOut, trafficMask, visitTraffic, type TrafficSet } from './traffic';
import { DAY_MS, ENGAGED_PAGE_VIEWS, ENGAGED_SECONDS, HOUR_MS, isPageView, sessionDurationMsSql } from '../../shared/rules';
import { LocalHours } from './tz';
import { StatementCache } from './statements';
import {
  DURATION_BUCKET_LABELS,
  VISIT_NUMBER_LABELS,
  type BreakdownStats,
  type HeatmapStats,
  type Kpi,
  type OverviewStats,
  type StatsDim,
  type StatsInterval,
  type StatsRange,
  type TimeseriesBucket,
  type TimeseriesStats,
  type VisitsPerProfileStats,
} from '../../shared/stats';

/** What every stats query is asked: a time range, the zone to cut it in, and which traffic counts. */
export interface StatsRequest {
  /** Start, ms (inclusive); floored to the hour. */
  from: number;
  /** End, ms (exclusive); raised to the next whole hour. */
  to: number;
  tz: string;
  traffic: TrafficSet;
}

/**
 * A range as rollup buckets: whole UTC days [d0, d1) in the middle and UTC hours at the two
 * edges, [h0, h1) before the first whole day and [h2, h3) after the last. A 90-day range is
 * then ~90 daily rows plus at most 46 hourly ones per dimension value, whatever its size.
 */
export interface Buckets {
  fromH: number;
  toH: number;
  d0: number;
  d1: number;
  h0: number;
  h1: number;
  h2: number;
  h3: number;
}

export function toBuckets(from: number, to: number): Buckets {
  const fromH = Math.floor(from / HOUR_MS);
  const toH = Math.max(fromH, Math.ceil(to / HOUR_MS));
  const d0 = Math.ceil(fromH / 24);
  const d1 = Math.floor(toH / 24);
  if (d0 >= d1) return { fromH, toH, d0: 0, d1: 0, h0: fromH, h1: toH, h2: 0, h3: 0 };
  return { fromH, toH, d0, d1, h0: fromH, h1: d0 * 24, h2: d1 * 24, h3: toH };
}

/** Rollup traffic classes as a bit mask (engine/queries/traffic.ts). */
const classMask = (r: StatsRequest): number => trafficMask(r.traffic);

/** The same choice over the sessions table: visits only (never the debug session). */
const sessionClassSql = (r: StatsRequest): string => visitTraffic('sessions', r.traffic);

/** Every class, for figures that count them all. */
const ALL_MASK = trafficMask(ALL_TRAFFIC);

const iso = (ms: number): string => new Date(ms).toISOString();

/** Edges as UNION ALL of three index range scans, so each part walks the primary key. */
const EDGES = (select: string, where: string): string => `
  ${select} WHERE ${where} AND g = 1 AND t >= @d0 AND t < @d1 AND ((1 << cls) & @mask) != 0
  UNION ALL ${select} WHERE ${where} AND g = 0 AND t >= @h0 AND t < @h1 AND ((1 << cls) & @mask) != 0
  UNION ALL ${select} WHERE ${where} AND g = 0 AND t >= @h2 AND t < @h3 AND ((1 << cls) & @mask) != 0`;

const SESSION_SUMS = `SELECT coalesce(sum(sessions), 0) AS sessions, coalesce(sum(new_profiles), 0) AS newProfiles,
  coalesce(sum(ended), 0) AS ended, coalesce(sum(engaged), 0) AS engaged, coalesce(sum(duration_sum), 0) AS durationSum,
  coalesce(sum(page_views), 0) AS pageViews
  FROM (${EDGES('SELECT sessions, new_profiles, ended, engaged, duration_sum, page_views FROM agg_sessions', '1')})`;

const DIM_SUMS = `SELECT value, sum(n) AS n FROM (${EDGES('SELECT value, n FROM agg_dims', 'dim = @dim')})
  GROUP BY value ORDER BY n DESC, value`;

const HOURLY_SESSIONS = `SELECT t, sum(sessions) AS sessions, sum(new_profiles) AS newProfiles FROM agg_sessions
  WHERE g = 0 AND t >= ? AND t < ? AND ((1 << cls) & ?) != 0 GROUP BY t`;

const SESSIONS_IN_RANGE = `SELECT coalesce(sum(sessions), 0) FROM (${EDGES('SELECT sessions FROM agg_sessions', '1')})`;

/** Sessions and tracked events of the range by class: what a view that leaves classes out hides. */
const SESSIONS_BY_CLASS = `SELECT cls, sum(sessions) AS n FROM (${EDGES('SELECT cls, sessions FROM agg_sessions', '1')}) GROUP BY cls`;
const EVENTS_BY_CLASS = `SELECT cls, sum(n) AS n FROM (${EDGES('SELECT cls, n FROM agg_dims', "dim = 'event_type'")}) GROUP BY cls`;
/** The debug session, when it started in the range (it is in no rollup of sessions). */
const DEBUG_SESSIONS = `SELECT count(*) FROM sessions WHERE traffic = ${CLS.debug} AND started_at >= ? AND started_at < ?`;

/**
 * The range's sessions still going, as they stand (the rollups count a session's length and
 * pages once it has ended). Read through the active sessions' own index: a few hundred rows
 * at most. Their length so far follows the engine's rule: start to last activity, never
 * negative (shared/rules.ts).
 */
const activeSoFar = (classSql: string): string => `SELECT count(*) AS n, coalesce(sum(${sessionDurationMsSql('sessions')}), 0) / 1000.0 AS seconds,
  coalesce(sum(page_views), 0) AS pageViews FROM sessions INDEXED BY sessions_active
  WHERE status = 0 AND started_at >= ? AND started_at < ? AND ${classSql}`;


export interface PeriodFigures {
  visitors: number;
  sessions: number;
  pageViews: number;
  events: number;
  avgDuration: number | null;
  bounceRate: number | null;
  pagesPerSession: number | null;
  ended: number;
}

/** The range an answer covers: the request's, widened to whole hours. */
export function rangeOf(r: StatsRequest): StatsRange {
  const b = toBuckets(r.from, r.to);
  return { from: iso(b.fromH * HOUR_MS), to: iso(b.toH * HOUR_MS), tz: r.tz };
}

/** Sessions started in one UTC hour (`t`: hours since the epoch), as the time series and heatmap add them up. */
export interface HourlySessions {
  t: number;
  sessions: number;
  newProfiles: number;
}

/** The time series of a range from its sessions per UTC hour: local hours or days, every bucket present. */
export function timeseriesFrom(r: StatsRequest, interval: StatsInterval, rows: readonly HourlySessions[]): TimeseriesStats {
  const b = toBuckets(r.from, r.to);
  const tzh = new LocalHours(r.tz);
  const buckets: TimeseriesBucket[] = [];
  /** Bucket index of each UTC hour of the range. */
  const at = new Int32Array(Math.max(0, b.toH - b.fromH));
  let lastKey = Number.NaN;
  for (let h = b.fromH; h < b.toH; h++) {
    const local = tzh.local(h);
    const key = interval === 'hour' ? Math.floor(local / HOUR_MS) : Math.floor(local / DAY_MS);
    if (key !== lastKey) {
      // A local hour or day starts here (or the range does): its UTC start.
      const start = interval === 'hour' ? h * HOUR_MS : key * DAY_MS - tzh.offsetAt(h);
      buckets.push({ t: iso(Math.max(start, b.fromH * HOUR_MS)), sessions: 0, newVisitors: 0, returning: 0 });
      lastKey = key;
    }
    at[h - b.fromH] = buckets.length - 1;
  }
  for (const row of rows) {
    const bucket = buckets[at[row.t - b.fromH]!]!;
    bucket.sessions += row.sessions;
    bucket.newVisitors += row.newProfiles;
    bucket.returning += row.sessions - row.newProfiles;
  }
  return { range: rangeOf(r), interval, buckets };
}

/** Sessions by weekday and hour of day on the zone's clock, from sessions per UTC hour. */
export function heatmapFrom(r: StatsRequest, rows: readonly HourlySessions[]): HeatmapStats {
  const tzh = new LocalHours(r.tz);
  const cells = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  let max = 0;
  for (const row of rows) {
    const [wd, hour] = tzh.weekHour(row.t);
    const v = (cells[wd]![hour]! += row.sessions);
    if (v > max) max = v;
  }
  return { range: rangeOf(r), cells, max };
}

/** A breakdown answer from every value's count (largest first): the top `limit` and the rest as `other`. */
export function breakdownFrom(r: StatsRequest, dim: BreakdownStats['dim'], rows: ReadonlyArray<{ value: string; n: number }>, limit: number): BreakdownStats {
  const total = rows.reduce((a, x) => a + x.n, 0);
  const ordered = dim === 'duration' ? DURATION_BUCKET_LABELS : dim === 'visit_number' ? VISIT_NUMBER_LABELS : null;
  if (ordered !== null) {
    const byValue = new Map(rows.map((x) => [x.value, x.n]));
    return { range: rangeOf(r), dim, total, items: ordered.map((value) => ({ value, n: byValue.get(value) ?? 0 })), other: 0, otherValues: 0 };
  }
  const items = rows.slice(0, limit);
  return { range: rangeOf(r), dim, total, items, other: total - items.reduce((a, x) => a + x.n, 0), otherValues: rows.length - items.length };
}

/** The overview answer from the figures of the range and of the range it is compared with (`previousOf`). */
export function overviewFrom(
  r: StatsRequest,
  cur: PeriodFigures,
  prev: PeriodFigures,
  activeNow: number,
  hasData: boolean,
  keyEventTypes: readonly string[],
  compared: StatsRequest,
  hidden: Pick<OverviewStats, 'hidden' | 'hiddenEvents'>,
): OverviewStats {
  const pb = toBuckets(compared.from, compared.to);
  const kpi = (k: keyof PeriodFigures): Kpi => ({ value: cur[k], previous: prev[k] });
  return {
    range: rangeOf(r),
    previous: { from: iso(pb.fromH * HOUR_MS), to: iso(pb.toH * HOUR_MS) },
    hasData,
    kpis: {
      visitors: kpi('visitors'),
      sessions: kpi('sessions'),
      pageViews: kpi('pageViews'),
      events: kpi('events'),
      avgDuration: kpi('avgDuration'),
      bounceRate: kpi('bounceRate'),
      pagesPerSession: kpi('pagesPerSession'),
      activeNow: { value: activeNow },
    },
    endedSessions: cur.ended,
    ...hidden,
    // The engine's rule (shared/rules.ts `isEngaged`): ≥ 2 page views, or ≥ ENGAGED_SECONDS, or a key event.
    engagedRule: { pageViews: ENGAGED_PAGE_VIEWS, seconds: ENGAGED_SECONDS, keyEventTypes: [...keyEventTypes] },
  };
}

/**
 * What the KPIs compare with: `compare` when given (the dashboard knows its calendar periods:
 * last month, the same stretch of it), else the range of equal length just before `r`.
 */
export function previousOf(r: StatsRequest, compare?: { from: number; to: number }): StatsRequest {
  if (compare) return { ...r, from: compare.from, to: compare.to };
  const b = toBuckets(r.from, r.to);
  const len = b.toH - b.fromH;
  return { ...r, from: (b.fromH - len) * HOUR_MS, to: b.fromH * HOUR_MS };
}

/** Longest range the hourly time series answers (744 buckets). */
export const MAX_HOURLY_DAYS = 31;

/**
 * Read-only queries behind the dashboard's charts. Everything but the distinct-visitor
 * count and "active now" is answered from the rollup tables (agg_sessions, agg_dims), which
 * the session engine keeps up to date in the same transaction as the events.
 */
export class StatsQueries {
  private readonly st: StatementCache;

  constructor(
    private readonly db: DB,
    private readonly keyEventTypes: () => readonly string[] = () => [],
  ) {
    this.st = new StatementCache(db);
  }

  private params(b: Buckets, mask: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { d0: b.d0, d1: b.d1, h0: b.h0, h1: b.h1, h2: b.h2, h3: b.h3, mask, ...extra };
  }

  private range(r: StatsRequest): StatsRange {
    return rangeOf(r);
  }

  /** Sums of a dimension over the range, largest first. */
  private dimSums(dim: StatsDim, b: Buckets, mask: number): Array<{ value: string; n: number }> {
    return this.st.get(DIM_SUMS).all(this.params(b, mask, { dim })) as Array<{ value: string; n: number }>;
  }

  /**
   * The profile of every visit started in [from, to) (hour-aligned) of the classes asked for,
   * off the covering index by start: only the range's rows are read. Distinct profiles are
   * counted from it in JS (`perProfile`); SQL's GROUP BY sorted them or read every session by
   * profile, ~50 ms a 90-day period at ten million events where this takes ~30.
   */
  private visitProfiles(b: Buckets, r: StatsRequest): number[] {
    const sql = `SELECT profile_pk FROM sessions INDEXED BY sessions_started_traffic
      WHERE started_at >= ? AND started_at < ? AND ${sessionClassSql(r)}`;
    return this.st.get(sql).pluck().all(b.fromH * HOUR_MS, b.toH * HOUR_MS) as number[];
  }

  /** Distinct profiles with a session started in [from, to) (hour-aligned). */
  private distinctVisitors(b: Buckets, r: StatsRequest): number {
    let visitors = 0;
    perProfile(this.visitProfiles(b, r), (c) => c === 1 && visitors++);
    return visitors;
  }

  /** `visitors`: the period's distinct visitors when counted already (explore's columns), else counted here. */
  private period(b: Buckets, r: StatsRequest, visitors?: number): PeriodFigures {
    const mask = classMask(r);
    const s = this.st.get(SESSION_SUMS).get(this.params(b, mask)) as SessionFigures;
    let events = 0;
    let pageViews = 0;
    for (const row of this.dimSums('event_type', b, mask)) {
      events += row.n;
      if (isPageView(row.value)) pageViews += row.n;
    }
    const active = this.st.get(activeSoFar(sessionClassSql(r))).get(b.fromH * HOUR_MS, b.toH * HOUR_MS) as { n: number; seconds: number; pageViews: number };
    // Averages over every session of the range, one still going as it stands; bounce over
    // the ended ones, since whether a visit was engaged is decided when it ends.
    const counted = s.ended + active.n;
    return {
      visitors: visitors ?? this.distinctVisitors(b, r),
      sessions: s.sessions,
      pageViews,
      events,
      avgDuration: counted > 0 ? (s.durationSum + active.seconds) / counted : null,
      bounceRate: s.ended > 0 ? 1 - s.engaged / s.ended : null,
      pagesPerSession: counted > 0 ? (s.pageViews + active.pageViews) / counted : null,
      ended: s.ended,
    };
  }

  /**
   * KPI figures of the range and of the range compared with: `compare` when given (the
   * dashboard knows its calendar periods: last month, the same stretch of it), else the
   * range of equal length just before. `visitors`: the two periods' distinct visitors, when
   * explore's columns counted them (http/stats.ts).
   */
  overview(r: StatsRequest, compare?: { from: number; to: number }, visitors?: readonly [current: number, previous: number]): OverviewStats {
    const b = toBuckets(r.from, r.to);
    const prev = previousOf(r, compare);
    const cur = this.period(b, r, visitors?.[0]);
    return overviewFrom(r, cur, this.period(toBuckets(prev.from, prev.to), r, visitors?.[1]), this.activeNow(r), this.hasData(), this.keyEventTypes(), prev, this.hidden(b, r));
  }

  /** Sessions active right now of the classes asked for (never the debug session). */
  private activeNow(r: StatsRequest): number {
    const activeSql = `SELECT count(*) FROM sessions WHERE status = 0 AND ${sessionClassSql(r)}`;
    return this.st.get(activeSql).pluck().get() as number;
  }

  /** Any event was ever stored. */
  hasData(): boolean {
    return this.st.get('SELECT EXISTS (SELECT 1 FROM events)').pluck().get() === 1;
  }

  /**
   * The range's sessions (and tracked events) of each class the request left out, 0 for
   * those it counts: "3 bot sessions hidden — show". Debug traffic is one session (the
   * debug session, when it started in the range) and its events.
   */
  private hidden(b: Buckets, r: StatsRequest): Pick<OverviewStats, 'hidden' | 'hiddenEvents'> {
    const hidden = noTraffic();
    const hiddenEvents = noTraffic();
    const out = new Set(leftOut(r.traffic));
    if (out.size === 0) return { hidden, hiddenEvents };
    const params = this.params(b, ALL_MASK);
    for (const row of this.st.get(SESSIONS_BY_CLASS).all(params) as Array<{ cls: TrafficClass; n: number }>) {
      const name = TRAFFIC_NAME[row.cls];
      if (out.has(name)) hidden[name] = row.n;
    }
    for (const row of this.st.get(EVENTS_BY_CLASS).all(params) as Array<{ cls: TrafficClass; n: number }>) {
      const name = TRAFFIC_NAME[row.cls];
      if (out.has(name)) hiddenEvents[name] = row.n;
    }
    if (out.has('debug')) hidden.debug = this.st.get(DEBUG_SESSIONS).pluck().get(b.fromH * HOUR_MS, b.toH * HOUR_MS) as number;
    return { hidden, hiddenEvents };
  }

  /** Sessions started per local hour or local day, new and returning, every bucket present. */
  timeseries(r: StatsRequest, interval: StatsInterval): TimeseriesStats {
    const b = toBuckets(r.from, r.to);
    return timeseriesFrom(r, interval, this.st.get(HOURLY_SESSIONS).all(b.fromH, b.toH, classMask(r)) as HourlySessions[]);
  }

  /** Counts by one dimension's values: the top `limit`, and the rest summed as `other`. */
  breakdown(r: StatsRequest, dim: StatsDim, limit: number): BreakdownStats {
    return breakdownFrom(r, dim, this.dimSums(dim, toBuckets(r.from, r.to), classMask(r)), limit);
  }

  /** Sessions started by weekday and hour of day on the zone's clock. */
  heatmap(r: StatsRequest): HeatmapStats {
    const b = toBuckets(r.from, r.to);
    return heatmapFrom(r, this.st.get(HOURLY_SESSIONS).all(b.fromH, b.toH, classMask(r)) as HourlySessions[]);
  }

  /** Profiles with a session in the range, by how many sessions they had in it (1 .. 10+). */
  visitsPerProfile(r: StatsRequest): VisitsPerProfileStats {
    const per = new Array<number>(VISIT_NUMBER_LABELS.length).fill(0);
    let visitors = 0;
    // A profile's count passes each number once: counted in the bucket it reaches, taken out
    // of the one before (10+ keeps every profile that reached it).
    perProfile(this.visitProfiles(toBuckets(r.from, r.to), r), (c) => {
      if (c === 1) visitors++;
      if (c <= per.length) {
        per[c - 1]!++;
        if (c > 1) per[c - 2]!--;
      }
    });
    const items = VISIT_NUMBER_LABELS.map((visits, i) => ({ visits, profiles: per[i]! }));
    return { range: this.range(r), visitors, items };
  }
}

/**
 * Calls `each(c)` each time a profile pk in `pks` is seen for the c-th time: counts kept in
 * an array indexed by pk (rowids, dense from 1), one pass, no sorting.
 */
function perProfile(pks: readonly number[], each: (count: number) => unknown): void {
  let max = 0;
  for (const p of pks) if (p > max) max = p;
  const counts = new Uint16Array(max + 1);
  for (const p of pks) {
    const c = counts[p]! + 1;
    // 65,535 visits of one profile in one range: its count stops there, past every bucket.
    if (c <= 0xffff) counts[p] = c;
    each(c);
  }
}
