import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/limits';
import { startTestFootfall, type TestFootfall } from '../testing';

/**
 * Generated hostile and broken payloads against `POST /track`. Whatever arrives, the
 * collector answers with one of the contract's statuses and a `detail`, never a 5xx, and a
 * refused request leaves the database as it was.
 */

// ---- a JSON builder that can say anything JSON can (keys named __proto__ included) ----------

/** An object as a list of entries, so keys like `__proto__` are written, not swallowed by JS. */
class Obj {
  constructor(readonly entries: Array<[string, Val]>) {}
}
type Val = null | boolean | number | string | Val[] | Obj;

function ser(v: Val): string {
  if (v instanceof Obj) return `{${v.entries.map(([k, x]) => `${JSON.stringify(k)}:${ser(x)}`).join(',')}}`;
  if (Array.isArray(v)) return `[${v.map(ser).join(',')}]`;
  return JSON.stringify(v) ?? 'null';
}

const obj = (o: Record<string, Val | undefined>): Obj => new Obj(Object.entries(o).filter((e): e is [string, Val] => e[1] !== undefined));

// ---- arbitraries ---------------------------------------------------------------------------

/** UTF-16 units and code points that break naive code: lone surrogates, RTL marks, NUL, BOM. */
const oddUnit = fc.oneof(
  fc.constantFrom('\uD800', '\uDFFF', '\u202E', '\u200F', '\u0000', '\uFEFF', '\u2028', '"', '\\', '<', 'é', '𝄞', '👩‍👩‍👧', '\u0301'),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('a', 'b', '1', '-', ' '),
);
const oddString = fc.oneof(
  { weight: 5, arbitrary: fc.string({ unit: oddUnit, maxLength: 24 }) },
  { weight: 2, arbitrary: fc.constantFrom('', ' ', 'page-view', 'logout', '<script>alert(1)</script>', "' OR 1=1 --", '__proto__', 'constructor', 'toString') },
  { weight: 1, arbitrary: fc.integer({ min: LIMITS.idLength - 2, max: LIMITS.idLength + 2 }).map((n) => 'i'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 90_000 }).map((n) => 'x'.repeat(n)) },
);
const KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'id', 'type', 'page', 'url', 'debugger', ''];
const key = fc.oneof(fc.constantFrom(...KEYS), fc.string({ unit: oddUnit, maxLength: 8 }));

/** Deep nesting, around the depth limit and far past it. */
const deep = fc.tuple(fc.integer({ min: 1, max: LIMITS.depth * 3 }), fc.boolean()).map(([d, arrays]) => {
  let v: Val = 'leaf';
  for (let i = 0; i < d; i++) v = arrays ? [v] : new Obj([['d', v]]);
  return v;
});

const val: fc.Arbitrary<Val> = fc.letrec<{ v: Val }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-0, 1e308, Number.MAX_SAFE_INTEGER + 2)),
    oddString,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.array(fc.tuple(key, tie('v')), { maxLength: 4 }).map((e) => new Obj(e)),
  ),
})).v;
const anyVal = fc.oneof({ weight: 4, arbitrary: val }, { weight: 1, arbitrary: deep });

/** Ids from a small pool (so retries and collisions happen), odd strings, or not strings at all. */
const ID_POOL = ['S1', 'S2', 'S1~2', 'P1', 'P2', 'e1', 'e2', '@debug-session', '__proto__', 'constructor'];
const idish: fc.Arbitrary<Val> = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...ID_POOL) },
  { weight: 2, arbitrary: oddString },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant<Val>([]), fc.constant(new Obj([]))) },
);
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 3 });
/** A properties/context/options object: usually fine, sometimes too deep or not an object. */
const bag = fc.oneof(
  { weight: 20, arbitrary: fc.array(fc.tuple(key, val), { maxLength: 5 }).map((e) => new Obj(e)) },
  { weight: 1, arbitrary: fc.array(fc.tuple(key, deep), { minLength: 1, maxLength: 2 }).map((e) => new Obj(e)) },
  { weight: 1, arbitrary: val },
);

