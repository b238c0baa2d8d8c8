-- Smaller events (issue "Ten million events on a laptop"). An event's type, source id, page
-- URL and context take few distinct values (a handful of types and sources, the site's pages,
-- the contexts its pages send) yet were most of a row's bytes, and of the type index's. They
-- are now stored once each in `event_strings` and referenced by its integer key. A page URL
-- or context is given a key only once it repeats: one that never does (a context with the
-- page's clock in it, a URL with a click id) stays inline in the row, where a key would cost a
-- row and an index entry as long as itself.
--
-- The rows live in `event_rows`; `events` is a view with the table's old columns, so every
-- reader (queries, exports, forwarding, the plan's scan, explore) reads what it read before.
-- The engine writes `event_rows` itself, resolving the keys from a cache in memory
-- (engine/sessions/strings.ts) and looking a value up here only when the cache misses: the
-- collector never pays a lookup in SQL for a value it has seen. The view's INSTEAD OF
-- triggers are for anything else that writes `events` (a person with sqlite3, tests).
--
-- A session's context (migration 006) is stored the same way: visits from the same browser
-- and screen send the same one (2,509 distinct in 89,222 visits of the seeded year).
--
-- `event_strings` only grows: deleting events (retention, debug data, a reset) leaves their
-- strings, few and small, so a key the cache holds always still names its value.
CREATE TABLE event_strings (
  id    INTEGER PRIMARY KEY,
  value TEXT NOT NULL UNIQUE
) STRICT;
INSERT OR IGNORE INTO event_strings (value) SELECT type FROM events;
INSERT OR IGNORE INTO event_strings (value) SELECT source_id FROM events;
INSERT OR IGNORE INTO event_strings (value) SELECT page_url FROM events WHERE page_url IS NOT NULL GROUP BY page_url HAVING count(*) > 1;
INSERT OR IGNORE INTO event_strings (value) SELECT context FROM events WHERE context IS NOT NULL GROUP BY context HAVING count(*) > 1;

CREATE TABLE event_rows (
  pk          INTEGER PRIMARY KEY,
  id          TEXT NOT NULL UNIQUE,
  type_ref    INTEGER NOT NULL,             -- event_strings.id of the type
  time        INTEGER NOT NULL,
  session_pk  INTEGER NOT NULL,
  profile_pk  INTEGER NOT NULL,
  source_ref  INTEGER NOT NULL,             -- event_strings.id of the source's id
  debug       INTEGER NOT NULL DEFAULT 0,
  system      INTEGER NOT NULL DEFAULT 0,
  page_ref    INTEGER,                      -- event_strings.id of the page URL, or NULL and
  page_url    TEXT,                         --   the URL itself here (NULL too: none)
  properties  TEXT NOT NULL DEFAULT '{}',
  context_ref INTEGER,                      -- event_strings.id of the context JSON, or NULL and
  context     TEXT,                         --   the JSON itself here (NULL too: none)
  traffic     INTEGER NOT NULL DEFAULT 0,
  warnings    TEXT
) STRICT;
INSERT INTO event_rows (pk, id, type_ref, time, session_pk, profile_pk, source_ref, debug, system, page_ref, page_url, properties, context_ref, context, traffic, warnings)
  SELECT e.pk, e.id, t.id, e.time, e.session_pk, e.profile_pk, s.id, e.debug, e.system,
    p.id, CASE WHEN p.id IS NULL THEN e.page_url END, e.properties, c.id, CASE WHEN c.id IS NULL THEN e.context END, e.traffic, e.warnings
  FROM events e
    JOIN event_strings t ON t.value = e.type
    JOIN event_strings s ON s.value = e.source_id
    LEFT JOIN event_strings p ON p.value = e.page_url
    LEFT JOIN event_strings c ON c.value = e.context
  ORDER BY e.pk;
-- Its indexes and triggers go with it.
DROP TABLE events;

CREATE INDEX events_session ON event_rows (session_pk);
CREATE INDEX events_type ON event_rows (type_ref);
CREATE INDEX events_debug_profile ON event_rows (profile_pk) WHERE debug = 1;
CREATE INDEX events_rare_traffic ON event_rows (traffic, pk) WHERE traffic IN (1, 2);

-- LEFT JOINs on the dictionary's key: a read that names none of a string's columns skips its
-- join, and a filter on one (type = ?) is turned into a lookup of the string, then the index.
CREATE VIEW events AS
  SELECT r.pk AS pk, r.id AS id, t.value AS type, r.time AS time, r.session_pk AS session_pk, r.profile_pk AS profile_pk,
    s.value AS source_id, r.debug AS debug, r.system AS system, coalesce(p.value, r.page_url) AS page_url, r.properties AS properties,
    coalesce(c.value, r.context) AS context, r.traffic AS traffic, r.warnings AS warnings
  FROM event_rows r
    LEFT JOIN event_strings t ON t.id = r.type_ref
    LEFT JOIN event_strings s ON s.id = r.source_ref
    LEFT JOIN event_strings p ON p.id = r.page_ref
    LEFT JOIN event_strings c ON c.id = r.context_ref;

CREATE TRIGGER events_insert INSTEAD OF INSERT ON events
BEGIN
  INSERT INTO event_strings (value) SELECT NEW.type WHERE true ON CONFLICT DO NOTHING;
  INSERT INTO event_strings (value) SELECT NEW.source_id WHERE true ON CONFLICT DO NOTHING;
  INSERT INTO event_rows (pk, id, type_ref, time, session_pk, profile_pk, source_ref, debug, system, page_url, properties, context, traffic, warnings)
  VALUES (NEW.pk, NEW.id, (SELECT id FROM event_strings WHERE value = NEW.type), NEW.time, NEW.session_pk, NEW.profile_pk,
    (SELECT id FROM event_strings WHERE value = NEW.source_id), coalesce(NEW.debug, 0), coalesce(NEW.system, 0),
    NEW.page_url, coalesce(NEW.properties, '{}'), NEW.context, coalesce(NEW.traffic, 0), NEW.warnings);
END;
CREATE TRIGGER events_delete INSTEAD OF DELETE ON events
BEGIN
  DELETE FROM event_rows WHERE pk = OLD.pk;
END;
CREATE TRIGGER events_update INSTEAD OF UPDATE OF traffic, warnings ON events
BEGIN
  UPDATE event_rows SET traffic = NEW.traffic, warnings = NEW.warnings WHERE pk = OLD.pk;
END;

-- 008's triggers, on the rows (the strings' keys never change under a row's value).
CREATE TRIGGER explore_events_deleted AFTER DELETE ON event_rows
BEGIN
  UPDATE explore_state SET events_lo = min(coalesce(events_lo, old.pk), old.pk), events_hi = max(coalesce(events_hi, old.pk), old.pk);
END;
CREATE TRIGGER explore_events_changed AFTER UPDATE OF session_pk, time, type_ref, page_ref, page_url, properties, system ON event_rows
BEGIN
  UPDATE explore_state SET events_lo = min(coalesce(events_lo, old.pk), old.pk), events_hi = max(coalesce(events_hi, old.pk), old.pk);
END;

-- Sessions' contexts by key, read through the `session_context` view as before.
INSERT OR IGNORE INTO event_strings (value) SELECT context FROM session_context;
CREATE TABLE session_context_refs (
  session_pk  INTEGER PRIMARY KEY,
  context_ref INTEGER NOT NULL              -- event_strings.id of the context JSON
) STRICT;
INSERT INTO session_context_refs (session_pk, context_ref)
  SELECT c.session_pk, s.id FROM session_context c JOIN event_strings s ON s.value = c.context ORDER BY c.session_pk;
DROP TABLE session_context;
CREATE VIEW session_context AS
  SELECT c.session_pk AS session_pk, s.value AS context
  FROM session_context_refs c LEFT JOIN event_strings s ON s.id = c.context_ref;
CREATE TRIGGER session_context_insert INSTEAD OF INSERT ON session_context
BEGIN
  INSERT INTO event_strings (value) SELECT NEW.context WHERE true ON CONFLICT DO NOTHING;
  INSERT INTO session_context_refs (session_pk, context_ref) VALUES (NEW.session_pk, (SELECT id FROM event_strings WHERE value = NEW.context));
END;
CREATE TRIGGER session_context_delete INSTEAD OF DELETE ON session_context
BEGIN
  DELETE FROM session_context_refs WHERE session_pk = OLD.session_pk;
END;
