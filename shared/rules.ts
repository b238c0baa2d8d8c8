/**
 * The domain's rules, each declared once: the engine applies them when it writes, the
 * queries when they read, the dashboard when it folds the live stream. Where SQL applies
 * a rule too, its SQL form sits right beside it (rules.test.ts checks the two agree).
 */
import { DURATION_BUCKET_LABELS } from './stats';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Event types that count as page views. */
export const PAGE_VIEW_TYPES: ReadonlySet<string> = new Set(['page-view', 'pageview', 'page_view']);

export function isPageView(type: string): boolean {
  return PAGE_VIEW_TYPES.has(type);
}

/** A URL, or null for anything that is not one. */
export function parseUrl(raw: unknown): URL | null {
  if (typeof raw !== 'string' || raw === '') return null;
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

/**
 * `host/path` of a page: what the top-pages, landing and exit charts, the `page` filter and
 * paths group by. `raw` (cut) where it is not a URL.
 */
export function pageKey(url: URL | null, raw: string | null): string | null {
  if (url) return url.host + (url.pathname === '' ? '/' : url.pathname);
  return raw === null ? null : raw.slice(0, 512);
}

/** PAGE_VIEW_TYPES as an SQL list, for `type IN (...)` (fixed literals, never user input). */
export const PAGE_VIEW_SQL = [...PAGE_VIEW_TYPES].map((t) => `'${t}'`).join(', ');

/** Event types that make a session "engaged" (GA4's key events); changeable in settings. */
export const DEFAULT_KEY_EVENT_TYPES: readonly string[] = ['purchase', 'sign-up', 'signup', 'add-to-cart', 'checkout', 'lead', 'conversion'];

/** Debug events all go to this one session, which never ends by timeout and counts no visits. */
export const DEBUG_SESSION_ID = '@debug-session';

/** Events the engine itself writes. */
export const SYSTEM_EVENT_TYPES = ['visit-started', 'visit-ended', 'profile-created'] as const;
export type SystemEventType = (typeof SYSTEM_EVENT_TYPES)[number];

/**
 * A visit's duration in seconds: from its start to its last activity, never negative (a
 * clock set back, or a seeded history, can put an event before its session's start).
 */
export function sessionDuration(startedAt: number, lastAt: number): number {
  return Math.max(0, (lastAt - startedAt) / 1000);
}

/** sessionDuration of the sessions row `alias`, in whole milliseconds. */
export function sessionDurationMsSql(alias: string): string {
  return `max(0, ${alias}.last_at - ${alias}.started_at)`;
}

/** sessionDuration of the sessions row `alias`, in seconds. */
export function sessionDurationSql(alias: string): string {
  return `${sessionDurationMsSql(alias)} / 1000.0`;
}

/** Upper bounds (exclusive, seconds) of every duration bucket but the last. */
const DURATION_LIMITS = [10, 30, 60, 180, 600, 1800] as const;

/** The bucket of the duration chart (DURATION_BUCKET_LABELS) that a visit of `seconds` falls in. */
export function durationBucket(seconds: number): string {
  for (let i = 0; i < DURATION_LIMITS.length; i++) if (seconds < DURATION_LIMITS[i]!) return DURATION_BUCKET_LABELS[i]!;
  return DURATION_BUCKET_LABELS[DURATION_LIMITS.length]!;
}

/** Seconds of activity after which a one-page visit still counts as engaged (GA4). */
export const ENGAGED_SECONDS = 10;
/** Page views that make a visit engaged (GA4). */
export const ENGAGED_PAGE_VIEWS = 2;

/** GA4's engaged-session rule, as the dashboard states it: enough page views, or long enough, or a key event. */
export function isEngaged(pageViews: number, durationSeconds: number, keyEvents: number): boolean {
  return pageViews >= ENGAGED_PAGE_VIEWS || durationSeconds >= ENGAGED_SECONDS || keyEvents > 0;
}

/** isEngaged of the sessions row `alias` (its counters and sessionDuration), as an SQL condition. */
export function isEngagedSql(alias: string): string {
  return `(${alias}.page_views >= ${ENGAGED_PAGE_VIEWS} OR ${sessionDurationMsSql(alias)} >= ${ENGAGED_SECONDS * 1000} OR ${alias}.key_events > 0)`;
}