/** Mostly well-formed events (so the engine behind the schema is exercised too), some not. */
const eventType = fc.oneof({ weight: 12, arbitrary: fc.constantFrom('page-view', 'click', 'logout', 'purchase', 'sign-up') }, { weight: 1, arbitrary: oddString }, { weight: 1, arbitrary: anyVal });
const event = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .record({
        id: maybe(fc.oneof({ weight: 4, arbitrary: fc.constantFrom('e1', 'e2', 'e3', 'e4') }, { weight: 4, arbitrary: fc.uuid() }, { weight: 1, arbitrary: idish })),
        type: eventType,
        properties: maybe(bag),
        context: maybe(fc.oneof(fc.webUrl().map((url) => obj({ page: obj({ url, title: '<img src=x onerror=alert(1)>' }) })), bag)),
        options: maybe(fc.oneof(fc.constant(obj({ debugger: true })), bag)),
      })
      .map((e) => obj(e)),
  },
  { weight: 1, arbitrary: anyVal },
);

/** Thousands of events around the per-request limit, with repeated ids. */
const manyEvents = fc.tuple(fc.integer({ min: LIMITS.eventsPerRequest - 20, max: LIMITS.eventsPerRequest + 500 }), fc.boolean()).map(([n, dupIds]) =>
  Array.from({ length: n }, (_, i): Val => obj({ type: 'click', id: dupIds ? `dup-${i % 7}` : undefined })),
);

const payload = (source: string) =>
  fc
    .record({
      source: fc.oneof({ weight: 8, arbitrary: fc.constant(obj({ id: source })) }, { weight: 1, arbitrary: idish.map((id) => obj({ id })) }, { weight: 1, arbitrary: anyVal }),
      session: maybe(fc.oneof({ weight: 8, arbitrary: idish.map((id) => obj({ id })) }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: anyVal })),
      profile: maybe(fc.oneof({ weight: 8, arbitrary: idish.map((id) => obj({ id })) }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: anyVal })),
      context: maybe(bag),
      properties: maybe(bag),
      options: maybe(fc.oneof(fc.constant(obj({ debugger: true })), bag)),
      events: maybe(fc.oneof({ weight: 8, arbitrary: fc.array(event, { maxLength: 6 }) }, { weight: 1, arbitrary: manyEvents }, { weight: 1, arbitrary: anyVal })),
      extra: fc.array(fc.tuple(key, anyVal), { maxLength: 3 }),
    })
    .map(({ extra, ...p }) => new Obj([...obj(p).entries, ...extra]));

/** The body as sent: good JSON, broken JSON, not JSON, not UTF-8. */
const body = (source: string): fc.Arbitrary<string | Buffer> =>
  fc.oneof(
    { weight: 12, arbitrary: payload(source).map(ser) },
    { weight: 2, arbitrary: fc.tuple(payload(source).map(ser), fc.nat()).map(([s, n]) => s.slice(0, n % Math.max(1, s.length))) },
    { weight: 1, arbitrary: anyVal.map(ser) },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', 'null', '[]', '{}', '0', '"x"', '{"source":', '\uFEFF{}', '{"a":1}{"b":2}', '{"__proto__":{"polluted":1},"source":{"id":"x"}}') },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)) },
    { weight: 1, arbitrary: fc.integer({ min: LIMITS.bodyBytes - 100, max: LIMITS.bodyBytes + 5000 }).map((n) => `{"source":{"id":"${source}"},"events":[{"type":"a","properties":{"s":"${'x'.repeat(n)}"}}]}`) },
    { weight: 1, arbitrary: payload(source).map((p) => Buffer.concat([Buffer.from(ser(p)), Buffer.from([0xff, 0xfe, 0xc3])])) },
  );

const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('application/json', 'text/plain;charset=UTF-8') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'text/plain',
      'APPLICATION/JSON',
      'application/xml',
      'text/html',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded',
      'application/octet-stream',
      'application/json; charset=latin1',
      '',
      undefined,
    ),
  },
);

// ---- the property ---------------------------------------------------------------------------

let t: TestFootfall;
beforeAll(async () => {
  t = await startTestFootfall({ sessionTimeout: 60 });
});
afterAll(async () => {
  await t.close();
});

const snapshot = () =>
  t.ff.db
    .prepare(
      `SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM sessions) AS sessions,
        (SELECT count(*) FROM profiles) AS profiles, (SELECT coalesce(sum(n), 0) FROM agg_dims) AS dims,
        (SELECT coalesce(sum(sessions), 0) FROM agg_sessions) AS aggSessions,
        (SELECT coalesce(sum(visit_count), 0) FROM profiles) AS visits`,
    )
    .get();

/** The collector's statuses in the contract. */
const CONTRACT_STATUSES = [200, 400, 401, 413, 415, 422];
// 500 runs take about 2 s; FOOTFALL_FUZZ_RUNS=20000 for a long hunt.
const RUNS = Number(process.env.FOOTFALL_FUZZ_RUNS ?? 500);

