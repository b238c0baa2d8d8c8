import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/limits';
import { jsonDepth } from '../../shared/track';
import { encodeCursor } from '../queries/cursor';
import { DEBUG_SESSION_ID } from '../../shared/rules';
import { startTestFootfall, type TestFootfall } from '../testing';

/**
 * Reliability and security at the function level (fastify inject, one Footfall per test):
 * each limit with its own error, a full disk, injection strings in the admin API's
 * parameters, CORS only on the collector. Process-level checks (crashes, signals, the CLI's
 * refusals) are in e2e/reliability*.spec.ts.
 */

let t: TestFootfall;
beforeEach(async () => {
  t = await startTestFootfall({ sessionTimeout: 60 });
});
afterEach(async () => {
  await t.close();
});

// Active sessions' counters reach their rows in batches; every reader syncs first (and,
// while commits fail, reads what is committed).
const state = (t: TestFootfall) => {
  t.ff.engine.syncCounters();
  return t.ff.db
    .prepare(
      `SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM sessions) AS sessions,
        (SELECT count(*) FROM profiles) AS profiles, (SELECT coalesce(sum(visit_count), 0) FROM profiles) AS visits,
        (SELECT coalesce(sum(n), 0) FROM agg_dims) AS dims, (SELECT coalesce(sum(sessions), 0) FROM agg_sessions) AS aggSessions,
        (SELECT coalesce(sum(events), 0) FROM sessions) AS sessionEvents`,
    )
    .get() as { events: number; sessions: number; profiles: number; visits: number; dims: number; aggSessions: number; sessionEvents: number };
};

const payload = (t: TestFootfall, events: unknown[] = [{ type: 'page-view' }], extra: Record<string, unknown> = {}) => ({
  source: { id: t.source },
  session: { id: 'S1' },
  profile: { id: 'P1' },
  events,
  ...extra,
});

/** A value whose nesting depth (as the collector counts it) is exactly `d`. */
function nested(d: number): Record<string, unknown> {
  let v: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < d; i++) v = { d: v };
  return v;
}

