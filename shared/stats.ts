/**
 * Shapes of the stats API (`GET /api/stats/...`), declared once: the engine builds them
 * from the rollup tables, the dashboard draws them.
 *
 * Every stats endpoint takes the same range parameters:
 *   from, to   ISO 8601 or epoch ms; the range is [from, to), widened to whole UTC hours
 *   tz         the IANA time zone that buckets (days, hours of the day) are cut in; default UTC
 *   traffic    the traffic classes counted, a comma list of person, automation, bot, debug
 *              (default person,automation); `bots=true` / `debug=true` add bot / debug. The
 *              debug session counts no visits, so session figures never include it.
 */
import type { TrafficCounts } from './traffic';

import type { NumberSummary } from './explore';

/** Dimensions the breakdown endpoint groups by. */
export const STATS_DIMS = [
  'browser',
  'os',
  'device',
  'channel',
  'referrer',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'visit_number',
  'landing',
  'exit',
  'duration',
  'event_type',
  'page',
] as const;
export type StatsDim = (typeof STATS_DIMS)[number];

/** Buckets of the session-duration histogram, in order. */
export const DURATION_BUCKET_LABELS = ['0-10s', '10-30s', '30-60s', '1-3m', '3-10m', '10-30m', '30m+'] as const;
/** Values of the visit-number dimension, in order. */
export const VISIT_NUMBER_LABELS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10+'] as const;

/** The longest range a stats query answers, in days. */
export const MAX_RANGE_DAYS = 400;

/** The range a stats answer covers, after widening to whole hours (ISO times). */
export interface StatsRange {
  from: string;
  to: string;
  tz: string;
}

/** A figure of the period and the same figure over the period of equal length before it. */
export interface Kpi {
  /** null where there is nothing to compute it from (an average over no ended sessions). */
  value: number | null;
  previous: number | null;
}

export interface OverviewStats {
  range: StatsRange;
  previous: { from: string; to: string };
  /** Any event was ever stored (false: show how to send a first one). */
  hasData: boolean;
  kpis: {
    /** Distinct profiles with a session started in the range. */
    visitors: Kpi;
    /** Sessions started in the range. */
    sessions: Kpi;
    /** Page-view events in the range. */
    pageViews: Kpi;
    /** Tracked events in the range (the engine's own visit-started/ended events excluded). */
    events: Kpi;
    /** Mean seconds of the sessions started in the range that have ended. */
    avgDuration: Kpi;
    /** Share (0..1) of ended sessions that were not engaged. */
    bounceRate: Kpi;
    /** Page views per ended session. */
    pagesPerSession: Kpi;
    /** Sessions active right now, of the classes asked for (never the debug session). */
    activeNow: { value: number };
  };
  /** Sessions started in the range that have ended (what the averages are over). */
  endedSessions: number;
  /** GA4's engaged-session rule as the engine applies it. */
  engagedRule: { pageViews: number; seconds: number; keyEventTypes: string[] };
  /**
   * The range's sessions of each traffic class the request left out (0 for those it
   * counted): what the view says it hides. Debug traffic is at most one session, the debug
   * session; `hiddenEvents` counts the tracked events of each class left out.
   */
  hidden: TrafficCounts;
  hiddenEvents: TrafficCounts;
}

export type StatsInterval = 'hour' | 'day';

export interface TimeseriesBucket {
  /** Start of the bucket (ISO, UTC), a local hour or local midnight in the range's tz. */
  t: string;
  sessions: number;
  /** Sessions that were their profile's first visit. */
  newVisitors: number;
  /** Sessions of profiles that had visited before. */
  returning: number;
}

export interface TimeseriesStats {
  range: StatsRange;
  interval: StatsInterval;
  buckets: TimeseriesBucket[];
}

export interface BreakdownItem {
  value: string;
  n: number;
}

export interface BreakdownStats {
  range: StatsRange;
  /** A dimension, or `prop.NAME`: the values of an event property (shared/explore.ts). */
  dim: StatsDim | `prop.${string}`;
  /** `prop.NAME` only: the event type asked for. */
  type?: string;
  /** `prop.NAME` only: sum, mean, least and greatest of the values that are numbers (null: none are). */
  numbers?: NumberSummary | null;
  /** Sum over every value, the ones beyond `limit` included. */
  total: number;
  /** Largest first; for `duration` and `visit_number` in their natural order instead. */
  items: BreakdownItem[];
  /** Sum over the values left out by `limit`. */
  other: number;
  /** How many values `limit` left out. */
  otherValues: number;
}

export interface HeatmapStats {
  range: StatsRange;
  /** Sessions started, [weekday][hour] in the range's tz; weekday 0 is Monday. */
  cells: number[][];
  max: number;
}

export interface VisitsPerProfileStats {
  range: StatsRange;
  /** Distinct profiles with a session in the range. */
  visitors: number;
  /** How many of them had 1, 2, ... 10+ sessions in the range. */
  items: Array<{ visits: string; profiles: number }>;
}

/**
 * Every dashboard query, as path + extra parameters (the range parameters are added by the
 * caller): what the Overview loads, and what the benchmark times.
 */
export const DASHBOARD_QUERIES: ReadonlyArray<{ path: string; params?: Record<string, string> }> = [
  { path: '/api/stats/overview' },
  { path: '/api/stats/timeseries' },
  { path: '/api/stats/heatmap' },
  { path: '/api/stats/visits-per-profile' },
  ...STATS_DIMS.map((dim) => ({ path: '/api/stats/breakdown', params: { dim, limit: '10' } })),
];
