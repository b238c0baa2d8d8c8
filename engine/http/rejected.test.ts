import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/limits';
import { RejectedLog, REJECTED_LIMITS, cutUtf8 } from '../store/rejected';
import { startTestFootfall, type TestFootfall } from '../testing';

let t: TestFootfall;
beforeEach(async () => {
  t = await startTestFootfall();
});
afterEach(async () => {
  await t.close();
});

/** Everything the data is: a refused request must leave it as it was. */
const data = () =>
  t.ff.db
    .prepare(
      `SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM sessions) AS sessions, (SELECT count(*) FROM profiles) AS profiles,
        (SELECT coalesce(sum(n), 0) FROM agg_dims) AS dims, (SELECT coalesce(sum(sessions), 0) FROM agg_sessions) AS aggSessions`,
    )
    .get();

const post = (payload: string | Buffer, headers: Record<string, string>) => t.ff.app.inject({ method: 'POST', url: '/track', headers, payload });

describe('the rejected log', () => {
  it('keeps every refused /track request with its status, detail, source, origin, agent and body; the data is untouched', async () => {
    await t.track({ source: { id: t.source }, session: { id: 'S1' }, events: [{ type: 'page-view' }] });
    const before = data();
    const json = { 'content-type': 'application/json', origin: 'http://localhost:3000', 'user-agent': 'Mozilla/5.0 HeadlessChrome/131.0' };
    const cases: Array<[status: number, payload: string | Buffer, headers: Record<string, string>]> = [
      [400, '{"source": {"id": "x"}, "events": [', json],
      [401, JSON.stringify({ source: { id: 'no-such-source' }, events: [{ type: 'page-view' }] }), json],
      [422, JSON.stringify({ source: { id: t.source }, events: [{ type: '' }] }), json],
      [415, 'source=x', { ...json, 'content-type': 'application/x-www-form-urlencoded' }],
      [413, 'x'.repeat(LIMITS.bodyBytes + 10), json],
      [400, Buffer.from('not gzip at all'), { ...json, 'content-encoding': 'gzip' }],
    ];
    for (const [status, payload, headers] of cases) expect((await post(payload, headers)).statusCode).toBe(status);
    expect(data(), 'what a refused request changed').toEqual(before);

    const items = (await t.api('GET', '/api/rejected')).body.items as Array<Record<string, unknown>>;
    expect(items.map((r) => r.status)).toEqual(cases.map(([s]) => s).reverse());
    const [gzip, tooLarge, form, shape, source, malformed] = items;
    expect(malformed).toMatchObject({ status: 400, source: null, origin: 'http://localhost:3000', userAgent: 'Mozilla/5.0 HeadlessChrome/131.0', body: '{"source": {"id": "x"}, "events": [', truncated: false });
    expect(malformed!.detail).toMatch(/^Malformed JSON/);
    expect(source).toMatchObject({ status: 401, source: { id: 'no-such-source' }, detail: 'source.id: unknown event source "no-such-source".' });
    expect(JSON.parse(source!.body as string)).toEqual({ source: { id: 'no-such-source' }, events: [{ type: 'page-view' }] });
    expect(shape).toMatchObject({ status: 422, source: { id: t.source } });
    expect(shape!.detail).toContain('events[0].type');
    // Another content type: read all the same, to show what the page sent.
    expect(form).toMatchObject({ status: 415, body: 'source=x' });
    expect(form!.detail).toContain('application/x-www-form-urlencoded');
    // Refused before the body was read: its reason, no body.
    expect(tooLarge).toMatchObject({ status: 413, body: null });
    expect(gzip).toMatchObject({ status: 400, body: null });
    expect(new Date(malformed!.time as string).getTime()).toBe(t.clock.now());
    expect((await t.api('GET', '/api/summary')).body.rejected).toBe(6);
  });

  it('keeps a compressed body as it was decoded, cut at 64 KB with `truncated`', async () => {
    const big = JSON.stringify({ source: { id: 'nope' }, events: [{ type: 'x', properties: { pad: 'é'.repeat(40_000) } }] });
    expect(Buffer.byteLength(big)).toBeGreaterThan(REJECTED_LIMITS.bodyBytes);
    expect((await post(gzipSync(big), { 'content-type': 'application/json', 'content-encoding': 'gzip' })).statusCode).toBe(401);
    const [r] = (await t.api('GET', '/api/rejected')).body.items;
    expect(r.truncated).toBe(true);
    expect(Buffer.byteLength(r.body)).toBeLessThanOrEqual(REJECTED_LIMITS.bodyBytes);
    expect(big.startsWith(r.body)).toBe(true);
  });

  it('pages newest first, and DELETE empties it', async () => {
    for (let i = 0; i < 5; i++) await t.track({ source: { id: `nope-${i}` } });
    const first = (await t.api('GET', '/api/rejected?limit=2')).body;
    const second = (await t.api('GET', `/api/rejected?limit=2&cursor=${first.next}`)).body;
    const third = (await t.api('GET', `/api/rejected?limit=2&cursor=${second.next}`)).body;
    const sources = [...first.items, ...second.items, ...third.items].map((r: { source: { id: string } }) => r.source.id);
    expect(sources).toEqual(['nope-4', 'nope-3', 'nope-2', 'nope-1', 'nope-0']);
    expect(third.next).toBeNull();
    expect((await t.api('DELETE', '/api/rejected')).body).toEqual({ deleted: 5 });
    expect((await t.api('GET', '/api/rejected')).body.items).toEqual([]);
  });

  it('holds the newest 10,000, the oldest going first', () => {
    const log = new RejectedLog(t.ff.db);
    const at = (i: number) => ({ time: i, status: 422, detail: `#${i}`, sourceId: null, origin: null, userAgent: null, body: '{}' });
    t.ff.db.transaction(() => {
      for (let i = 0; i < REJECTED_LIMITS.rows + 25; i++) log.record(at(i));
    })();
    expect(REJECTED_LIMITS.rows).toBe(10_000);
    expect(log.count()).toBe(10_000);
    const page = log.list(1, undefined);
    expect(page.items[0]!.detail).toBe(`#${REJECTED_LIMITS.rows + 24}`);
    const oldest = t.ff.db.prepare('SELECT detail FROM rejected ORDER BY pk LIMIT 1').pluck().get();
    expect(oldest).toBe('#25');
  });

  it('keeps what it said: a lone surrogate (a JSON \\ud800 escape) in an echoed id is U+FFFD in the answer and in the log alike', async () => {
    const r = await t.track('{"source":{"id":"x\\ud800y"},"session":{"id":"s"}}');
    expect(r.status).toBe(401);
    expect(r.body.detail).toContain('"x\ufffdy"');
    const [kept] = (await t.api('GET', '/api/rejected')).body.items;
    expect(kept.detail).toBe(r.body.detail);
    expect(kept.source).toEqual({ id: 'x\ufffdy' });
  });

  it('stores an id with a lone surrogate as the id it answers, so the API finds it by that id', async () => {
    const r = await t.track('{"source":{"id":"SRC"},"session":{"id":"s\\udc00"},"events":[{"type":"t\\ud800"}]}'.replace('SRC', t.source));
    expect(r.status).toBe(200);
    expect(r.body.session.id).toBe('s\ufffd');
    expect((await t.api('GET', `/api/sessions/${encodeURIComponent('s\ufffd')}`)).body.id).toBe('s\ufffd');
    expect((await t.api('GET', `/api/events?session=${encodeURIComponent('s\ufffd')}&type=${encodeURIComponent('t\ufffd')}`)).body.items).toHaveLength(1);
  });

  it('cuts bodies on a character, never in one', () => {
    expect(cutUtf8('aé', 2)).toEqual({ text: 'a', cut: true });
    expect(cutUtf8('aé', 3)).toEqual({ text: 'aé', cut: false });
    expect(cutUtf8('x'.repeat(10), 4)).toEqual({ text: 'xxxx', cut: true });
  });
});

