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
