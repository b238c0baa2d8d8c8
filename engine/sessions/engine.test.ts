import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestFootfall, type TestFootfall } from '../testing';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';

function payload(t: TestFootfall, session: string | null, profile: string | null, events: object[], extra: object = {}) {
  return {
    source: { id: t.source },
    session: session === null ? null : { id: session },
    profile: profile === null ? null : { id: profile },
    context: { browser: { userAgent: UA, language: 'pl-PL' }, screen: { width: 1440, height: 900 }, time: { tz: 'Europe/Warsaw' } },
    events,
    ...extra,
  };
}
const pv = (url: string, extra: object = {}) => ({ type: 'page-view', properties: { title: url }, context: { page: { url, ...extra } } });

let t: TestFootfall;
beforeEach(async () => {
  t = await startTestFootfall({ sessionTimeout: 60 });
});
afterEach(async () => {
  await t.close();
});

describe('a new session', () => {
  it('starts a visit: visit-started, profile-created, visit count 1', async () => {
    const r = await t.track(payload(t, 'S1', 'P1', [pv('https://shop.test/')]));
    expect(r.status).toBe(200);
    expect(r.body.profile.id).toBe('P1');
    expect(r.body.session.id).toBe('S1');
    const s = await t.api('GET', '/api/sessions/S1');
    expect(s.body.metadata.status).toBe('active');
    expect(s.body.metadata.visitNumber).toBe(1);
    const p = await t.api('GET', '/api/profiles/P1');
    expect(p.body.metadata.time.visit.count).toBe(1);
    expect(p.body.metadata.time.visit.last).toBeNull();
    expect(p.body.metadata.time.visit.current).toBe(new Date(t.clock.now()).toISOString());
    const ev = await t.api('GET', '/api/events?session=S1&order=asc');
    expect(ev.body.items.map((e: { type: string }) => e.type)).toEqual(['profile-created', 'visit-started', 'page-view']);
  });

  it('a second session id for the same profile is visit 2, with visit.last = the previous visit.current', async () => {
    await t.track(payload(t, 'S1', 'P1', [pv('https://shop.test/')]));
    const first = t.clock.now();
    t.clock.advance(5000);
    await t.track(payload(t, 'S2', 'P1', [pv('https://shop.test/')]));
    const p = await t.api('GET', '/api/profiles/P1');
    expect(p.body.metadata.time.visit.count).toBe(2);
    expect(p.body.metadata.time.visit.last).toBe(new Date(first).toISOString());
    expect(p.body.metadata.time.visit.current).toBe(new Date(first + 5000).toISOString());
    const s2 = await t.api('GET', '/api/sessions/S2');
    expect(s2.body.metadata.returning).toBe(true);
  });
});

describe('the sweeper', () => {
  it('ends an idle session with duration and visit-ended', async () => {
    await t.track(payload(t, 'S1', 'P1', [pv('https://shop.test/')]));
    t.clock.advance(20_000);
    await t.track(payload(t, 'S1', 'P1', [pv('https://shop.test/cart')]));
    t.clock.advance(60_001);
    expect(await t.sweep()).toBe(1);
    const s = await t.api('GET', '/api/sessions/S1');
    expect(s.body.metadata.status).toBe('ended');
    expect(s.body.metadata.time.duration).toBe(20);
    expect(s.body.metadata.endReason).toBe('timeout');
    const ev = await t.api('GET', '/api/events?session=S1&type=visit-ended');
    expect(ev.body.items).toHaveLength(1);
    expect(ev.body.items[0].properties).toEqual({ reason: 'timeout', duration: 20, events: 2, pageViews: 2, keyEvents: 0, engaged: true });
    expect(ev.body.items[0].page.url).toBe('https://shop.test/cart'); // the visit's exit page
  });
});

