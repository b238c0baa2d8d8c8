import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database';
import { MIGRATIONS } from './migrations';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'footfall-db-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const BEFORE_012 = MIGRATIONS.filter((m) => m.version < 12);

describe('migration 012 (the events\' strings by key)', () => {
  it('converts the events of an older database, which then read the same through the events view', () => {
    const old = openDatabase(dir, { migrations: BEFORE_012 });
    const insert = old.prepare(`INSERT INTO events (id, type, time, session_pk, profile_pk, source_id, debug, system, page_url, properties, context, traffic, warnings)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const ctx = JSON.stringify({ page: { url: 'https://shop.test/a', title: 'A' } });
    insert.run('e1', 'page-view', 1000, 1, 1, 'src-1', 0, 0, 'https://shop.test/a', '{"title":"A"}', ctx, 0, null);
    insert.run('e2', 'visit-started', 1000, 1, 1, 'src-1', 0, 1, 'https://shop.test/a', '{}', null, 0, null);
    insert.run('e3', 'purchase', 2000, 2, 2, 'src-2', 1, 0, null, '{"total":3}', ctx, 2, '["a warning"]');
    // A value that is used both as a type and as a page URL is stored once.
    insert.run('e4', 'https://shop.test/a', 3000, 2, 2, 'src-2', 0, 0, 'page-view', '{}', null, 1, null);
    const sessionCtx = JSON.stringify({ browser: { userAgent: 'UA' }, screen: { width: 1, height: 2 } });
    old.prepare('INSERT INTO session_context (session_pk, context) VALUES (1, ?), (2, ?), (3, ?)').run(sessionCtx, sessionCtx, '{}');
    const before = old.prepare('SELECT * FROM events ORDER BY pk').all();
    const contextsBefore = old.prepare('SELECT * FROM session_context ORDER BY session_pk').all();
    old.close();

    const db = openDatabase(dir);
    try {
      expect(db.prepare('SELECT * FROM events ORDER BY pk').all()).toEqual(before);
      expect(db.prepare('SELECT * FROM session_context ORDER BY session_pk').all()).toEqual(contextsBefore);
      expect(db.prepare("SELECT type FROM sqlite_schema WHERE name = 'events'").pluck().get()).toBe('view');
      // Keys for every type, source and session context, and for the page URLs and event
      // contexts that repeat; a URL that does not stays inline, but for one with a key already.
      expect(db.prepare('SELECT value FROM event_strings ORDER BY value').pluck().all()).toEqual(
        [ctx, sessionCtx, '{}', 'https://shop.test/a', 'page-view', 'purchase', 'src-1', 'src-2', 'visit-started'].sort(),
      );
      expect(db.prepare("SELECT id, page_ref IS NULL, page_url, context_ref IS NULL FROM event_rows WHERE page_url IS NOT NULL OR page_ref IS NULL").raw().all()).toEqual([
        ['e3', 1, null, 0],
      ]);
      expect(db.prepare("SELECT page_ref = (SELECT id FROM event_strings WHERE value = 'page-view') FROM event_rows WHERE id = 'e4'").pluck().get()).toBe(1);
      // The indexes are on the rows, and the hot reads use them.
      const plan = (sql: string, ...p: unknown[]) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...p) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
      expect(plan('SELECT * FROM events WHERE id = ?', 'e1')).toMatch(/SEARCH r USING INDEX sqlite_autoindex_event_rows_1/);
      expect(plan('SELECT * FROM events WHERE session_pk = ? ORDER BY pk', 1)).toMatch(/SEARCH r USING INDEX events_session/);
      expect(plan("SELECT count(*) FROM events WHERE type = 'purchase'")).toMatch(/SEARCH r USING (COVERING )?INDEX events_type/);
      // Explore's trigger follows deletions from the rows.
      db.prepare("DELETE FROM event_rows WHERE id = 'e3'").run();
      expect(db.prepare('SELECT events_lo, events_hi FROM explore_state').raw().get()).toEqual([3, 3]);
    } finally {
      db.close();
    }
  });
});
