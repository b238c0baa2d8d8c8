-- Explore (filtered figures, funnels, paths, retention) answers from columns in memory
-- (engine/explore). These segments are those columns for ranges of table rows, so that a
-- restart loads a few BLOBs instead of reading every event row again. They are a cache of
-- the events and sessions tables: nothing on the collector's path writes them.
CREATE TABLE explore_segments (
  kind  INTEGER NOT NULL,  -- 0 events, 1 sessions
  lo    INTEGER NOT NULL,  -- the segment holds the rows with lo < pk <= hi
  hi    INTEGER NOT NULL,
  rows  INTEGER NOT NULL,  -- rows of the table in that range when it was written (system events included)
  items INTEGER NOT NULL,  -- rows the segment holds (system events left out)
  data  BLOB NOT NULL,
  PRIMARY KEY (kind, lo)
) STRICT, WITHOUT ROWID;

-- The range of row keys deleted or changed since explore last looked (NULL: none). The
-- segments overlapping it are dropped and their rows read again. Deletions are rare and in
-- bulk (retention, debug data, reset); nothing today changes what explore holds of a
-- stored event or of a session once it ended.
CREATE TABLE explore_state (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  events_lo   INTEGER,
  events_hi   INTEGER,
  sessions_lo INTEGER,
  sessions_hi INTEGER
) STRICT;
INSERT INTO explore_state (id) VALUES (1);

CREATE TRIGGER explore_events_deleted AFTER DELETE ON events
BEGIN
  UPDATE explore_state SET events_lo = min(coalesce(events_lo, old.pk), old.pk), events_hi = max(coalesce(events_hi, old.pk), old.pk);
END;
CREATE TRIGGER explore_events_changed AFTER UPDATE OF session_pk, time, type, page_url, properties, system ON events
BEGIN
  UPDATE explore_state SET events_lo = min(coalesce(events_lo, old.pk), old.pk), events_hi = max(coalesce(events_hi, old.pk), old.pk);
END;
CREATE TRIGGER explore_sessions_deleted AFTER DELETE ON sessions
BEGIN
  UPDATE explore_state SET sessions_lo = min(coalesce(sessions_lo, old.pk), old.pk), sessions_hi = max(coalesce(sessions_hi, old.pk), old.pk);
END;
-- Of a session, the columns set when it starts. (The counters change with every event while
-- it is active, and explore reads active sessions again each time; neither the collector's
-- nor the sweeper's UPDATEs name these columns, so this trigger costs them nothing.)
CREATE TRIGGER explore_sessions_changed AFTER UPDATE OF profile_pk, source_id, debug, bot, started_at, visit_number,
    device, browser, os, channel, referrer_host, utm_source, utm_medium, utm_campaign ON sessions
BEGIN
  UPDATE explore_state SET sessions_lo = min(coalesce(sessions_lo, old.pk), old.pk), sessions_hi = max(coalesce(sessions_hi, old.pk), old.pk);
END;

-- Funnels the dashboard saved by name.
CREATE TABLE funnels (
  name       TEXT PRIMARY KEY,
  steps      TEXT NOT NULL,    -- JSON: [{type, page?}, ...]
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
