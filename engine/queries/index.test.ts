import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestFootfall, type TestFootfall } from '../testing';
import { DAY_MS } from '../../shared/rules';
import { buildQueries } from '.';

let t: TestFootfall;
beforeEach(async () => {
  t = await startTestFootfall();
});
afterEach(async () => {
  await t.close();
});

const visit = (events: object[]) => ({ source: { id: t.source }, session: { id: 'S1' }, profile: { id: 'P1' }, events });

describe('the read path', () => {
  it('is fresh by construction: a read straight from the queries, not through the API, sees every acknowledged event', async () => {
    await t.track(visit([{ type: 'page-view', context: { page: { url: 'https://a.test/' } } }, { type: 'click' }]));
    const raw = () => t.ff.db.prepare("SELECT events FROM sessions WHERE id = 'S1'").pluck().get();
    expect(raw()).toBe(0); // the row lags memory...
    expect(t.ff.queries.lists.getSession('S1')?.stats).toEqual({ events: 2, pageViews: 1, keyEvents: 0 });
    expect(raw()).toBe(2); // ...until a read
  });

  it('runs beforeRead once per call of every query class, and never for the live stream', () => {
    let synced = 0;
    const q = buildQueries(t.ff.db, { beforeRead: () => synced++, keyEventTypes: () => [], exploreStore: t.ff.exploreStore });
    const now = t.clock.now();
    const range = { from: now - DAY_MS, to: now, tz: 'UTC', traffic: new Set(['person', 'automation'] as const) };
    const calls: Array<() => unknown> = [
      () => q.lists.getSession('S1'),
      () => q.lists.listSessions({}, { limit: 5 }),
      () => q.lists.listProfiles({}, { limit: 5 }),
      () => q.events.listEvents({}, { limit: 5 }),
      () => q.summary.summary(0),
      () => q.lists.listSources(),
      () => q.stats.overview(range),
      () => q.stats.breakdown(range, 'browser', 5),
      () => q.counts.countEventsToday(now),
      () => q.explore.overview({ ...range, filters: [] }),
    ];
    for (const [i, call] of calls.entries()) {
      call();
      expect(synced, `call ${i}`).toBe(i + 1);
    }
    q.asCommitted.getSessionsByPk([1]);
    q.asCommitted.getEventsByPk([1]);
    expect(synced).toBe(calls.length);
  });
});
