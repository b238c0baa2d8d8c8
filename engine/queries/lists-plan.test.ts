import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/database';
import { sessionSelect } from './lists';

// A session read joins its context; through the session_context view (a join of its own) on
// the right of a LEFT JOIN, SQLite materialised the whole view for every read: 1.2 s a session
// at 10M events, which no test on a small database could see as time, only as the plan.
describe('session reads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'footfall-plan-'));
  const db = openDatabase(dir);
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('find a session and its context by key, without materialising a view', () => {
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sessionSelect()} WHERE s.pk = ?`).all(1) as Array<{ detail: string }>).map((r) => r.detail);
    expect(plan.join('\n')).not.toMatch(/MATERIALIZE|SCAN/);
  });
});
