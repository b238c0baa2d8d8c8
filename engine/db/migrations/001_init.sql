-- Footfall's storage. Times are integer milliseconds since the epoch (UTC); durations are seconds.
-- Text ids are what users and trackers see; integer `pk`s are what rows join on.

CREATE TABLE sources (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  enabled     INTEGER NOT NULL DEFAULT 1,
  is_default  INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE profiles (
  pk            INTEGER PRIMARY KEY,
  id            TEXT NOT NULL UNIQUE,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,          -- last event of the profile
  visit_count   INTEGER NOT NULL DEFAULT 0,
  visit_last    INTEGER,                   -- start of the visit before the current one
  visit_current INTEGER,                   -- start of the current (latest) visit
  tz            TEXT,
  views         INTEGER NOT NULL DEFAULT 0, -- page views
  events        INTEGER NOT NULL DEFAULT 0, -- tracked events (system events excluded)
  debug         INTEGER NOT NULL DEFAULT 0, -- made by a debug event: kept out of charts
  traits        TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX profiles_updated ON profiles (updated_at);

CREATE TABLE sessions (
  pk              INTEGER PRIMARY KEY,
  id              TEXT NOT NULL UNIQUE,
  client_id       TEXT NOT NULL,            -- the id the tracker sends; a continuation shares it
  previous_pk     INTEGER,                  -- the ended visit this one continues
  profile_pk      INTEGER NOT NULL REFERENCES profiles (pk),
  source_id       TEXT NOT NULL,
  status          INTEGER NOT NULL,         -- 0 active, 1 ended
  debug           INTEGER NOT NULL DEFAULT 0,
  bot             INTEGER NOT NULL DEFAULT 0,
  started_at      INTEGER NOT NULL,
  last_at         INTEGER NOT NULL,         -- last tracked event
  ended_at        INTEGER,
  duration        REAL,                     -- seconds, end - start
  end_reason      TEXT,                     -- timeout | logout | api
  events          INTEGER NOT NULL DEFAULT 0,
  page_views      INTEGER NOT NULL DEFAULT 0,
  key_events      INTEGER NOT NULL DEFAULT 0, -- events of a key type (purchase, sign-up, ...): engagement
  visit_number    INTEGER NOT NULL DEFAULT 0,
  is_returning    INTEGER NOT NULL DEFAULT 0, -- the profile had visits before this one
  landing_page    TEXT,
  exit_page       TEXT,
  device          TEXT NOT NULL DEFAULT 'desktop',
  browser         TEXT,
  browser_version TEXT,
  os              TEXT,
  os_version      TEXT,
  language        TEXT,
  tz              TEXT,
  referrer_host   TEXT,
  channel         TEXT NOT NULL DEFAULT 'direct',
  utm_source      TEXT,
  utm_medium      TEXT,
  utm_campaign    TEXT,
  utm_term        TEXT,
  utm_content     TEXT,
  context         TEXT NOT NULL DEFAULT '{}' -- device/app/screen details as JSON
) STRICT;
CREATE INDEX sessions_client ON sessions (client_id);
CREATE INDEX sessions_started ON sessions (started_at);
CREATE INDEX sessions_profile ON sessions (profile_pk, started_at);
-- The sweeper's lookup: only active, non-debug sessions are in it, ordered by idleness,
-- so finding the expired ones touches only the expired rows.
CREATE INDEX sessions_expiry ON sessions (last_at) WHERE status = 0 AND debug = 0;

CREATE TABLE events (
  pk          INTEGER PRIMARY KEY,
  id          TEXT NOT NULL UNIQUE,
  type        TEXT NOT NULL,
  time        INTEGER NOT NULL,
  session_pk  INTEGER NOT NULL,
  profile_pk  INTEGER NOT NULL,
  source_id   TEXT NOT NULL,
  debug       INTEGER NOT NULL DEFAULT 0,
  system      INTEGER NOT NULL DEFAULT 0,   -- made by the engine (visit-started, visit-ended, profile-created)
  page_url    TEXT,
  properties  TEXT NOT NULL DEFAULT '{}',
  context     TEXT                          -- the event's own context (page, ...) as JSON
) STRICT;
CREATE INDEX events_session ON events (session_pk);
CREATE INDEX events_profile ON events (profile_pk);
CREATE INDEX events_type ON events (type);

-- Key/value settings that the dashboard may change at run time (session timeout, ...).
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
