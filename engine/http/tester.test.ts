import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestFootfall, type TestFootfall } from '../testing';

/** The tester's API: what an automated tracking test asks before and after it drives a site. */

let t: TestFootfall;
beforeEach(async () => {
  t = await startTestFootfall({ sessionTimeout: 600 });
});
afterEach(async () => {
  await t.close();
});

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const send = (session: string, events: unknown[], ua = CHROME) =>
  t.track({ source: { id: t.source }, session: { id: session }, profile: null, context: { browser: { userAgent: ua } }, events });
const pv = (url: string) => ({ type: 'page-view', context: { page: { url } } });
const ids = (items: Array<{ id: string }>) => items.map((x) => x.id);

/** Whether a promise has settled, after letting pending work run. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  return done;
}

describe('GET /api/summary', () => {
  it('counts everything stored, every class and Footfall’s own events included', async () => {
    await send('S1', [pv('https://shop.test/'), { type: 'purchase' }]);
    await send('B1', [pv('https://shop.test/')], 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)');
    await t.track({ source: { id: 'nope' }, events: [] });
    const s = (await t.api('GET', '/api/summary')).body;
    expect(s).toEqual({
      events: { total: 7, byType: { 'page-view': 2, 'profile-created': 2, purchase: 1, 'visit-started': 2 } },
      rejected: 1,
      invalid: 0,
      unplanned: 0,
      sessions: { active: 2, ended: 0 },
      profiles: 2,
    });
  });
});

describe('POST /api/reset', () => {
  it('refuses without the confirmation, and changes nothing', async () => {
    await send('S1', [pv('https://shop.test/')]);
    for (const body of [undefined, {}, { confirm: 'yes' }]) {
      const r = await t.api('POST', '/api/reset', body);
      expect(r.status).toBe(400);
      expect(r.body.detail).toContain('{"confirm": "reset"}');
    }
    expect((await t.api('GET', '/api/summary')).body.events.total).toBe(3);
  });

  it('deletes every event, session, profile, figure and rejected request; keeps sources and settings', async () => {
    await send('S1', [pv('https://shop.test/')]);
    await t.track({ source: { id: t.source }, options: { debugger: true }, events: [{ type: 'ping' }] });
    await t.track('{"broken', { 'content-type': 'application/json' });
    await t.api('PATCH', '/api/settings', { keyEventTypes: ['signup'] });
    const r = await t.api('POST', '/api/reset', { confirm: 'reset' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ deleted: { events: 5, sessions: 2, profiles: 2, rejected: 1 } });
    expect((await t.api('GET', '/api/summary')).body).toMatchObject({ events: { total: 0 }, rejected: 0, sessions: { active: 0, ended: 0 }, profiles: 0 });
    const agg = t.ff.db.prepare('SELECT (SELECT count(*) FROM agg_dims) + (SELECT count(*) FROM agg_sessions)').pluck().get();
    expect(agg).toBe(0);
    expect((await t.api('GET', '/api/settings')).body.keyEventTypes).toEqual(['signup']);
    expect(ids((await t.api('GET', '/api/sources')).body.items)).toContain(t.source);
    // The same ids start afresh: a new visit, a new profile.
    const again = await send('S1', [pv('https://shop.test/')]);
    expect(again.body.session.id).toBe('S1');
    expect((await t.api('GET', '/api/sessions/S1')).body.metadata.visitNumber).toBe(1);
  });
});

describe('GET /api/events: filters and waiting', () => {
  it('filters by a top-level property, the page, the source and the traffic class', async () => {
    await send('S1', [pv('https://shop.test/cart'), { type: 'purchase', properties: { total: 12.5, currency: 'EUR', paid: true, items: 2 } }]);
    await send('S2', [{ type: 'purchase', properties: { total: 9, currency: 'USD' } }], 'curl/8.5.0');
    await send('B1', [pv('https://shop.test/cart')], 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)');
    const types = async (q: string) => (await t.api('GET', `/api/events?system=false&${q}`)).body.items.map((e: { type: string; session: { id: string } }) => `${e.type}@${e.session.id}`).sort();
    expect(await types('prop.currency=EUR')).toEqual(['purchase@S1']);
    expect(await types('prop.total=12.5&prop.paid=true&prop.items=2')).toEqual(['purchase@S1']);
    expect(await types('prop.total=9')).toEqual(['purchase@S2']);
    expect(await types('prop.total=nine')).toEqual([]);
    expect(await types('page=/cart')).toEqual(['page-view@S1']);
    expect(await types('page=/cart&traffic=person,bot')).toEqual(['page-view@B1', 'page-view@S1']);
    expect(await types('traffic=automation')).toEqual(['purchase@S2']);
    expect(await types('bots=true&type=page-view')).toEqual(['page-view@B1', 'page-view@S1']);
    expect(await types(`source=${t.source}&type=purchase`)).toEqual(['purchase@S1', 'purchase@S2']);
    expect(await types('source=other')).toEqual([]);
    // One session's events are all of them, whatever its class.
    expect(await types('session=B1')).toEqual(['page-view@B1']);
    const counted = (await t.api('GET', '/api/events?system=false&total=true')).body;
    expect([counted.total, counted.hidden]).toEqual([3, { person: 0, automation: 0, bot: 1, debug: 0 }]);
    for (const [q, field] of [['traffic=robots', 'traffic'], ['prop.=1', 'prop.'], ['prop.a"b=1', 'prop.a"b'], ['wait=61', 'wait']]) {
      const r = await t.api('GET', `/api/events?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body.detail, q).toContain(field);
    }
  });

  it('answers at once when enough events match already', async () => {
    await send('S1', [{ type: 'purchase' }]);
    const r = await t.api('GET', '/api/events?type=purchase&wait=30&min=1');
    expect(r.body).toMatchObject({ timedOut: false });
    expect(r.body.items).toHaveLength(1);
  });

  it('waits for the matching event, and answers as soon as its commit is done', async () => {
    await send('S1', [pv('https://shop.test/')]);
    const waiting = t.api('GET', '/api/events?type=purchase&session=S1&wait=30&min=2');
    expect(await settled(waiting)).toBe(false);
    await send('S1', [{ type: 'purchase', properties: { n: 1 } }, { type: 'add-to-cart' }]);
    // One purchase of the two asked for: still waiting.
    expect(await settled(waiting)).toBe(false);
    await send('S1', [{ type: 'purchase', properties: { n: 2 } }]);
    // Within this test's few seconds, not the 30 s asked for.
    const r = await waiting;
    expect(r.status).toBe(200);
    expect(r.body.timedOut).toBe(false);
    expect(r.body.items.map((e: { properties: { n: number } }) => e.properties.n)).toEqual([2, 1]);
  });

  it('gives up after the time asked for, saying so', async () => {
    await send('S1', [{ type: 'page-view' }]);
    const r = await t.api('GET', '/api/events?type=purchase&wait=0.05&min=1');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ items: [], timedOut: true });
  });
});

describe('POST /api/sessions/end', () => {
  it('ends every active session idle at least that long at once, reason api, each with its visit-ended', async () => {
    await send('old', [pv('https://shop.test/')]);
    t.clock.advance(120_000);
    await send('new', [pv('https://shop.test/')]);
    await t.track({ source: { id: t.source }, options: { debugger: true }, events: [{ type: 'ping' }] });
    const some = await t.api('POST', '/api/sessions/end', { idleSeconds: 60 });
    expect(some.body).toEqual({ ended: 1 });
    const old = (await t.api('GET', '/api/sessions/old')).body;
    expect(old.metadata).toMatchObject({ status: 'ended', endReason: 'api' });
    const ended = (await t.api('GET', '/api/events?session=old&type=visit-ended')).body.items;
    expect(ended).toHaveLength(1);
    expect(ended[0].properties).toMatchObject({ reason: 'api', events: 1, pageViews: 1 });
    expect((await t.api('GET', '/api/sessions/new')).body.metadata.status).toBe('active');
    expect((await t.api('POST', '/api/sessions/end', { idleSeconds: 0 })).body).toEqual({ ended: 1 });
    expect((await t.api('GET', '/api/sessions/new')).body.metadata.endReason).toBe('api');
    // The debug session never ends.
    expect((await t.api('GET', '/api/sessions/@debug-session')).body.metadata.status).toBe('active');
    // The next event of a visit that ended starts a new one.
    expect((await send('new', [pv('https://shop.test/')])).body.session.id).toBe('new~2');
    const bad = await t.api('POST', '/api/sessions/end', { idleSeconds: 'soon' });
    expect(bad.status).toBe(422);
    expect(bad.body.detail).toContain('idleSeconds');
  });

  it('ends more sessions than fit in one chunk', async () => {
    for (let i = 0; i < 30; i++) await send(`s${i}`, [{ type: 'page-view' }]);
    expect(await t.ff.engine.endIdleSessions(0, 7)).toBe(30);
    expect((await t.api('GET', '/api/summary')).body.sessions).toEqual({ active: 0, ended: 30 });
  });
});