describe('what the collector changes, it says (warnings)', () => {
  it('in the answer and on the stored event', async () => {
    const long = `https://shop.test/?q=${'a'.repeat(3000)}`;
    const r = await t.track({
      source: { id: t.source },
      session: { id: 'W1' },
      events: [
        { type: 'purchase ', id: 'ev-1' },
        { type: 'page-view', context: { page: { url: long } } },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.body.warnings).toEqual([
      'events[0].type: "purchase " was stored as "purchase" (spaces around it removed).',
      expect.stringMatching(/^events\[1\]: the page URL is 3021 characters; its first 2048/),
    ]);
    const [purchase, view] = (await t.api('GET', '/api/events?session=W1&system=false&order=asc')).body.items;
    expect(purchase).toMatchObject({ type: 'purchase', metadata: { warnings: [r.body.warnings[0]] } });
    expect(view.metadata.warnings).toEqual([r.body.warnings[1]]);
    expect(view.page.url).toHaveLength(2048);
    expect(view.context.page.url).toBe(long);
    const retry = await t.track({ source: { id: t.source }, session: { id: 'W1' }, events: [{ type: 'purchase', id: 'ev-1' }] });
    expect(retry.body.warnings).toEqual(['events[0].id: "ev-1" is stored already (a retry?); it was not stored again.']);
    const clean = await t.track({ source: { id: t.source }, session: { id: 'W1' }, events: [{ type: 'click' }] });
    expect(clean.body.warnings).toEqual([]);
    const [click] = (await t.api('GET', '/api/events?session=W1&type=click')).body.items;
    expect(click.metadata.warnings).toEqual([]);
  });

  it('a key named __proto__, which is never stored', async () => {
    const r = await t.track(`{"source": {"id": "${t.source}"}, "events": [{"type": "x", "properties": {"__proto__": {"admin": true}, "a": 1}}]}`);
    expect(r.status).toBe(200);
    expect(r.body.warnings).toEqual(['A key named "__proto__" was left out: it is never stored.']);
    const [e] = (await t.api('GET', '/api/events?type=x')).body.items;
    expect(e.properties).toEqual({ a: 1 });
    expect(e.metadata.warnings).toEqual(r.body.warnings);
  });
});
