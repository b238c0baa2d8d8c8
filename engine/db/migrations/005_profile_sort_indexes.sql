-- The Profiles list sorted by first seen or by visit count (the "last seen" order already
-- has profiles_updated). created_at never changes and visit_count changes once per visit,
-- never per event, so both cost a write only when a profile is made or a visit starts.
CREATE INDEX profiles_created ON profiles (created_at);
CREATE INDEX profiles_visits ON profiles (visit_count);
