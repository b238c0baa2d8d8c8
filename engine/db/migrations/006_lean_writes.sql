-- Leaner writes for the collector and the sweeper.
--
-- A session's counters (last activity, events, page views, landing and exit page) change
-- with every event; they now live in the engine's memory and are written in batches (before
-- every admin read, every sweep and at shutdown), and rebuilt from the events after a crash
-- (run_state.clean says whether the last run stopped cleanly). Profile view and event counts
-- are no longer stored: they are sums over the profile's sessions.

-- A profile's events are found through its sessions (sessions_profile_visitor); only debug
-- events, which all share one session, need their own path to a profile.
DROP INDEX events_profile;
CREATE INDEX events_debug_profile ON events (profile_pk) WHERE debug = 1;

-- sessions_profile_visitor and sessions_started_visitor (003) start with the same columns.
DROP INDEX sessions_profile;
DROP INDEX sessions_started;

-- Sessions are found by id. A tracker that keeps an ended visit's id is followed along the
-- visits continuing it (previous_pk), an index that only continuations are in.
DROP INDEX sessions_client;
CREATE INDEX sessions_continuation ON sessions (previous_pk) WHERE previous_pk IS NOT NULL;

-- The context JSON is most of a session row's bytes and never changes: kept apart, the rows
-- the sweeper and the lists rewrite and read are small.
CREATE TABLE session_context (
  session_pk INTEGER PRIMARY KEY,
  context    TEXT NOT NULL
) STRICT;
INSERT INTO session_context (session_pk, context) SELECT pk, context FROM sessions;
ALTER TABLE sessions DROP COLUMN context;

ALTER TABLE profiles DROP COLUMN views;
ALTER TABLE profiles DROP COLUMN events;

CREATE TABLE run_state (
  id    INTEGER PRIMARY KEY CHECK (id = 1),
  clean INTEGER NOT NULL  -- 1 once the engine stopped after writing every counter
) STRICT;
INSERT INTO run_state (id, clean) VALUES (1, 1);
