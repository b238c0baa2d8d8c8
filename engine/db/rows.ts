/** Row types matching the schema in ./migrations exactly (integers as numbers, JSON as text). */
import type { TrafficClassName } from '../../shared/traffic';

export interface SourceRow {
  id: string;
  name: string;
  enabled: number;
  is_default: number;
  created_at: number;
}

export interface ProfileRow {
  pk: number;
  id: string;
  created_at: number;
  updated_at: number;
  visit_count: number;
  visit_last: number | null;
  visit_current: number | null;
  tz: string | null;
  debug: number;
  traits: string;
}

export interface SessionRow {
  pk: number;
  id: string;
  client_id: string;
  previous_pk: number | null;
  profile_pk: number;
  source_id: string;
  status: number;
  debug: number;
  bot: number;
  /** The traffic class (CLS), decided when the visit started. */
  traffic: number;
  started_at: number;
  last_at: number;
  ended_at: number | null;
  duration: number | null;
  end_reason: string | null;
  events: number;
  page_views: number;
  key_events: number;
  visit_number: number;
  is_returning: number;
  landing_page: string | null;
  exit_page: string | null;
  device: string;
  browser: string | null;
  browser_version: string | null;
  os: string | null;
  os_version: string | null;
  language: string | null;
  tz: string | null;
  referrer_host: string | null;
  channel: string;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
}

export interface EventRow {
  pk: number;
  id: string;
  type: string;
  time: number;
  session_pk: number;
  profile_pk: number;
  source_id: string;
  debug: number;
  system: number;
  page_url: string | null;
  properties: string;
  context: string | null;
  /** Its session's traffic class (CLS). */
  traffic: number;
  /** What the collector changed or left out of it, as a JSON array of sentences, or NULL (009). */
  warnings: string | null;
}

/** A `/track` request that was refused (009): kept apart from the data, the newest 10,000. */
export interface RejectedRow {
  pk: number;
  time: number;
  status: number;
  detail: string;
  source_id: string | null;
  origin: string | null;
  user_agent: string | null;
  /** The body as it came (decoded), cut at 64 KB; NULL when it was refused before it was read. */
  body: string | null;
  truncated: number;
}

export const SESSION_STATUS = { active: 0, ended: 1 } as const;

/** A session's context JSON (device, app, screen, ...), kept apart from its narrow row (006). */
export interface SessionContextRow {
  session_pk: number;
  context: string;
}

/** One run-time setting, its value as JSON. */
export interface SettingRow {
  key: string;
  value: string;
}

/** The one row that says whether the last run stopped after writing every counter (006). */
export interface RunStateRow {
  id: 1;
  clean: number;
}

/**
 * Traffic classes as stored: the `traffic` column of sessions and events (009) and the `cls`
 * column of the rollups. The codes are what the rollups were written with before automation
 * was told apart (0 people, 1 bots, 2 debug); automation came as 3.
 */
export const CLS = { person: 0, bot: 1, debug: 2, automation: 3 } as const;
export type TrafficClass = (typeof CLS)[keyof typeof CLS];

/** A class's name (shared/traffic.ts) by its code. */
export const TRAFFIC_NAME: Readonly<Record<TrafficClass, TrafficClassName>> = { 0: 'person', 1: 'bot', 2: 'debug', 3: 'automation' };

/** Per-session figures of one bucket (002): `g` 0 an hour, 1 a day; `t` hours or days since the epoch. */
export interface AggSessionRow {
  g: number;
  t: number;
  cls: number;
  sessions: number;
  new_profiles: number;
  ended: number;
  engaged: number;
  duration_sum: number;
  page_views: number;
}

/** The figures of AggSessionRow as the rollup writer adds to them and the stats queries sum them. */
export interface SessionFigures {
  sessions: number;
  newProfiles: number;
  ended: number;
  engaged: number;
  durationSum: number;
  pageViews: number;
}

/** Counts by dimension value in one bucket (002); `g` and `t` as in AggSessionRow. */
export interface AggDimRow {
  dim: string;
  g: number;
  t: number;
  cls: number;
  value: string;
  n: number;
}

/** A migration applied to this database (engine/db/database.ts). */
export interface SchemaMigrationRow {
  version: number;
  name: string;
  checksum: string;
  applied_at: number;
}

/** What one upstream has accepted (010): every event with pk <= mark. */
export interface ForwardMarkRow {
  upstream: string;
  mark: number;
  gen: number;
  forwarded: number;
  last_ok_at: number | null;
}
