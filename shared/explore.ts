/**
 * Exploring (contract section "Exploring"): filters on every stats route and the sessions
 * list, property breakdowns, funnels, paths and retention. Declared once for the engine and
 * the dashboard.
 */
import { STATS_DIMS, type StatsRange } from './stats';

/**
 * Session dimensions a filter can name (`filter=DIM:VALUE`), with values as the breakdowns
 * show them: the session breakdowns but the duration buckets, and the event source.
 */
export const SESSION_FILTER_DIMS: readonly string[] = [...STATS_DIMS.filter((d) => d !== 'duration' && d !== 'event_type' && d !== 'page'), 'source'];
/** Event dimensions: a session matches when it has such an event (`page`: a page view of host/path). */
export const EVENT_FILTER_DIMS = ['page', 'event_type'] as const;
/** `prop.NAME`: a session with an event whose top-level property NAME equals the value. */
export const PROP_PREFIX = 'prop.';
/**
 * `path`: the value is a JSON array of page keys (host/path, or "(exit)" last): the sessions
 * of that node of the paths view, whose page-view path (repeats collapsed) from their first
 * view of the first page starts with exactly these pages.
 */
export const PATH_DIM = 'path';
export const EXIT_NODE = '(exit)';
export const OTHER_NODE = '(other)';

export interface Filter {
  dim: string;
  value: string;
  /** `DIM!:VALUE`: sessions that do not match. */
  negate: boolean;
}

const KNOWN: ReadonlySet<string> = new Set<string>([...SESSION_FILTER_DIMS, ...EVENT_FILTER_DIMS, PATH_DIM]);

/** Parses `DIM:VALUE` / `DIM!:VALUE`; a string is what is wrong with it. */
export function parseFilter(raw: string): Filter | string {
  const i = raw.indexOf(':');
  if (i <= 0) return `"${raw}" is not DIM:VALUE (or DIM!:VALUE)`;
  let dim = raw.slice(0, i);
  const value = raw.slice(i + 1);
  const negate = dim.endsWith('!');
  if (negate) dim = dim.slice(0, -1);
  const prop = dim.startsWith(PROP_PREFIX) && dim.length > PROP_PREFIX.length;
  if (!prop && !KNOWN.has(dim)) return `"${dim}" is not a dimension; use one of ${[...KNOWN].join(', ')} or prop.NAME`;
  if (dim === PATH_DIM && pathOf(value) === null) return `path: the value must be a JSON array of pages, like ["shop.test/","shop.test/cart"]`;
  return { dim, value, negate };
}

export function formatFilter(f: Filter): string {
  return `${f.dim}${f.negate ? '!' : ''}:${f.value}`;
}

/** The pages of a `path` filter value, or null when it is not a non-empty array of strings. */
export function pathOf(value: string): string[] | null {
  try {
    const v: unknown = JSON.parse(value);
    return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string') ? (v as string[]) : null;
  } catch {
    return null;
  }
}

/** `GET /api/stats/properties?type=TYPE`: the properties the range's events carry. */
export interface PropertiesStats {
  range: StatsRange;
  items: Array<{
    name: string;
    /** Event types that carry it, most events first. */
    types: string[];
    /** Events that carry it. */
    events: number;
    /** Of those, how many carry a string, a number, a boolean. */
    kinds: { string: number; number: number; boolean: number };
  }>;
}

/** Added to a `prop.NAME` breakdown when some values are numbers. */
export interface NumberSummary {
  count: number;
  sum: number;
  avg: number;
  min: number;
  max: number;
}

export interface FunnelStep {
  /** An event type. */
  type: string;
  /** A host/path pattern the event's page must match; `*` matches any characters. */
  page?: string;
}

export const FUNNEL_MIN_STEPS = 2;
export const FUNNEL_MAX_STEPS = 8;

export interface FunnelRequest {
  from?: string | number;
  to?: string | number;
  tz?: string;
  filter?: string[];
  steps: FunnelStep[];
  within?: 'session';
  bots?: boolean;
  debug?: boolean;
}

export interface FunnelStats {
  range: StatsRange;
  steps: Array<{
    /** Sessions that reached this step (and every one before it, in order). */
    sessions: number;
    /** sessions / sessions of the first step (0..1; 1 for the first). */
    conversion: number;
    /** sessions / sessions of the step before (1 for the first). */
    fromPrevious: number;
    /** Median seconds from the step before to this one, over the sessions that reached it (null for the first). */
    medianSeconds: number | null;
  }>;
}

/** A funnel saved by name (`GET/PUT/DELETE /api/funnels`). */
export interface SavedFunnel {
  name: string;
  steps: FunnelStep[];
  updatedAt: string;
}

export interface PathNode {
  depth: number;
  /** A page key, `(exit)` (the visit ended), or `(other)` (the children beyond `limit`, summed). */
  value: string;
  sessions: number;
  /** Index in `nodes` of the node this one follows (null at depth 0). */
  parent: number | null;
}

export interface PathsStats {
  range: StatsRange;
  start: string;
  depth: number;
  /** Sessions of the range with a page view of `start` (the root's count). */
  sessions: number;
  nodes: PathNode[];
}

export type RetentionInterval = 'day' | 'week';

export interface RetentionStats {
  range: StatsRange;
  interval: RetentionInterval;
  cohorts: Array<{
    /** The period's start (ISO, UTC): local midnight, or local Monday midnight for weeks. */
    start: string;
    /** Profiles whose first visit ever was in this period (and in the range). */
    visitors: number;
    /** returned[k]: of those, how many had a session started k periods later (returned[0] = visitors). */
    returned: number[];
  }>;
}
