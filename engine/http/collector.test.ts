import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/limits';
import { startTestFootfall, type TestFootfall } from '../testing';

let t: TestFootfall;
beforeEach(async () => {
  t = await startTestFootfall();
});
afterEach(async () => {
  await t.close();
});

const counts = (t: TestFootfall) =>
  t.ff.db.prepare('SELECT (SELECT count(*) FROM events) e, (SELECT count(*) FROM sessions) s, (SELECT count(*) FROM profiles) p').get();

const body = (t: TestFootfall, events: object[] = [{ type: 'page-view' }], extra: object = {}) => ({
  source: { id: t.source },
  session: { id: 'S1' },
  profile: { id: 'P1' },
  events,
  ...extra,
});

describe('POST /track answers', () => {
  it('200 with the contract shape, once committed', async () => {
    const r = await t.track(body(t, [{ type: 'page-view' }, { type: 'click' }]));
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ profile: { id: 'P1' }, session: { id: 'S1' }, ux: [], response: {}, errors: [], warnings: [] });
    expect(r.body.events).toHaveLength(2);
    // Committed: visible to a fresh read.
    expect(t.ff.db.prepare('SELECT count(*) FROM events WHERE id IN (?, ?)').pluck().get(...r.body.events)).toBe(2);
  });

  it('accepts text/plain JSON (sendBeacon)', async () => {
    const r = await t.track(JSON.stringify(body(t)), { 'content-type': 'text/plain;charset=UTF-8' });
    expect(r.status).toBe(200);
  });

  it('gives a missing session or profile a new id, and null ones too', async () => {
    const a = await t.track({ source: { id: t.source }, events: [{ type: 'page-view' }] });
    const b = await t.track({ source: { id: t.source }, session: null, profile: null, events: [{ type: 'page-view' }] });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body.session.id).not.toBe(b.body.session.id);
    expect(a.body.profile.id).not.toBe(b.body.profile.id);
    expect((await t.api('GET', `/api/profiles/${a.body.profile.id}`)).status).toBe(200);
  });

  it('keeps or ignores fields it does not know', async () => {
    const r = await t.track(body(t, [{ type: 'page-view', tags: ['x'], metadata: { time: { insert: 'x' } } }], { device: { geo: 1 }, tracker: { v: 3 } }));
    expect(r.status).toBe(200);
  });

  it('401 for an unknown source, naming it', async () => {
    const before = counts(t);
    const r = await t.track(body(t, undefined, { source: { id: 'nope' } }));
    expect(r.status).toBe(401);
    expect(r.body.detail).toContain('"nope"');
    expect(counts(t)).toEqual(before);
  });

  it('401 for a disabled source', async () => {
    const created = await t.api('POST', '/api/sources', { name: 'Staging', id: 'staging' });
    expect(created.status).toBe(201);
    expect((await t.track(body(t, undefined, { source: { id: 'staging' } }))).status).toBe(200);
    await t.api('PATCH', '/api/sources/staging', { enabled: false });
    const before = counts(t);
    const r = await t.track(body(t, undefined, { source: { id: 'staging' }, session: { id: 'S9' } }));
    expect(r.status).toBe(401);
    expect(r.body.detail).toContain('disabled');
    expect(counts(t)).toEqual(before);
  });

  it.each([
    [{ events: [{ type: 'x' }] }, 'source'],
    [{ source: { id: 5 }, events: [] }, 'source.id'],
    [{ source: {}, events: [] }, 'source.id'],
    [{ source: { id: 'default' }, events: 'page-view' }, 'events'],
    [{ source: { id: 'default' }, events: [{ type: '' }] }, 'events[0].type'],
    [{ source: { id: 'default' }, events: [{ type: 'a' }, { properties: {} }] }, 'events[1].type'],
    [{ source: { id: 'default' }, events: [{ type: 'a', properties: 'x' }] }, 'events[0].properties'],
    [{ source: { id: 'default' }, session: { id: 7 }, events: [] }, 'session.id'],
    [{ source: { id: 'default' }, profile: 'P1', events: [] }, 'profile'],
    [[1, 2], 'body'],
    ['"a string"', 'body'],
  ])('422 for a payload of the wrong shape %#, naming %s', async (payload, field) => {
    const p = typeof payload === 'object' && !Array.isArray(payload) && (payload as { source?: { id?: unknown } }).source?.id === 'default' ? { ...payload, source: { id: t.source } } : payload;
    const before = counts(t);
    const r = await t.track(typeof p === 'string' ? p : p);
    expect(r.status).toBe(422);
    expect(r.body.detail).toContain(`${field}:`);
    expect(counts(t)).toEqual(before);
  });

  it.each([['a string', 'x'], ['an array', [1, 2]], ['null', null], ['a number', 5]])('422 for properties or context that are %s, not an object', async (_, bad) => {
    const before = counts(t);
    for (const field of ['properties', 'context', 'options']) {
      const r = await t.track(body(t, [{ type: 'a', [field]: bad }]));
      expect(r.status).toBe(422);
      expect(r.body.detail).toContain(`events[0].${field}: must be an object`);
    }
    const top = await t.track({ ...body(t, [{ type: 'a' }]), context: bad });
    expect(top.status).toBe(422);
    expect(top.body.detail).toContain('context: must be an object');
    expect(counts(t)).toEqual(before);
  });

  it('422 for more events than the per-request limit, storing none', async () => {
    const before = counts(t);
    const many = Array.from({ length: LIMITS.eventsPerRequest + 1 }, () => ({ type: 'click' }));
    const r = await t.track(body(t, many));
    expect(r.status).toBe(422);
    expect(r.body.detail).toContain('events');
    expect(r.body.detail).toContain(String(LIMITS.eventsPerRequest));
    expect(counts(t)).toEqual(before);
  });

  it('422 for properties nested too deep, and for an event too large', async () => {
    let deep: object = { leaf: 1 };
    for (let i = 0; i < LIMITS.depth + 2; i++) deep = { d: deep };
    const r1 = await t.track(body(t, [{ type: 'a', properties: deep }]));
    expect(r1.status).toBe(422);
    expect(r1.body.detail).toContain('events[0].properties');
    const r2 = await t.track(body(t, [{ type: 'a' }, { type: 'b', properties: { blob: 'x'.repeat(LIMITS.eventJsonChars) } }]));
    expect(r2.status).toBe(422);
    expect(r2.body.detail).toContain('events[1]');
    expect(counts(t)).toEqual({ e: 0, s: 0, p: 0 });
  });

  it('422 for an id longer than the limit', async () => {
    const r = await t.track(body(t, undefined, { session: { id: 's'.repeat(LIMITS.idLength + 1) } }));
    expect(r.status).toBe(422);
    expect(r.body.detail).toContain('session.id');
  });

  it('400 for malformed JSON', async () => {
    const r = await t.track('{"source": {"id": ', { 'content-type': 'application/json' });
    expect(r.status).toBe(400);
    expect(r.body.detail).toMatch(/JSON/);
    const empty = await t.track('', { 'content-type': 'application/json' });
    expect(empty.status).toBe(400);
  });

  it('413 for a body over the limit', async () => {
    const r = await t.track(body(t, [{ type: 'a', properties: { blob: 'x'.repeat(LIMITS.bodyBytes) } }]));
    expect(r.status).toBe(413);
    expect(r.body.detail).toContain(String(LIMITS.bodyBytes));
  });

  it('415 for another content type', async () => {
    const r = await t.track('<xml/>', { 'content-type': 'application/xml' });
    expect(r.status).toBe(415);
    expect(r.body.detail).toContain('application/xml');
  });

  it('drops __proto__ and constructor keys instead of refusing or polluting', async () => {
    const raw = `{"source":{"id":"${t.source}"},"session":{"id":"S1"},"events":[{"type":"a","properties":{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}},"ok":2}}]}`;
    const r = await t.track(raw);
    expect(r.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const ev = await t.api('GET', `/api/events/${r.body.events[0]}`);
    expect(ev.body.properties).toEqual({ ok: 2 });
  });
});

