import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../clock';
import { openDatabase } from '../db/database';
import { startTestFootfall, type TestFootfall } from '../testing';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'footfall-counters-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const visit = (t: TestFootfall, events: object[]) => ({ source: { id: t.source }, session: { id: 'S1' }, profile: { id: 'P1' }, events });
const pv = (url: string) => ({ type: 'page-view', context: { page: { url } } });
const rawRow = (t: TestFootfall) => t.ff.db.prepare("SELECT events, page_views, last_at, landing_page, exit_page FROM sessions WHERE id = 'S1'").get();

describe("an active session's counters", () => {
  it('are written in batches, and every admin read sees them up to date', async () => {
    const t = await startTestFootfall({ dir });
    try {
      await t.track(visit(t, [pv('https://a.test/1')]));
      t.clock.advance(4000);
      await t.track(visit(t, [pv('https://a.test/2'), { type: 'purchase' }]));
      // The row has not been written since the visit started...
      expect(rawRow(t)).toMatchObject({ events: 0, page_views: 0 });
      // ...and a reader gets what memory holds.
      const s = (await t.api('GET', '/api/sessions/S1')).body;
      expect(s.stats).toEqual({ events: 3, pageViews: 2, keyEvents: 1 });
      expect(s.metadata.time.duration).toBe(4);
      expect(rawRow(t)).toMatchObject({ events: 3, page_views: 2, landing_page: 'https://a.test/1', exit_page: 'https://a.test/2' });
      const p = (await t.api('GET', '/api/profiles/P1')).body;
      expect(p.stats).toEqual({ visits: 1, views: 2, events: 3 });
    } finally {
      await t.close();
    }
  });

  it('leave memory after 20 s idle, and are read back when the visit goes on', async () => {
    const t = await startTestFootfall({ dir, sessionTimeout: 1800 });
    try {
      await t.track(visit(t, [pv('https://a.test/1'), { type: 'click' }]));
      t.clock.advance(10_000);
      await t.sweep();
      expect(t.ff.engine.cachedActiveSessions).toBe(1); // idle 10 s: kept
      t.clock.advance(11_000);
      await t.sweep();
      expect(t.ff.engine.cachedActiveSessions).toBe(0); // idle over 20 s, row up to date: let go
      expect(rawRow(t)).toMatchObject({ events: 2, page_views: 1 });
      await t.track(visit(t, [pv('https://a.test/2')]));
      expect(t.ff.engine.cachedActiveSessions).toBe(1);
      const s = (await t.api('GET', '/api/sessions/S1')).body;
      expect(s.metadata.status).toBe('active');
      expect(s.stats).toEqual({ events: 3, pageViews: 2, keyEvents: 0 });
      expect(s.context.exitPage).toBe('https://a.test/2');
    } finally {
      await t.close();
    }
  });

  it('are rebuilt from the events after a crash', async () => {
    const clock = new FakeClock();
    const t = await startTestFootfall({ dir, clock });
    await t.track(visit(t, [pv('https://a.test/1')]));
    clock.advance(2500);
    await t.track(visit(t, [pv('https://a.test/2'), { type: 'click' }, { type: 'sign-up' }]));
    const lastAt = clock.now();
    expect(rawRow(t)).toMatchObject({ events: 0 });
    // A crash: the process dies with counters only in memory (no syncing stop).
    await t.ff.app.close();
    await t.ff.sweeper.stop();
    t.ff.db.close();

    const again = await startTestFootfall({ dir, clock });
    try {
      expect(rawRow(again)).toEqual({ events: 4, page_views: 2, last_at: lastAt, landing_page: 'https://a.test/1', exit_page: 'https://a.test/2' });
      const s = (await again.api('GET', '/api/sessions/S1')).body;
      expect(s.metadata.status).toBe('active');
      expect(s.stats).toEqual({ events: 4, pageViews: 2, keyEvents: 1 });
      // The visit goes on from there.
      await again.track(visit(again, [{ type: 'click' }]));
      expect((await again.api('GET', '/api/sessions/S1')).body.stats.events).toBe(5);
    } finally {
      await again.close();
    }
  });

  it('are all written at a clean stop, which says so for the next start', async () => {
    const t = await startTestFootfall({ dir });
    await t.track(visit(t, [pv('https://a.test/1'), { type: 'click' }]));
    expect(t.ff.db.prepare('SELECT clean FROM run_state').pluck().get()).toBe(0);
    await t.ff.stop();
    const db = openDatabase(dir);
    try {
      expect(db.prepare('SELECT clean FROM run_state').pluck().get()).toBe(1);
      expect(db.prepare("SELECT events, page_views FROM sessions WHERE id = 'S1'").get()).toEqual({ events: 2, page_views: 1 });
    } finally {
      db.close();
    }
  });
});
