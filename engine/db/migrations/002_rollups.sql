-- Rollups kept up to date in the same transaction as the events they count, so the
-- dashboard never scans the events table. Every rollup row is a bucket:
--   g = 0: an hour, t = hours since the epoch (UTC)
--   g = 1: a day,   t = days since the epoch (UTC)
-- A date range is answered from whole days in the middle and hours at its two edges.
--   cls = traffic class: 0 people, 1 bots, 2 debug

-- Per-session figures, bucketed by session start.
CREATE TABLE agg_sessions (
  g            INTEGER NOT NULL,
  t            INTEGER NOT NULL,
  cls          INTEGER NOT NULL,
  sessions     INTEGER NOT NULL DEFAULT 0,  -- sessions started
  new_profiles INTEGER NOT NULL DEFAULT 0,  -- sessions that were their profile's first visit
  ended        INTEGER NOT NULL DEFAULT 0,  -- of those, ended so far
  engaged      INTEGER NOT NULL DEFAULT 0,  -- ended and engaged (GA4 rule)
  duration_sum REAL NOT NULL DEFAULT 0,     -- seconds, over the ended ones
  page_views   INTEGER NOT NULL DEFAULT 0,  -- page views of the ended ones
  PRIMARY KEY (g, t, cls)
) STRICT, WITHOUT ROWID;

-- Counters by dimension value: session dimensions (browser, os, device, channel, referrer,
-- landing, exit, utm_*, duration bucket) by session start; `event_type` and `page` by event time.
CREATE TABLE agg_dims (
  dim   TEXT NOT NULL,
  g     INTEGER NOT NULL,
  t     INTEGER NOT NULL,
  cls   INTEGER NOT NULL,
  value TEXT NOT NULL,
  n     INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (dim, g, t, cls, value)
) STRICT, WITHOUT ROWID;
