import type Database from 'better-sqlite3';
import { PAGE_VIEW_SQL } from '../../shared/rules';

/**
 * An active session's counters as its committed events say: what the engine rebuilds after
 * a crash (or a failed write), when the row may lag the events. Parameters: @pk, and
 * @keyTypes, the key event types as a JSON array.
 */
export const REBUILD_SESSION_SQL = `UPDATE sessions SET
    events = (SELECT count(*) FROM events e WHERE e.session_pk = sessions.pk AND e.system = 0),
    page_views = (SELECT count(*) FROM events e WHERE e.session_pk = sessions.pk AND e.system = 0 AND e.type IN (${PAGE_VIEW_SQL})),
    key_events = (SELECT count(*) FROM events e WHERE e.session_pk = sessions.pk AND e.system = 0
      AND e.type IN (SELECT value FROM json_each(@keyTypes))),
    last_at = coalesce((SELECT max(time) FROM events e WHERE e.session_pk = sessions.pk AND e.system = 0), started_at),
    landing_page = (SELECT page_url FROM events e WHERE e.session_pk = sessions.pk AND e.system = 0
      AND e.type IN (${PAGE_VIEW_SQL}) AND e.page_url IS NOT NULL ORDER BY e.pk LIMIT 1),
    exit_page = (SELECT page_url FROM events e WHERE e.session_pk = sessions.pk AND e.system = 0
      AND e.type IN (${PAGE_VIEW_SQL}) AND e.page_url IS NOT NULL ORDER BY e.pk DESC LIMIT 1)
  WHERE pk = @pk AND status = 0`;

/** Rebuilds every active session's counters from its events (in the caller's transaction, if any). */
export function rebuildActiveSessions(db: Database.Database, keyTypes: readonly string[]): number {
  const rebuild = db.prepare(REBUILD_SESSION_SQL);
  const pks = db.prepare('SELECT pk FROM sessions WHERE status = 0').pluck().all() as number[];
  const json = JSON.stringify(keyTypes);
  for (const pk of pks) rebuild.run({ pk, keyTypes: json });
  return pks.length;
}
