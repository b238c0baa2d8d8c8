-- The session list sorted by something other than start time, over a long range.
-- Partial indexes of ENDED sessions by each sort column: an ended session never changes,
-- so these are written once, when a session ends, and cost nothing per event (the columns
-- of active sessions change with every event; active ones are not in these indexes).
-- The list walks one in sort order when the range is large (engine/queries/session-order.ts).
CREATE INDEX sessions_ended_events ON sessions (events) WHERE status = 1;
CREATE INDEX sessions_ended_page_views ON sessions (page_views) WHERE status = 1;
CREATE INDEX sessions_ended_duration ON sessions (coalesce(duration, (last_at - started_at) / 1000.0)) WHERE status = 1;
CREATE INDEX sessions_ended_last ON sessions (last_at) WHERE status = 1;
-- Active sessions only (a few hundred at most): the "active" filter of the list, whatever
-- the sort, reads just them. Written when a session starts and when it ends.
CREATE INDEX sessions_active ON sessions (started_at) WHERE status = 0;
