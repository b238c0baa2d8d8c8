import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestFootfall, type TestFootfall } from '../testing';
import { E, Outbox } from './outbox';
import { TrackSink } from './replay';
import { parseUpstream } from './upstreams';

/**
 * A second Footfall as the `track+http` upstream of the first: after the replay it must hold
 * the same visitors, visits, sessions and page views, over visitors with several visits
 * each (new session ids, and a continuation of a visit that timed out).
 */

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36';
const CRAWLER = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const SECRET = 'topsecret-Pa55';

let upstream: TestFootfall;
let local: TestFootfall;
let lines: string[];

beforeEach(async () => {
  upstream = await startTestFootfall();
  lines = [];
  const url = `track+http://team:${SECRET}@127.0.0.1:${upstream.ff.port}/track?source=${upstream.source}`;
  local = await startTestFootfall({ sessionTimeout: 60, args: ['--forward', url], log: (m) => lines.push(m) });
});
afterEach(async () => {
  await local.close();
  await upstream.close();
});

let n = 0;
async function visit(session: string, profile: string, pages: number, ua = CHROME): Promise<void> {
  for (let i = 0; i < pages; i++) {
    const events: object[] = [{ id: `ev-${++n}`, type: 'page-view', properties: { title: `Page ${i}` }, context: { page: { url: `https://shop.test/p/${i}?utm_source=news` } } }];
    if (i === 1) events.push({ id: `ev-${++n}`, type: 'add-to-cart', properties: { sku: `SKU-${i}`, price: 9.5 } });
    const r = await local.track({ source: { id: local.source }, session: { id: session }, profile: { id: profile }, context: { browser: { userAgent: ua, language: 'en-GB' }, screen: { width: 1280, height: 800 } }, events });
    expect(r.status).toBe(200);
    local.clock.advance(5000);
  }
}

type Api = TestFootfall['api'];
async function picture(api: Api) {
  const profiles = (await api('GET', '/api/profiles?limit=500')).body.items as Array<{ id: string; stats: { visits: number; views: number }; metadata: { time: { visit: { count: number } } } }>;
  const sessions = (await api('GET', '/api/sessions?limit=500')).body.items as Array<{ id: string; profile: { id: string }; stats: { events: number; pageViews: number }; app: { bot: boolean } }>;
  const events = (await api('GET', '/api/events?limit=500&system=false&order=asc')).body.items as Array<{ id: string; type: string; session: { id: string }; profile: { id: string }; properties: unknown; metadata: { debug: boolean } }>;
  return {
    profiles: profiles.map((p) => ({ id: p.id, visits: p.metadata.time.visit.count, statsVisits: p.stats.visits, views: p.stats.views })).sort((a, b) => a.id.localeCompare(b.id)),
    sessions: sessions.map((s) => ({ id: s.id, profile: s.profile.id, events: s.stats.events, pageViews: s.stats.pageViews, bot: s.app.bot })).sort((a, b) => a.id.localeCompare(b.id)),
    events: events.map((e) => ({ id: e.id, type: e.type, session: e.session.id, profile: e.profile.id, properties: e.properties, debug: e.metadata.debug })).sort((a, b) => a.id.localeCompare(b.id)),
  };
}

describe('track replay to another Footfall', () => {
  it('the upstream ends with the same visitors, visits, sessions, page views and events', async () => {
    for (const p of ['alice', 'bob', 'carol']) {
      await visit(`${p}-1`, p, 3);
      await visit(`${p}-2`, p, 2);
    }
    // The tracker keeps bob's second session id past the timeout: the next event is a new visit continuing it.
    local.clock.advance(61_000);
    await local.sweep();
    await visit('bob-2', 'bob', 2);
    await visit('crawler-1', 'crawler', 2, CRAWLER);
    expect((await local.track({ source: { id: local.source }, options: { debugger: true }, events: [{ id: `ev-${++n}`, type: 'debug-ping', properties: { n: 1 } }] })).status).toBe(200);

    const forwarding = () => local.api('GET', '/api/forwarding');
    await expect.poll(async () => (await forwarding()).body.upstreams[0].pending, { timeout: 15_000 }).toBe(0);

    const mine = await picture(local.api);
    const theirs = await picture(upstream.api);
    expect(mine.profiles.find((p) => p.id === 'bob')?.visits).toBe(3);
    expect(mine.sessions.map((s) => s.id)).toContain('bob-2~2');
    expect(theirs.profiles).toEqual(mine.profiles);
    expect(theirs.sessions).toEqual(mine.sessions);
    expect(theirs.events).toEqual(mine.events);

    // Nowhere a password: the status answer, the log.
    const status = await forwarding();
    expect(status.body.upstreams[0]).toMatchObject({ kind: 'track', origin: 'flag', url: `track+http://127.0.0.1:${upstream.ff.port}/track?source=${upstream.source}`, lastError: null });
    expect(JSON.stringify(status.body)).not.toContain(SECRET);
    expect(lines.join('\n')).not.toContain(SECRET);
  });
});

describe('a replayed request', () => {
  it('carries each event with its id, type, properties, context and original time, and the visit beside them', async () => {
    await visit('s-1', 'dora', 2);
    const outbox = new Outbox(local.ff.db);
    const rows = outbox.read(0, 100);
    const sink = new TrackSink(parseUpstream(`track+http://127.0.0.1:1/track?source=team`));
    const requests = sink.encode(rows, outbox);
    expect(requests).toHaveLength(1);
    const body = JSON.parse(requests[0]!.body);
    expect(requests[0]!.userAgent).toBe(CHROME);
    expect(body).toMatchObject({ source: { id: 'team' }, session: { id: 's-1' }, profile: { id: 'dora' }, context: { browser: { userAgent: CHROME }, screen: { width: 1280 } } });
    const tracked = rows.filter((r) => r[E.system] === 0);
    expect(body.events).toEqual(
      tracked.map((r) => ({ id: r[E.id], type: r[E.type], time: { insert: new Date(r[E.time]).toISOString() }, properties: JSON.parse(r[E.properties]), ...(r[E.context] === null ? {} : { context: JSON.parse(r[E.context]!) }) })),
    );
    // Footfall's own events are the upstream's to make.
    expect(body.events.some((e: { type: string }) => ['visit-started', 'profile-created', 'visit-ended'].includes(e.type))).toBe(false);
  });
});