describe('limits: each at its edge is accepted, one past it is refused with its own error, storing nothing', () => {
  const refused = async (t: TestFootfall, body: unknown, status: number, ...needles: string[]) => {
    const before = state(t);
    const r = await t.track(body);
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(status);
    for (const n of needles) expect(r.body.detail).toContain(n);
    expect(state(t)).toEqual(before);
    return r.body.detail as string;
  };

  it('body size', async () => {
    // Just under the limit (several events, each under the per-event size): stored.
    const chunk = 'x'.repeat(LIMITS.eventJsonChars - 200);
    const fit = Math.floor((LIMITS.bodyBytes - 1000) / chunk.length);
    const ok = await t.track(payload(t, Array.from({ length: fit }, () => ({ type: 'blob', properties: { chunk } }))));
    expect(ok.status).toBe(200);
    expect(JSON.stringify(payload(t, Array.from({ length: fit + 1 }, () => ({ type: 'blob', properties: { chunk } })))).length).toBeGreaterThan(LIMITS.bodyBytes);
    const d = await refused(t, payload(t, Array.from({ length: fit + 1 }, () => ({ type: 'blob', properties: { chunk } }))), 413, String(LIMITS.bodyBytes), 'body');
    expect(d).toMatch(/fewer events/);
    // The same limit holds for sendBeacon's text/plain.
    const big = JSON.stringify(payload(t, Array.from({ length: fit + 1 }, () => ({ type: 'blob', properties: { chunk } }))));
    expect((await t.track(big, { 'content-type': 'text/plain;charset=UTF-8' })).status).toBe(413);
  });

  it('events per request', async () => {
    const at = await t.track(payload(t, Array.from({ length: LIMITS.eventsPerRequest }, () => ({ type: 'click' }))));
    expect(at.status).toBe(200);
    expect(at.body.events).toHaveLength(LIMITS.eventsPerRequest);
    await refused(t, payload(t, Array.from({ length: LIMITS.eventsPerRequest + 1 }, () => ({ type: 'click' }))), 422, 'events:', `${LIMITS.eventsPerRequest} events`);
  });

  it.each(['properties', 'context', 'options'] as const)('nesting depth of an event’s %s, and of the payload’s', async (field) => {
    expect(jsonDepth(nested(LIMITS.depth))).toBe(LIMITS.depth);
    expect((await t.track(payload(t, [{ type: 'a', [field]: nested(LIMITS.depth) }]))).status).toBe(200);
    await refused(t, payload(t, [{ type: 'a', [field]: nested(LIMITS.depth + 1) }]), 422, `events[0].${field}:`, `${LIMITS.depth} levels`);
    expect((await t.track(payload(t, [{ type: 'a' }], { [field]: nested(LIMITS.depth) }))).status).toBe(200);
    await refused(t, payload(t, [{ type: 'a' }], { [field]: nested(LIMITS.depth + 1) }), 422, `${field}:`, `${LIMITS.depth} levels`);
    // Arrays count as levels too, and very deep input (written as text: JSON.stringify itself
    // would overflow) does not blow the server's stack, with or without keys it must scrub.
    for (const inner of ['1', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{}}}']) {
      const deepText = `${'['.repeat(100_000)}${inner}${']'.repeat(100_000)}`;
      const body = `{"source":{"id":"${t.source}"},"session":{"id":"S1"},"events":[{"type":"a","${field}":{"arr":${deepText}}}]}`;
      await refused(t, body, 422, `events[0].${field}:`);
    }
  });

  it('size of one event (properties plus context)', async () => {
    const room = LIMITS.eventJsonChars - JSON.stringify({ s: '' }).length - JSON.stringify({ c: '' }).length;
    const half = Math.floor(room / 2);
    const edge = { type: 'a', properties: { s: 'p'.repeat(half) }, context: { c: 'c'.repeat(room - half) } };
    expect((await t.track(payload(t, [edge]))).status).toBe(200);
    const over = { ...edge, context: { c: 'c'.repeat(room - half + 1) } };
    await refused(t, payload(t, [{ type: 'ok' }, over]), 422, 'events[1]:', String(LIMITS.eventJsonChars));
  });

  it.each([
    ['source.id', (id: string, t: TestFootfall) => payload(t, undefined, { source: { id } })],
    ['session.id', (id: string, t: TestFootfall) => payload(t, undefined, { session: { id } })],
    ['profile.id', (id: string, t: TestFootfall) => payload(t, undefined, { profile: { id } })],
    ['events[0].id', (id: string, t: TestFootfall) => payload(t, [{ type: 'a', id }])],
  ])('id length: %s', async (field, make) => {
    const long = 'i'.repeat(LIMITS.idLength + 1);
    if (field !== 'source.id') expect((await t.track(make('i'.repeat(LIMITS.idLength), t))).status).toBe(200);
    await refused(t, make(long, t), 422, `${field}:`, `at most ${LIMITS.idLength} characters`);
    await refused(t, make('', t), 422, `${field}:`, 'empty');
  });

  it('event type length', async () => {
    expect((await t.track(payload(t, [{ type: 't'.repeat(LIMITS.typeLength) }]))).status).toBe(200);
    await refused(t, payload(t, [{ type: 't'.repeat(LIMITS.typeLength + 1) }]), 422, 'events[0].type:', String(LIMITS.typeLength));
  });

  it('one bad event refuses the whole request, even after good ones and in a shared commit', async () => {
    const good = t.track(payload(t, [{ type: 'page-view', id: 'g1' }], { session: { id: 'OTHER' } }));
    const bad = t.track(payload(t, [{ type: 'page-view', id: 'b1' }, { type: 'x', properties: { s: 'x'.repeat(LIMITS.eventJsonChars) } }]));
    const [g, b] = await Promise.all([good, bad]);
    expect(g.status).toBe(200);
    expect(b.status).toBe(422);
    expect(t.ff.db.prepare("SELECT count(*) FROM events WHERE id = 'b1'").pluck().get()).toBe(0);
    expect(t.ff.db.prepare("SELECT count(*) FROM sessions WHERE id = 'S1'").pluck().get()).toBe(0);
  });
});