describe('POST /track under generated input', () => {
  it(`answers every payload within the contract and stores nothing it refused (${RUNS} runs)`, async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body(t.source), contentType, fc.integer({ min: 0, max: 90_000 }), async (payloadBody, ct, wait) => {
        // Time passes between requests, so sessions time out and new visits start.
        t.clock.advance(wait);
        const before = snapshot();
        const r = await t.ff.app.inject({
          method: 'POST',
          url: '/track',
          headers: { ...(ct !== undefined ? { 'content-type': ct } : {}), origin: 'https://shop.test' },
          payload: payloadBody,
        });
        seen.set(r.statusCode, (seen.get(r.statusCode) ?? 0) + 1);
        expect(CONTRACT_STATUSES, `status ${r.statusCode}: ${r.payload.slice(0, 300)}`).toContain(r.statusCode);
        expect(r.headers['content-type']).toMatch(/^application\/json/);
        expect(r.headers['access-control-allow-origin']).toBe('*');
        const answer = JSON.parse(r.payload) as Record<string, unknown>;
        if (r.statusCode !== 200) {
          expect(typeof answer.detail).toBe('string');
          expect((answer.detail as string).length).toBeGreaterThan(0);
          expect(snapshot(), `refused with ${r.statusCode} but the database changed`).toEqual(before);
          // ...and the refusal is in the rejected log, with the answer's detail.
          expect(t.ff.ctx.rejected.list(1, undefined).items[0]).toMatchObject({ status: r.statusCode, detail: answer.detail });
          return;
        }
        expect(answer).toMatchObject({ profile: { id: expect.any(String) }, session: { id: expect.any(String) }, ux: [], response: {}, errors: [] });
        expect(Array.isArray(answer.warnings)).toBe(true);
        const ids = answer.events as unknown[];
        expect(Array.isArray(ids)).toBe(true);
        const exists = t.ff.db.prepare('SELECT count(*) FROM events WHERE id = ?').pluck();
        for (const id of ids) {
          expect(typeof id).toBe('string');
          expect(exists.get(id), `event ${JSON.stringify(id)} answered but stored ${String(exists.get(id))} times`).toBe(1);
        }
      }),
      { numRuns: RUNS },
    );
    // The generators reach both sides: accepted payloads and each kind of refusal.
    for (const status of [200, 400, 413, 415, 422]) expect(seen.get(status) ?? 0, `no ${status} in ${JSON.stringify([...seen])}`).toBeGreaterThan(0);
    // The server is still up and still correct.
    expect((await t.ff.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    const ok = await t.track({ source: { id: t.source }, session: { id: 'after-fuzz' }, events: [{ type: 'page-view' }] });
    expect(ok.status).toBe(200);
    expect(t.ff.db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('leaves sessions, profiles and rollups consistent with the events stored, whatever was sent', () => {
    const db = t.ff.db;
    const rows = (sql: string) => db.prepare(sql).all();
    // Active sessions' counters reach their rows in batches; every reader syncs first.
    t.ff.engine.syncCounters();
    // Each session's counter is the number of its tracked events.
    expect(rows(`SELECT s.id, s.events FROM sessions s
      WHERE s.events != (SELECT count(*) FROM events e WHERE e.session_pk = s.pk AND e.system = 0)`)).toEqual([]);
    // Each ended session has exactly one visit-ended event; an active one none.
    expect(rows(`SELECT s.id, s.status FROM sessions s
      WHERE (SELECT count(*) FROM events e WHERE e.session_pk = s.pk AND e.type = 'visit-ended' AND e.system = 1) != s.status`)).toEqual([]);
    // A profile's visit count is the number of its visits (debug sessions count none).
    expect(rows(`SELECT p.id, p.visit_count FROM profiles p
      WHERE p.visit_count != (SELECT count(*) FROM sessions s WHERE s.profile_pk = p.pk AND s.debug = 0)`)).toEqual([]);
    // The hourly rollup counts every visit once.
    const agg = db.prepare('SELECT coalesce(sum(sessions), 0) FROM agg_sessions WHERE g = 0 AND cls != 2').pluck().get();
    expect(agg).toBe(db.prepare('SELECT count(*) FROM sessions WHERE debug = 0').pluck().get());
    // At most one debug session, and it is open.
    expect(rows("SELECT id, status FROM sessions WHERE debug = 1 AND (status != 0 OR id != '@debug-session')")).toEqual([]);
  });
});
