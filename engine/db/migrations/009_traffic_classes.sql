-- Traffic classes, rejected requests and collector warnings.
--
-- Every session and event carries its traffic class, decided when the visit started:
-- 0 person, 1 bot, 2 debug, 3 automation (the rollups' `cls` codes; automation is new).
-- Before this, automation (headless browsers, HTTP clients) was stored as bot; the engine
-- moves such visits to automation at its next start, judging each by the user agent its
-- stored context holds, and moves their rollups with them (engine/sessions/reclassify.ts,
-- run once for the row in `upgrades`).
ALTER TABLE sessions ADD COLUMN traffic INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET traffic = CASE WHEN debug = 1 THEN 2 ELSE 1 END WHERE debug = 1 OR bot = 1;

ALTER TABLE events ADD COLUMN traffic INTEGER NOT NULL DEFAULT 0;
-- What the collector changed or left out of the event (a JSON array of sentences), or NULL.
ALTER TABLE events ADD COLUMN warnings TEXT;
UPDATE events SET traffic = 2 WHERE debug = 1;
UPDATE events SET traffic = 1 WHERE session_pk IN (SELECT pk FROM sessions WHERE traffic = 1);

-- The covering indexes of sessions by start and by profile (003) hold the class instead of
-- the debug and bot flags: distinct visitors, counts and a profile's classes read only them.
DROP INDEX sessions_started_visitor;
DROP INDEX sessions_profile_visitor;
CREATE INDEX sessions_started_traffic ON sessions (started_at, profile_pk, traffic);
CREATE INDEX sessions_profile_traffic ON sessions (profile_pk, started_at, traffic);

-- Explore (008) keeps each session's class in its columns: a class moved later (the
-- reclassification above's next start) must make it read the session again.
DROP TRIGGER explore_sessions_changed;
CREATE TRIGGER explore_sessions_changed AFTER UPDATE OF profile_pk, source_id, debug, bot, traffic, started_at, visit_number,
    device, browser, os, channel, referrer_host, utm_source, utm_medium, utm_campaign ON sessions
BEGIN
  UPDATE explore_state SET sessions_lo = min(coalesce(sessions_lo, old.pk), old.pk), sessions_hi = max(coalesce(sessions_hi, old.pk), old.pk);
END;

-- Bot and debug events, newest first: the few a list asks for when it shows only them, and
-- what a list hiding them counts. People's and automation's events (nearly all) cost no
-- entry here.
CREATE INDEX events_rare_traffic ON events (traffic, pk) WHERE traffic IN (1, 2);

-- Every /track request refused (400, 401, 413, 415, 422), the newest 10,000, apart from the
-- data: writing one never touches events, sessions, profiles or the rollups.
CREATE TABLE rejected (
  pk         INTEGER PRIMARY KEY,
  time       INTEGER NOT NULL,
  status     INTEGER NOT NULL,
  detail     TEXT NOT NULL,
  source_id  TEXT,
  origin     TEXT,
  user_agent TEXT,
  body       TEXT,               -- as it came (decoded), cut at 64 KB; NULL when refused before it was read
  truncated  INTEGER NOT NULL DEFAULT 0
) STRICT;

-- One-off steps the engine runs in JavaScript at its next start, then deletes.
CREATE TABLE upgrades (
  name TEXT PRIMARY KEY
) STRICT;
INSERT INTO upgrades (name) VALUES ('reclassify-automation');