describe('the debug session', () => {
  it('is not ended by a logout that names it, so debug events keep working', async () => {
    const debug = payload(t, [{ type: 'page-view', options: { debugger: true } }], { session: null });
    expect((await t.track(debug)).status).toBe(200);
    const logout = await t.track(payload(t, [{ type: 'logout' }], { session: { id: DEBUG_SESSION_ID } }));
    expect(logout.status).toBe(200);
    const again = await t.track(debug);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.session.id).toBe(DEBUG_SESSION_ID);
    expect(t.ff.db.prepare('SELECT status FROM sessions WHERE id = ?').pluck().get(DEBUG_SESSION_ID)).toBe(0);
  });
});

describe('a full disk while writing (SQLite stopped at a maximum page count, as a full disk stops it)', () => {
  /** Lets the database grow no further: the next write that needs a new page fails with SQLITE_FULL. */
  const fillDisk = (t: TestFootfall) => {
    const pages = t.ff.db.pragma('page_count', { simple: true }) as number;
    t.ff.db.pragma(`max_page_count = ${pages}`);
  };
  const freeDisk = (t: TestFootfall) => t.ff.db.pragma('max_page_count = 4294967294');
  const bulky = (t: TestFootfall, session: string, ids: string) =>
    payload(t, Array.from({ length: 40 }, (_, i) => ({ id: `${ids}-${i}`, type: 'page-view', properties: { pad: 'z'.repeat(20_000) } })), { session: { id: session }, profile: { id: `P-${session}` } });

  it('answers 503 naming the cause, stores nothing of the batch, and recovers when space is back', async () => {
    expect((await t.track(payload(t, [{ type: 'page-view', id: 'before' }]))).status).toBe(200);
    const before = state(t);
    fillDisk(t);
    // Two requests of one commit: the failure takes the whole batch, and says so to each.
    const [a, b] = await Promise.all([t.track(bulky(t, 'S1', 'a')), t.track(bulky(t, 'NEW', 'b'))]);
    for (const r of [a, b]) {
      expect(r.status).toBe(503);
      expect(r.body.detail).toMatch(/Storage is full.*nothing from this request was stored.*Free disk space/);
    }
    expect(state(t)).toEqual(before);
    expect(t.ff.db.pragma('integrity_check', { simple: true })).toBe('ok');

    freeDisk(t);
    // The retry is stored once, and the in-memory session state is not ahead of the database.
    const [ra, rb] = await Promise.all([t.track(bulky(t, 'S1', 'a')), t.track(bulky(t, 'NEW', 'b'))]);
    expect([ra.status, rb.status]).toEqual([200, 200]);
    const s1 = await t.api('GET', '/api/sessions/S1');
    expect(s1.body.stats).toMatchObject({ events: 41 });
    const fresh = await t.api('GET', '/api/profiles/P-NEW');
    expect(fresh.body.metadata.time.visit.count).toBe(1);
    expect(state(t).events).toBe(before.events + 80 + 2 /* visit-started + profile-created of NEW */);
  });

  /**
   * The disk fills at the end of a transaction (at commit, say), after every statement in it
   * ran: each write of the engine fails with SQLite's own SQLITE_FULL error and rolls back.
   */
  const failEveryCommit = (t: TestFootfall) => {
    const db = t.ff.db;
    const real = db.transaction.bind(db);
    db.transaction = ((fn: (...a: unknown[]) => unknown) =>
      real((...a: unknown[]) => {
        fn(...a);
        throw new Database.SqliteError('database or disk is full', 'SQLITE_FULL');
      })) as typeof db.transaction;
    return () => {
      db.transaction = real;
    };
  };

  it('when the commit itself fails: 503 for tracking, ending a session and the sweeper; nothing half-written', async () => {
    for (const s of ['A', 'B', 'C']) await t.track(payload(t, [{ type: 'page-view' }], { session: { id: s } }));
    t.clock.advance(30_000);
    const before = state(t);
    const restore = failEveryCommit(t);
    const tracked = await t.track(payload(t, [{ type: 'page-view' }, { type: 'logout' }], { session: { id: 'A' } }));
    expect(tracked.status).toBe(503);
    expect(tracked.body.detail).toMatch(/Storage is full/);
    const end = await t.api('POST', '/api/sessions/B/end');
    expect(end.status).toBe(503);
    expect(end.body.detail).toMatch(/Storage is full.*nothing was changed/);
    t.clock.advance(31_000);
    await expect(t.ff.sweeper.sweep()).rejects.toThrow(/full/);
    expect(state(t)).toEqual(before);
    expect((await t.api('GET', '/api/sessions/A')).body.metadata.status).toBe('active');
    restore();
    // Space is back: the sweeper ends all three by their last activity, as if nothing happened.
    expect(await t.sweep()).toBe(3);
    const a = (await t.api('GET', '/api/sessions/A')).body;
    expect(a.metadata.status).toBe('ended');
    expect(a.stats.events).toBe(1);
    expect(a.metadata.time.duration).toBe(0);
    expect(t.ff.db.prepare('SELECT sum(sessions), sum(ended) FROM agg_sessions WHERE g = 0').raw().get()).toEqual([3, 3]);
  });
});

