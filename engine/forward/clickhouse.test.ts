import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { CLICKHOUSE_PASSWORD, findClickHouse, startClickHouse, type ClickHouse } from '../../e2e/clickhouse';
import { startTestFootfall, type TestFootfall } from '../testing';

/** Forwarding into a real ClickHouse server (Debian's clickhouse-server), started by the test. */

const found = findClickHouse();
if ('missing' in found) console.warn(`Skipping the ClickHouse forwarding tests: ${found.missing}.`);

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
const CRAWLER = 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)';

let ch: ClickHouse;
let t: TestFootfall;
let lines: string[];
let db = '';
let dbs = 0;

describe.skipIf('missing' in found)('forwarding to ClickHouse', () => {
  beforeAll(async () => {
    ch = await startClickHouse();
  }, 60_000);
  afterAll(async () => {
    await ch?.dispose();
  });
  beforeEach(async () => {
    db = `ff_test_${++dbs}`;
    lines = [];
    t = await startTestFootfall({ sessionTimeout: 60, args: ['--forward', ch.upstream(db)], log: (m) => lines.push(m) });
  });
  afterEach(async () => {
    await t.close();
  });

  let n = 0;
  async function visit(session: string, profile: string, pages: number, opts: { ua?: string; debug?: boolean } = {}): Promise<void> {
    for (let i = 0; i < pages; i++) {
      const r = await t.track({
        source: { id: t.source },
        session: { id: session },
        profile: { id: profile },
        context: { browser: { userAgent: opts.ua ?? CHROME } },
        options: opts.debug ? { debugger: true } : {},
        events: [{ id: `ev-${++n}`, type: 'page-view', properties: { title: `Page "${i}"`, n: i }, context: { page: { url: `https://shop.test/p/${i}` } } }],
      });
      expect(r.status).toBe(200);
      t.clock.advance(7000);
    }
  }

  const status = async () => (await t.api('GET', '/api/forwarding')).body.upstreams[0];
  const caughtUp = () => expect.poll(async () => (await status()).pending, { timeout: 20_000 }).toBe(0);
  const localCount = (sql: string) => t.ff.db.prepare(sql).pluck().get() as number;

  it('creates the two tables and fills them: every event once, sessions in their latest state', async () => {
    await visit('S1', 'alice', 3);
    await visit('S2', 'bob', 2, { ua: CRAWLER });
    await visit('D', 'dev', 1, { debug: true });
    await caughtUp();
    const active = await ch.query<{ id: string; status: string }>(`SELECT id, status FROM ${db}.footfall_sessions FINAL ORDER BY id`);
    expect(active).toEqual([{ id: 'S1', status: 'active' }, { id: 'S2', status: 'active' }]);

    t.clock.advance(61_000);
    await t.sweep();
    await caughtUp();
    const events = await ch.query<{ n: string }>(`SELECT count() AS n FROM ${db}.footfall_events FINAL`);
    expect(Number(events[0]!.n)).toBe(localCount('SELECT count(*) FROM events'));

    const pv = await ch.query<Record<string, unknown>>(`SELECT * FROM ${db}.footfall_events FINAL WHERE id = 'ev-1'`);
    const ev1 = t.ff.db.prepare("SELECT time FROM events WHERE id = 'ev-1'").pluck().get() as number;
    expect(pv[0]).toMatchObject({ type: 'page-view', session_id: 'S1', profile_id: 'alice', source_id: t.source, traffic: 'person', system: 0, page_url: 'https://shop.test/p/0', time_ms: String(ev1) });
    expect(JSON.parse(pv[0]!.properties as string)).toEqual({ title: 'Page "0"', n: 0 });
    const traffic = await ch.query<{ traffic: string; n: string }>(`SELECT traffic, count() AS n FROM ${db}.footfall_events FINAL WHERE system = 0 GROUP BY traffic ORDER BY traffic`);
    expect(traffic).toEqual([{ traffic: 'bot', n: '2' }, { traffic: 'debug', n: '1' }, { traffic: 'person', n: '3' }]);

    const sessions = await ch.query<{ id: string; status: string; duration: number; events: number; page_views: number; visit_number: number; traffic: string; ended_ms: string }>(
      `SELECT id, status, duration, events, page_views, visit_number, traffic, ended_ms FROM ${db}.footfall_sessions FINAL ORDER BY id`,
    );
    const local = t.ff.db.prepare("SELECT id, duration, events, page_views, visit_number, ended_at FROM sessions WHERE debug = 0 ORDER BY id").all() as Array<{ id: string; duration: number; events: number; page_views: number; visit_number: number; ended_at: number }>;
    expect(sessions).toEqual(local.map((s) => ({ id: s.id, status: 'ended', duration: s.duration, events: s.events, page_views: s.page_views, visit_number: s.visit_number, traffic: s.id === 'S2' ? 'bot' : 'person', ended_ms: String(s.ended_at) })));
    expect(sessions[0]!.duration).toBe(14);
  });

  it('keeps every character of ids, types and JSON as it was sent: tabs, newlines, backslashes, quotes, any script', async () => {
    const properties = { tab: 'a\tb', line: 'one\ntwo\r\n', slash: 'C:\\dir\\', quote: 'say "hi"', nul: 'x\u0000y', text: 'zażółć 🎉 日本' };
    const r = await t.track({ source: { id: t.source }, session: { id: 'S\tx\\y' }, profile: { id: 'P "1"' }, events: [{ id: 'odd\nid', type: 'odd\ttype', properties, context: { page: { url: 'https://shop.test/a\tb' } } }] });
    expect(r.status).toBe(200);
    await caughtUp();
    const [row] = await ch.query<{ id: string; type: string; session_id: string; profile_id: string; properties: string; page_url: string }>(
      `SELECT id, type, session_id, profile_id, properties, page_url FROM ${db}.footfall_events FINAL WHERE system = 0`,
    );
    expect(row).toMatchObject({ id: 'odd\nid', type: 'odd\ttype', session_id: 'S\tx\\y', profile_id: 'P "1"' });
    expect(JSON.parse(row!.properties)).toEqual(properties);
    expect(row!.properties).toBe(t.ff.db.prepare("SELECT properties FROM events WHERE id = 'odd\nid'").pluck().get());
  });

  it('an event sent again is one row after FINAL', async () => {
    await visit('S1', 'alice', 2);
    await caughtUp();
    // As after a crash between the insert and the mark: everything goes again.
    t.ff.db.prepare('UPDATE forward_marks SET mark = 0').run();
    await visit('S1', 'alice', 1);
    await caughtUp();
    const [all] = await ch.query<{ n: string }>(`SELECT count() AS n FROM ${db}.footfall_events`);
    const [final] = await ch.query<{ n: string }>(`SELECT count() AS n FROM ${db}.footfall_events FINAL`);
    expect(Number(all!.n)).toBeGreaterThan(Number(final!.n));
    expect(Number(final!.n)).toBe(localCount('SELECT count(*) FROM events'));
  });

  it('a wrong password: the upstream says why, and no password shows anywhere', async () => {
    const wrong = ch.upstream(db).replace(CLICKHOUSE_PASSWORD, 'Wrong-Pa55word');
    const added = await t.api('POST', '/api/forwarding', { url: wrong.replace('127.0.0.1', 'localhost') });
    expect(added.status).toBe(201);
    await visit('S1', 'alice', 1);
    await expect.poll(async () => (await t.api('GET', '/api/forwarding')).body.upstreams[1].lastError, { timeout: 10_000 }).toMatch(/Authentication failed|password/i);
    const answer = JSON.stringify((await t.api('GET', '/api/forwarding')).body);
    for (const secret of [CLICKHOUSE_PASSWORD, 'Wrong-Pa55word']) {
      expect(answer).not.toContain(secret);
      expect(lines.join('\n')).not.toContain(secret);
    }
    expect(lines.some((l) => l.includes('Forwarding to clickhouse+http://localhost'))).toBe(true);
  });
});
