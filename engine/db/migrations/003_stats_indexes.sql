-- The dashboard's distinct-visitor count and visits-per-profile chart read sessions by
-- start time; this index covers them (profile and traffic class beside the start), so a
-- 90-day range is one index range scan and never touches the table rows.
-- The columns never change after a session starts, so it costs one index insert per visit.
CREATE INDEX sessions_started_visitor ON sessions (started_at, profile_pk, debug, bot);
