import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../clock';
import { startTestFootfall, type TestFootfall } from '../testing';
import { DASHBOARD_QUERIES, type OverviewStats } from '../../shared/stats';

const NOW = Date.UTC(2026, 0, 15, 12, 20);
let t: TestFootfall;
beforeEach(async () => {
  t = await startTestFootfall({ clock: new FakeClock(NOW), sessionTimeout: 60 });
});
afterEach(async () => {
  await t.close();
});

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
const track = (session: string, profile: string, events: object[], options: object = {}) =>
  t.track({ source: { id: t.source }, session: { id: session }, profile: { id: profile }, context: { browser: { userAgent: UA } }, options, events });
const pv = (url: string) => ({ type: 'page-view', context: { page: { url } } });

describe('GET /api/stats/...', () => {
  it('answers the overview of the default range (7 days to the next whole hour, UTC)', async () => {
    await track('S1', 'P1', [pv('https://shop.test/'), pv('https://shop.test/a'), { type: 'click' }]);
    await track('S2', 'P2', [pv('https://shop.test/')]);
    const r = await t.api('GET', '/api/stats/overview');
    expect(r.status).toBe(200);
    const o = r.body as OverviewStats;
    expect(o.range).toEqual({ from: '2026-01-08T13:00:00.000Z', to: '2026-01-15T13:00:00.000Z', tz: 'UTC' });
    expect(o.previous).toEqual({ from: '2026-01-01T13:00:00.000Z', to: '2026-01-08T13:00:00.000Z' });
    expect(o.kpis).toMatchObject({
      visitors: { value: 2, previous: 0 },
      sessions: { value: 2, previous: 0 },
      pageViews: { value: 3, previous: 0 },
      events: { value: 4, previous: 0 },
      // Two visits still going, each 0 s so far: averages count them as they are now.
      avgDuration: { value: 0, previous: null },
      pagesPerSession: { value: 1.5, previous: null },
      // Bounce is decided when a visit ends: none has.
      bounceRate: { value: null, previous: null },
      activeNow: { value: 2 },
    });
    expect(o.engagedRule).toMatchObject({ pageViews: 2, seconds: 10 });
    expect(o.engagedRule.keyEventTypes).toContain('purchase');
  });

  it('counts ended sessions for bounce rate and averages once the sweeper ends them', async () => {
    await track('S1', 'P1', [pv('https://shop.test/')]); // one page, 0 s: a bounce
    await track('S2', 'P2', [pv('https://shop.test/')]);
    t.clock.advance(15_000);
    await track('S2', 'P2', [{ type: 'click' }]); // 15 s: engaged
    t.clock.advance(61_000);
    expect(await t.sweep()).toBe(2);
    const o = (await t.api('GET', '/api/stats/overview')).body as OverviewStats;
    expect(o.endedSessions).toBe(2);
    expect(o.kpis.bounceRate.value).toBe(0.5);
    expect(o.kpis.avgDuration.value).toBe(7.5);
    expect(o.kpis.pagesPerSession.value).toBe(1);
    expect(o.kpis.activeNow.value).toBe(0);
  });

  it('a visit still going counts in the averages with its length so far', async () => {
    await track('S1', 'P1', [pv('https://shop.test/')]);
    t.clock.advance(20_000);
    await track('S1', 'P1', [pv('https://shop.test/b')]);
    t.clock.advance(30_000); // idle since: not part of its length
    const o = (await t.api('GET', '/api/stats/overview')).body as OverviewStats;
    expect(o.kpis.avgDuration.value).toBe(20);
    expect(o.kpis.pagesPerSession.value).toBe(2);
    expect(o.endedSessions).toBe(0);
  });

  it('compares with compareFrom..compareTo when given, else with the range of equal length before', async () => {
    t.clock.set(NOW - 3 * 86_400_000);
    await track('S0', 'P0', [pv('https://shop.test/')]);
    t.clock.set(NOW);
    await track('S1', 'P1', [pv('https://shop.test/')]);
    const range = 'from=2026-01-15T00:00:00Z&to=2026-01-16T00:00:00Z';
    const plain = (await t.api('GET', `/api/stats/overview?${range}`)).body as OverviewStats;
    expect(plain.previous).toEqual({ from: '2026-01-14T00:00:00.000Z', to: '2026-01-15T00:00:00.000Z' });
    expect(plain.kpis.sessions.previous).toBe(0);
    const r = await t.api('GET', `/api/stats/overview?${range}&compareFrom=2026-01-12T00:00:00Z&compareTo=2026-01-12T12:20:00Z`);
    expect(r.status).toBe(200);
    const o = r.body as OverviewStats;
    // Widened to whole hours, like the range.
    expect(o.previous).toEqual({ from: '2026-01-12T00:00:00.000Z', to: '2026-01-12T13:00:00.000Z' });
    expect(o.kpis.sessions).toEqual({ value: 1, previous: 1 });
  });

  it('keeps debug traffic out unless asked, and never counts it as a visit', async () => {
    await track('S1', 'P1', [pv('https://shop.test/')]);
    await track('X', 'P9', [{ type: 'simulated' }], { debugger: true });
    const people = (await t.api('GET', '/api/stats/overview')).body as OverviewStats;
    expect(people.kpis.events.value).toBe(1);
    const all = (await t.api('GET', '/api/stats/overview?debug=true&bots=true')).body as OverviewStats;
    expect(all.kpis.events.value).toBe(2);
    expect(all.kpis.sessions.value).toBe(1);
    expect(all.kpis.visitors.value).toBe(1);
    const types = (await t.api('GET', '/api/stats/breakdown?dim=event_type&debug=1')).body;
    expect(types.items).toEqual([
      { value: 'page-view', n: 1 },
      { value: 'simulated', n: 1 },
    ]);
  });

  it('answers breakdowns, time series, heat map and visits per profile', async () => {
    await track('S1', 'P1', [pv('https://shop.test/a'), pv('https://shop.test/b'), pv('https://shop.test/a')]);
    const page = (await t.api('GET', '/api/stats/breakdown?dim=page&limit=1')).body;
    expect(page).toMatchObject({ dim: 'page', total: 3, items: [{ value: 'shop.test/a', n: 2 }], other: 1 });
    const ts = (await t.api('GET', `/api/stats/timeseries?from=${NOW - 3_600_000 * 5}&to=${NOW}&tz=Europe/Warsaw`)).body;
    expect(ts.interval).toBe('hour');
    expect(ts.buckets).toHaveLength(6);
    expect(ts.buckets.at(-1)).toEqual({ t: '2026-01-15T12:00:00.000Z', sessions: 1, newVisitors: 1, returning: 0 });
    const heat = (await t.api('GET', '/api/stats/heatmap?tz=Europe/Warsaw')).body;
    // Thursday 13:xx in Warsaw (12:20 UTC).
    expect(heat.cells[3][13]).toBe(1);
    expect(heat.max).toBe(1);
    const vpp = (await t.api('GET', '/api/stats/visits-per-profile')).body;
    expect(vpp.visitors).toBe(1);
    expect(vpp.items[0]).toEqual({ visits: '1', profiles: 1 });
  });

  it('answers every dashboard query', async () => {
    await track('S1', 'P1', [pv('https://shop.test/')]);
    for (const d of DASHBOARD_QUERIES) {
      const qs = new URLSearchParams({ from: '2025-10-17T00:00:00Z', to: '2026-01-16T00:00:00Z', tz: 'Europe/Warsaw', ...d.params });
      const r = await t.api('GET', `${d.path}?${qs}`);
      expect(r.status, `${d.path}?${qs}: ${JSON.stringify(r.body)}`).toBe(200);
    }
  });

  it.each([
    ['/api/stats/overview?tz=Mars/Olympus', 'tz: is not an IANA time zone'],
    ['/api/stats/overview?from=yesterday', 'from: "yesterday" is not a time'],
    ['/api/stats/overview?from=2026-01-10&to=2026-01-09', 'from: must be before `to`'],
    ['/api/stats/overview?from=2024-01-01&to=2026-01-01', 'to: the range is longer than 400 days'],
    ['/api/stats/breakdown?dim=colour', 'dim: '],
    ['/api/stats/breakdown?dim=page&limit=0', 'limit: '],
    ['/api/stats/timeseries?from=2025-11-01&to=2026-01-01&interval=hour', 'interval: hourly buckets are for ranges up to 31 days'],
    ['/api/stats/heatmap?bots=maybe', 'bots: '],
    ['/api/stats/overview?compareFrom=2026-01-01', 'compareTo: give both compareFrom and compareTo, or neither'],
    ['/api/stats/overview?compareFrom=2026-01-05&compareTo=2026-01-04', 'compareFrom: must not be after `compareTo`'],
    ['/api/stats/overview?compareFrom=2024-01-01&compareTo=2026-01-01', 'compareTo: the comparison range is longer than 400 days'],
    ['/api/stats/overview?compareFrom=soon&compareTo=2026-01-01', 'compareFrom: "soon" is not a time'],
  ])('refuses %s with a 400 naming the field', async (url, detail) => {
    const r = await t.api('GET', url);
    expect(r.status).toBe(400);
    expect(r.body.detail).toContain(detail);
  });

  it('needs the admin token', async () => {
    const r = await t.ff.app.inject({ method: 'GET', url: '/api/stats/overview', headers: { host: `127.0.0.1:${t.ff.port}` } });
    expect(r.statusCode).toBe(401);
  });
});
