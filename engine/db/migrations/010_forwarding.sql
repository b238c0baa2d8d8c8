-- Forwarding (--forward URL): what each upstream has accepted, kept beside the events so that
-- a restart after a crash resumes where the upstream last confirmed.
--
-- Events are sent in `pk` order. `pk` is a plain rowid, so SQLite hands out max(pk) + 1 and
-- reuses numbers once the newest events are deleted (retention, deleted debug data, a reset):
-- a mark left above the new max would skip the new events. A trigger, made by the engine
-- while any upstream has a mark (engine/forward/outbox.ts; not here, so that without
-- forwarding a deletion pays nothing for it), lowers every mark to the
-- new max and bumps `gen` whenever the newest event goes; a batch read before that is then
-- not taken as confirmed (it is read and sent again, harmless by its event ids).
CREATE TABLE forward_marks (
  upstream   TEXT PRIMARY KEY,            -- the upstream's URL without credentials
  mark       INTEGER NOT NULL DEFAULT 0,  -- every event with pk <= mark was accepted upstream
  gen        INTEGER NOT NULL DEFAULT 0,  -- bumped when a deletion lowered the newest pk
  forwarded  INTEGER NOT NULL DEFAULT 0,  -- events accepted so far
  last_ok_at INTEGER                      -- when the upstream last accepted a batch (ms)
) STRICT;
