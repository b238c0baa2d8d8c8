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
    expect(ev.body.items[0].properties).toMatchObject({ duration: 20, events: 2, pageViews: 2, reason: 'timeout', exitPage: 'https://shop.test/cart' });
  });
});
