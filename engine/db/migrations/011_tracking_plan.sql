-- The tracking plan (issue "Tracking plan"): the plan kept in the database (PUT /api/plan; a
-- plan given with --plan FILE stays in its file), and each event's verdict against the plan
-- in force when it was stored.
CREATE TABLE tracking_plan (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  plan       TEXT NOT NULL,               -- the plan's JSON: {"events": {...}, "unplanned": "allow" | "flag"}
  updated_at INTEGER NOT NULL
) STRICT;

-- A row only for events stored while a plan was in force (none: no row, validation null), in
-- its own table so that the events' own rows stay as they are. Written in the event's
-- transaction; deleted with the event (its pk may be handed out again after the newest
-- events go).
CREATE TABLE event_validation (
  event_pk INTEGER PRIMARY KEY,           -- events.pk
  status   INTEGER NOT NULL,              -- 0 valid, 1 invalid, 2 unplanned
  errors   TEXT                           -- JSON [{"path", "message"}], NULL when none
) STRICT;
-- The invalid and unplanned filters and counts touch only those rows.
CREATE INDEX event_validation_flagged ON event_validation (status) WHERE status <> 0;