describe('a database damaged where the start-up check does not read', () => {
  it('answers 503 saying the file is damaged and what to do, not "Internal error"', async () => {
    await t.track(payload(t));
    const before = state(t);
    const db = t.ff.db;
    const real = db.transaction.bind(db);
    db.transaction = ((fn: (...a: unknown[]) => unknown) =>
      real((...a: unknown[]) => {
        fn(...a);
        throw new Database.SqliteError('database disk image is malformed', 'SQLITE_CORRUPT');
      })) as typeof db.transaction;
    const r = await t.track(payload(t, [{ type: 'click' }]));
    db.transaction = real;
    expect(r.status).toBe(503);
    expect(r.body.detail).toMatch(/database file is damaged.*nothing from this request was stored.*restore a backup.*--data-dir/);
    expect(state(t)).toEqual(before);
  });
});

describe('SQL injection through the admin API', () => {
  const NASTY = ["' OR 1=1 --", '"; DROP TABLE events; --', "x') UNION SELECT * FROM sources --", '1; PRAGMA writable_schema=1', 'Robert\'); DELETE FROM sessions; --'];

  it('binds every filter value; sort, order and other keys are checked against allow-lists', async () => {
    await t.track(payload(t, [{ type: 'page-view' }]));
    const before = state(t);
    // Every SQL text prepared from here on is recorded: a value spliced into SQL would show up in one.
    const prepared: string[] = [];
    const db = t.ff.db;
    const original = db.prepare.bind(db);
    db.prepare = ((sql: string) => {
      prepared.push(sql);
      return original(sql);
    }) as typeof db.prepare;
    const filters: Record<string, string[]> = {
      '/api/sessions': ['status', 'device', 'channel', 'browser', 'os', 'source', 'profile', 'from', 'to', 'debug', 'bot', 'sort', 'order', 'cursor', 'limit'],
      '/api/profiles': ['sort', 'order', 'cursor', 'debug', 'limit'],
      '/api/events': ['session', 'profile', 'type', 'from', 'to', 'debug', 'system', 'order', 'cursor', 'limit'],
      '/api/stats/overview': ['from', 'to', 'tz', 'bots', 'debug'],
      '/api/stats/breakdown': ['dim', 'from', 'tz', 'limit'],
      '/api/stats/timeseries': ['interval', 'from', 'tz'],
    };
    const ALLOW_LISTED = new Set(['status', 'sort', 'order', 'debug', 'bot', 'bots', 'system', 'dim', 'interval', 'tz', 'from', 'to', 'limit', 'cursor']);
    for (const [path, keys] of Object.entries(filters)) {
      for (const key of keys) {
        for (const nasty of NASTY) {
          const r = await t.api('GET', `${path}?${key}=${encodeURIComponent(nasty)}${path.endsWith('breakdown') && key !== 'dim' ? '&dim=browser' : ''}`);
          if (ALLOW_LISTED.has(key)) {
            expect(r.status, `${path}?${key}=${nasty}`).toBe(400);
            expect(r.body.detail, `${path}?${key}`).toContain(key);
          } else {
            // A free-text filter: bound as a value, so it simply matches nothing.
            expect(r.status, `${path}?${key}=${nasty}`).toBe(200);
            expect(r.body.items, `${path}?${key}=${nasty}`).toEqual([]);
          }
        }
      }
    }
    // A cursor is decoded and its values bound: a forged one with SQL inside changes nothing.
    for (const nasty of NASTY) {
      for (const path of ['/api/sessions', '/api/profiles', '/api/events']) {
        const r = await t.api('GET', `${path}?cursor=${encodeCursor([nasty, 1])}`);
        expect(r.status, `${path} forged cursor`).toBe(200);
      }
    }
    // Path parameters too.
    for (const nasty of NASTY) {
      for (const path of ['/api/sessions/', '/api/profiles/', '/api/events/']) {
        expect((await t.api('GET', `${path}${encodeURIComponent(nasty)}`)).status).toBe(404);
      }
      expect((await t.api('POST', `/api/sessions/${encodeURIComponent(nasty)}/end`)).status).toBe(404);
    }
    db.prepare = original;
    expect(prepared.length).toBeGreaterThan(0);
    const spliced = prepared.filter((sql) => NASTY.some((n) => sql.includes(n.slice(0, 6))) || /DROP|UNION SELECT \*|writable_schema|Robert/.test(sql));
    expect(spliced).toEqual([]);
    expect(state(t)).toEqual(before);
    expect(t.ff.db.prepare("SELECT count(*) FROM sqlite_master WHERE name IN ('events', 'sessions', 'profiles', 'sources')").pluck().get()).toBe(4);
  });
});

