-- Distinct visitors and visits per profile (the dashboard's only figures not in the rollups)
-- read sessions by start time. Two covering indexes, so neither query touches table rows:
-- by start, for short ranges (an index range scan over the range's sessions), and by
-- profile, for long ones (one pass grouping by profile with no sort). Their columns never
-- change after a session starts: each costs one index insert per visit, none per event.
CREATE INDEX sessions_started_visitor ON sessions (started_at, profile_pk, debug, bot);
CREATE INDEX sessions_profile_visitor ON sessions (profile_pk, started_at, debug, bot);