describe('retries', () => {
  it('a retried request with the same event ids stores nothing twice', async () => {
    const req = body(t, [
      { id: 'e-1', type: 'page-view' },
      { id: 'e-2', type: 'click' },
    ]);
    const a = await t.track(req);
    const b = await t.track(req);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body.events).toEqual(['e-1', 'e-2']);
    expect(t.ff.db.prepare("SELECT count(*) FROM events WHERE system = 0").pluck().get()).toBe(2);
    const s = await t.api('GET', '/api/sessions/S1');
    expect(s.body.stats).toMatchObject({ events: 2, pageViews: 1 });
  });

  it('the same id twice in one request, or in two requests of one commit, is stored once', async () => {
    const [a, b] = await Promise.all([t.track(body(t, [{ id: 'd', type: 'x' }, { id: 'd', type: 'x' }])), t.track(body(t, [{ id: 'd', type: 'x' }]))]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(t.ff.db.prepare("SELECT count(*) FROM events WHERE id = 'd'").pluck().get()).toBe(1);
  });
});

describe('CORS', () => {
  it('is open on /track, its preflight and its errors, and absent from the admin API', async () => {
    const pre = await t.ff.app.inject({ method: 'OPTIONS', url: '/track', headers: { origin: 'https://shop.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('*');
    expect(String(pre.headers['access-control-allow-methods'])).toContain('POST');
    const ok = await t.ff.app.inject({ method: 'POST', url: '/track', headers: { origin: 'https://shop.test', 'content-type': 'application/json' }, payload: JSON.stringify(body(t)) });
    expect(ok.headers['access-control-allow-origin']).toBe('*');
    const bad = await t.ff.app.inject({ method: 'POST', url: '/track', headers: { origin: 'https://shop.test', 'content-type': 'application/json' }, payload: '{' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['access-control-allow-origin']).toBe('*');
    const api = await t.ff.app.inject({ method: 'GET', url: '/api/sessions', headers: { origin: 'https://shop.test', authorization: `Bearer ${t.token}` } });
    expect(api.statusCode).toBe(200);
    expect(api.headers['access-control-allow-origin']).toBeUndefined();
    const apiPre = await t.ff.app.inject({ method: 'OPTIONS', url: '/api/sessions', headers: { origin: 'https://evil.test', 'access-control-request-method': 'GET' } });
    expect(apiPre.headers['access-control-allow-origin']).toBeUndefined();
  });
});