describe('CORS', () => {
  const origin = 'https://evil.test';
  it('is open on every answer of the collector, refusals included', async () => {
    const answers = [
      await t.ff.app.inject({ method: 'POST', url: '/track', headers: { origin, 'content-type': 'application/json' }, payload: JSON.stringify(payload(t)) }),
      await t.ff.app.inject({ method: 'POST', url: '/track', headers: { origin, 'content-type': 'application/json' }, payload: '{"source":{"id":"nope"}}' }),
      await t.ff.app.inject({ method: 'POST', url: '/track', headers: { origin, 'content-type': 'application/json' }, payload: '{}' }),
      await t.ff.app.inject({ method: 'POST', url: '/track', headers: { origin, 'content-type': 'application/xml' }, payload: '<x/>' }),
      await t.ff.app.inject({ method: 'POST', url: '/track', headers: { origin, 'content-type': 'application/json' }, payload: 'x'.repeat(LIMITS.bodyBytes + 1) }),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([200, 401, 422, 415, 413]);
    for (const a of answers) expect(a.headers['access-control-allow-origin']).toBe('*');
  });

  it('is absent from every admin answer: success, refusal, preflight, not found', async () => {
    const auth = { authorization: `Bearer ${t.token}` };
    const answers = [
      await t.ff.app.inject({ method: 'GET', url: '/api/info', headers: { origin, ...auth } }),
      await t.ff.app.inject({ method: 'GET', url: '/api/info', headers: { origin } }),
      await t.ff.app.inject({ method: 'GET', url: '/api/info', headers: { origin, host: 'evil.test', ...auth } }),
      await t.ff.app.inject({ method: 'OPTIONS', url: '/api/sessions', headers: { origin, 'access-control-request-method': 'DELETE', 'access-control-request-headers': 'authorization' } }),
      await t.ff.app.inject({ method: 'GET', url: '/api/nothing', headers: { origin, ...auth } }),
      await t.ff.app.inject({ method: 'DELETE', url: '/api/debug-data', headers: { origin, ...auth } }), // a write from another origin: refused (origin.ts)
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([200, 401, 403, 401, 404, 403]);
    for (const a of answers) {
      for (const h of Object.keys(a.headers)) expect(h.startsWith('access-control-'), `${h} on an admin answer`).toBe(false);
    }
  });
});