describe('continuity and enrichment', () => {
  it('keeps the session going: last activity, event and page-view counts, landing and exit', async () => {
    await t.track(payload(t, 'S1', 'P1', [pv('https://shop.test/?utm_source=news&utm_medium=email&utm_campaign=fall', { referer: { host: 'mail.google.com' } })]));
    t.clock.advance(7000);
    await t.track(payload(t, 'S1', 'P1', [pv('https://shop.test/cart'), { type: 'click', properties: { target: 'buy' } }]));
    const s = (await t.api('GET', '/api/sessions/S1')).body;
    expect(s.stats).toEqual({ events: 3, pageViews: 2, keyEvents: 0 });
    expect(s.metadata.time.update).toBe(new Date(t.clock.now()).toISOString());
    expect(s.metadata.time.duration).toBe(7);
    expect(s.context.landingPage).toBe('https://shop.test/?utm_source=news&utm_medium=email&utm_campaign=fall');
    expect(s.context.exitPage).toBe('https://shop.test/cart');
    expect(s.utm).toEqual({ source: 'news', medium: 'email', campaign: 'fall', term: null, content: null });
    expect(s.context.channel).toBe('email');
    expect(s.context.referrer.host).toBe('mail.google.com');
    expect(s.app).toMatchObject({ name: 'Chrome', language: 'pl-PL', bot: false });
    expect(s.os.name).toBe('Linux');
    expect(s.device).toMatchObject({ type: 'desktop', resolution: '1440x900' });
    expect(s.context.time.tz).toBe('Europe/Warsaw');
    const p = (await t.api('GET', '/api/profiles/P1')).body;
    expect(p.stats).toEqual({ visits: 1, views: 2, events: 3 });
  });

  it('takes UTM from context.utm and flags bots and mobile devices', async () => {
    const bot = payload(t, 'B1', null, [pv('https://shop.test/')]);
    bot.context.browser.userAgent = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
    await t.track(bot);
    const b = (await t.api('GET', '/api/sessions/B1')).body;
    expect(b.metadata.bot).toBe(true);
    expect(b.device.type).toBe('bot');
    const phone = { ...payload(t, 'M1', null, [pv('https://shop.test/')]), context: { browser: { userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1' }, utm: { source: 'tw', medium: 'social', campaign: 'launch' } } };
    await t.track(phone);
    const m = (await t.api('GET', '/api/sessions/M1')).body;
    expect(m.device.type).toBe('mobile');
    expect(m.os.name).toBe('iOS');
    expect(m.utm).toMatchObject({ source: 'tw', medium: 'social', campaign: 'launch' });
    expect(m.context.channel).toBe('social');
  });

  it("reads what Tracardi's own tracker sends (browser.local, screen.local)", async () => {
    await t.track({
      source: { id: t.source },
      session: { id: 'T1' },
      profile: null,
      context: {
        time: { local: '11/29/2026, 10:00:00 AM', tz: 'Europe/Berlin' },
        browser: { local: { browser: { name: 'Netscape', userAgent: UA, language: 'de-DE', cookieEnabled: true }, device: { platform: 'Linux x86_64' } } },
        screen: { local: { width: 2560, height: 1440, innerWidth: 1280, innerHeight: 1300 } },
        storage: { local: {}, session: {} },
      },
      events: [pv('https://shop.test/')],
    }, { 'user-agent': 'curl/8.0' });
    const s = (await t.api('GET', '/api/sessions/T1')).body;
    expect(s.app).toMatchObject({ name: 'Chrome', language: 'de-DE' });
    expect(s.device.resolution).toBe('2560x1440');
    expect(s.context.time.tz).toBe('Europe/Berlin');
  });

  it('falls back to the request User-Agent header when the context has none', async () => {
    const r = await t.track({ source: { id: t.source }, session: { id: 'H1' }, events: [{ type: 'page-view' }] }, { 'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15' });
    expect(r.status).toBe(200);
    const s = (await t.api('GET', '/api/sessions/H1')).body;
    expect(s.app.name).toBe('Safari');
    expect(s.os.name).toBe('Mac OS');
  });
});

describe('ending and coming back', () => {
  it('an event for an ended session id starts a new visit linked to the old one', async () => {
    await t.track(payload(t, 'S1', 'P1', [pv('https://shop.test/')]));
    t.clock.advance(61_000);
    await t.sweep();
    t.clock.advance(1000);
    const r = await t.track(payload(t, 'S1', 'P1', [pv('https://shop.test/again')]));
    expect(r.body.session.id).toBe('S1~2');
    const old = (await t.api('GET', '/api/sessions/S1')).body;
    expect(old.metadata.status).toBe('ended');
    expect(old.stats.events).toBe(1); // never folded into the ended one
    const next = (await t.api('GET', '/api/sessions/S1~2')).body;
    expect(next.metadata).toMatchObject({ status: 'active', visitNumber: 2, returning: true, previous: { id: 'S1' } });
    expect((await t.api('GET', '/api/profiles/P1')).body.metadata.time.visit.count).toBe(2);
    // Later events with the old id (or the new one) keep going in the new visit.
    await t.track(payload(t, 'S1', 'P1', [{ type: 'click' }]));
    await t.track(payload(t, 'S1~2', 'P1', [{ type: 'click' }]));
    expect((await t.api('GET', '/api/sessions/S1~2')).body.stats.events).toBe(3);
  });

  it('the same visitor coming back without a profile id is the same profile', async () => {
    const first = await t.track(payload(t, 'S1', null, [pv('https://shop.test/')]));
    t.clock.advance(61_000);
    await t.sweep();
    const again = await t.track(payload(t, 'S1', null, [pv('https://shop.test/')]));
    expect(again.body.profile.id).toBe(first.body.profile.id);
    expect((await t.api('GET', `/api/profiles/${first.body.profile.id}`)).body.stats.visits).toBe(2);
  });

  it('an event arriving after the timeout but before the sweep still starts a new visit, ending the old one at its last activity', async () => {
    await t.track(payload(t, 'S1', 'P1', [pv('https://shop.test/')]));
    const last = t.clock.now();
    t.clock.advance(60_001);
    const r = await t.track(payload(t, 'S1', 'P1', [pv('https://shop.test/')]));
    expect(r.body.session.id).toBe('S1~2');
    const old = (await t.api('GET', '/api/sessions/S1')).body;
    expect(old.metadata).toMatchObject({ status: 'ended', endReason: 'timeout' });
    expect(old.metadata.time.end).toBe(new Date(last).toISOString());
    expect(await t.sweep()).toBe(0);
  });

  it('logout ends the session at once; the next event is a new visit', async () => {
    await t.track(payload(t, 'S1', 'P1', [pv('https://shop.test/')]));
    t.clock.advance(3000);
    await t.track(payload(t, 'S1', 'P1', [{ type: 'logout' }]));
    const s = (await t.api('GET', '/api/sessions/S1')).body;
    expect(s.metadata).toMatchObject({ status: 'ended', endReason: 'logout' });
    expect(s.metadata.time.duration).toBe(3);
    const ended = (await t.api('GET', '/api/events?session=S1&type=visit-ended')).body.items[0];
    expect(ended.properties).toMatchObject({ reason: 'logout', duration: 3, events: 2, pageViews: 1 });
    const r = await t.track(payload(t, 'S1', 'P1', [pv('https://shop.test/')]));
    expect(r.body.session.id).toBe('S1~2');
  });

  it('POST /api/sessions/:id/end ends it with reason api; unknown ids are 404', async () => {
    await t.track(payload(t, 'S1', 'P1', [pv('https://shop.test/')]));
    t.clock.advance(2500);
    await t.track(payload(t, 'S1', 'P1', [pv('https://shop.test/b')]));
    t.clock.advance(9000);
    const r = await t.api('POST', '/api/sessions/S1/end');
    expect(r.status).toBe(200);
    expect(r.body.metadata).toMatchObject({ status: 'ended', endReason: 'api' });
    expect(r.body.metadata.time.duration).toBe(2.5); // end = last activity, not the time of the call
    const again = await t.api('POST', '/api/sessions/S1/end');
    expect(again.status).toBe(200);
    expect((await t.api('GET', '/api/events?session=S1&type=visit-ended')).body.items).toHaveLength(1);
    const missing = await t.api('POST', '/api/sessions/nope/end');
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toContain('nope');
  });
});

describe('debug traffic', () => {
  it('goes to one constant session, counts no visits, and stays out of the people rollups', async () => {
    const dbg = (session: string, profile: string) => payload(t, session, profile, [pv('https://shop.test/debug')], { options: { debugger: true } });
    const a = await t.track(dbg('X1', 'P1'));
    t.clock.advance(10_000_000);
    const b = await t.track(dbg('X2', 'P1'));
    const c = await t.track(dbg('X3', 'P2'));
    expect(a.body.session.id).toBe('@debug-session');
    expect(b.body.session.id).toBe('@debug-session');
    expect(c.body.session.id).toBe('@debug-session');
    expect(c.body.profile.id).toBe('P2');
    expect(await t.sweep()).toBe(0);
    const s = (await t.api('GET', '/api/sessions/@debug-session')).body;
    expect(s.metadata).toMatchObject({ debug: true, visitNumber: 0, status: 'active' });
    expect(s.stats.events).toBe(3);
    expect((await t.api('GET', '/api/profiles/P1')).body.metadata.time.visit.count).toBe(0);
    const evs = (await t.api('GET', '/api/events?session=@debug-session&order=asc')).body.items;
    expect(evs.every((e: { metadata: { debug: boolean } }) => e.metadata.debug)).toBe(true);
    expect(evs.filter((e: { type: string }) => e.type === 'visit-started')).toHaveLength(0);
    expect(t.ff.db.prepare('SELECT count(*) FROM agg_sessions WHERE cls = 0').pluck().get()).toBe(0);
    expect(t.ff.db.prepare("SELECT count(*) FROM agg_dims WHERE cls = 0").pluck().get()).toBe(0);
    expect(t.ff.db.prepare("SELECT sum(n) FROM agg_dims WHERE cls = 2 AND dim = 'event_type' AND g = 0").pluck().get()).toBe(3);
    expect((await t.api('POST', '/api/sessions/@debug-session/end')).status).toBe(409);
  });

  it('takes events sent with the debug session id as debug events', async () => {
    const r = await t.track(payload(t, '@debug-session', 'P7', [pv('https://shop.test/')]));
    expect(r.body.session.id).toBe('@debug-session');
    expect((await t.api('GET', '/api/profiles/P7')).body.stats.visits).toBe(0);
    const ev = (await t.api('GET', '/api/events?session=@debug-session&type=page-view')).body.items;
    expect(ev[0].metadata.debug).toBe(true);
  });

  it('can be deleted, leaving real traffic alone', async () => {
    await t.track(payload(t, 'S1', 'P1', [pv('https://shop.test/')]));
    await t.track(payload(t, 'X', 'PD', [pv('https://shop.test/debug')], { options: { debugger: true } }));
    const r = await t.api('DELETE', '/api/debug-data');
    expect(r.body.deleted).toEqual({ events: 2, sessions: 1, profiles: 1 });
    expect((await t.api('GET', '/api/sessions/S1')).status).toBe(200);
    expect((await t.api('GET', '/api/profiles/PD')).status).toBe(404);
    const again = await t.track(payload(t, 'X', 'PD', [pv('https://shop.test/debug')], { options: { debugger: true } }));
    expect(again.body.session.id).toBe('@debug-session');
  });
});

describe('profiles', () => {
  it('adopts an unknown profile id the tracker sends (created with that id)', async () => {
    const r = await t.track(payload(t, 'S1', 'user-42', [pv('https://shop.test/')]));
    expect(r.body.profile.id).toBe('user-42');
    expect((await t.api('GET', '/api/profiles/user-42')).body.stats.visits).toBe(1);
  });

  it('keeps a session with its profile and warns when a request names another', async () => {
    await t.track(payload(t, 'S1', 'P1', [pv('https://shop.test/')]));
    const r = await t.track(payload(t, 'S1', 'P2', [{ type: 'click' }]));
    expect(r.body.profile.id).toBe('P1');
    expect(r.body.warnings[0]).toContain('"P2"');
    expect((await t.api('GET', '/api/profiles/P2')).status).toBe(404);
  });
});

describe('ordering edge cases', () => {
  it('two events of a new session in one request: one visit, both events in it', async () => {
    await t.track(payload(t, 'S1', 'P1', [pv('https://shop.test/'), pv('https://shop.test/b')]));
    const types = (await t.api('GET', '/api/events?session=S1&order=asc')).body.items.map((e: { type: string }) => e.type);
    expect(types).toEqual(['profile-created', 'visit-started', 'page-view', 'page-view']);
    expect((await t.api('GET', '/api/profiles/P1')).body.stats.visits).toBe(1);
  });

  it('two requests of one new session committed together: one visit', async () => {
    await Promise.all([t.track(payload(t, 'S1', 'P1', [pv('https://shop.test/')])), t.track(payload(t, 'S1', 'P1', [pv('https://shop.test/b')]))]);
    expect((await t.api('GET', '/api/profiles/P1')).body.stats.visits).toBe(1);
    expect((await t.api('GET', '/api/sessions/S1')).body.stats.pageViews).toBe(2);
  });

  it('events for two sessions of one profile, at once: two visits numbered 1 and 2', async () => {
    await Promise.all([t.track(payload(t, 'A', 'P1', [pv('https://shop.test/')])), t.track(payload(t, 'B', 'P1', [pv('https://shop.test/')]))]);
    const a = (await t.api('GET', '/api/sessions/A')).body.metadata.visitNumber;
    const b = (await t.api('GET', '/api/sessions/B')).body.metadata.visitNumber;
    expect([a, b].sort()).toEqual([1, 2]);
    expect((await t.api('GET', '/api/profiles/P1')).body.stats.visits).toBe(2);
    expect(t.ff.db.prepare("SELECT count(*) FROM events WHERE type = 'profile-created'").pluck().get()).toBe(1);
  });

  it('an event arriving during a sweep keeps its session alive and is never lost', async () => {
    // Many expired sessions, swept in small chunks, with one event arriving between chunks.
    for (let i = 0; i < 40; i++) await t.track(payload(t, `old-${i}`, `p-${i}`, [pv('https://shop.test/')]));
    t.clock.advance(30_000);
    await t.track(payload(t, 'live', 'PL', [pv('https://shop.test/')]));
    t.clock.advance(31_000); // old-* expired (61 s idle), live is 31 s idle
    const sweeping = (async () => {
      let n = 0;
      for (;;) {
        const k = t.ff.engine.sweepChunk(5);
        n += k;
        await new Promise((r) => setImmediate(r));
        if (k < 5) return n;
      }
    })();
    const during = t.track(payload(t, 'live', 'PL', [{ type: 'click' }]));
    const lateForOld = t.track(payload(t, 'old-39', 'p-39', [{ type: 'click' }]));
    const [ended, r1, r2] = await Promise.all([sweeping, during, lateForOld]);
    expect(r1.body.session.id).toBe('live');
    expect(r2.body.session.id).toBe('old-39~2'); // expired: a new visit, whichever came first
    expect(ended).toBeGreaterThanOrEqual(39);
    const live = (await t.api('GET', '/api/sessions/live')).body;
    expect(live.metadata.status).toBe('active');
    expect(live.stats.events).toBe(2);
    expect(t.ff.db.prepare("SELECT count(*) FROM sessions WHERE id LIKE 'old-%' AND status = 1 AND id NOT LIKE '%~%'").pluck().get()).toBe(40);
    expect(t.ff.db.prepare("SELECT count(*) FROM events WHERE type = 'visit-ended'").pluck().get()).toBe(40);
  });
});

describe('settings', () => {
  it('a new session timeout takes effect without restart', async () => {
    await t.track(payload(t, 'S1', 'P1', [pv('https://shop.test/')]));
    t.clock.advance(10_000);
    expect(await t.sweep()).toBe(0);
    const r = await t.api('PATCH', '/api/settings', { sessionTimeout: 5 });
    expect(r.body.sessionTimeout).toBe(5);
    expect(await t.sweep()).toBe(1);
  });
});
