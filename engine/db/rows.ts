/** Row types matching the schema in ./migrations exactly (integers as numbers, JSON as text). */

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

/** Traffic classes the rollups keep apart (the `cls` column): charts show people unless asked for more. */
export const CLS = { people: 0, bot: 1, debug: 2 } as const;
export type TrafficClass = (typeof CLS)[keyof typeof CLS];

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
