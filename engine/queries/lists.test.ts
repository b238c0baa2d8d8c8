import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../clock';
import { CLS, TRAFFIC_NAME, type SessionRow, type TrafficClass } from '../db/rows';
import { seed } from '../seed';
import { startTestFootfall, type TestFootfall } from '../testing';
import { DAY_MS } from '../../shared/rules';
import type { ProfileFilter, SessionFilter, SessionSort } from './lists';

const UNTIL = Date.UTC(2026, 2, 10, 12, 0);
let dir: string;
let t: TestFootfall;
let rows: SessionRow[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'footfall-lists-'));
  await seed({ dataDir: dir, events: 10_000, days: 40, seed: 3, until: UNTIL, sessionTimeout: 1800 });
  t = await startTestFootfall({ dir, clock: new FakeClock(UNTIL), sessionTimeout: 1800 });
  rows = t.ff.db.prepare('SELECT * FROM sessions').all() as SessionRow[];
}, 60_000);

afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const value = (r: SessionRow, sort: SessionSort): number =>
  sort === 'started' ? r.started_at : sort === 'last' ? r.last_at : sort === 'events' ? r.events : sort === 'pageViews' ? r.page_views : (r.duration ?? (r.last_at - r.started_at) / 1000);

/** The whole list as plain JavaScript would order it. */
function expected(f: SessionFilter, sort: SessionSort, order: 'asc' | 'desc'): string[] {
  const sign = order === 'desc' ? -1 : 1;
  return rows
    .filter(
      (r) =>
        (f.status === undefined || r.status === (f.status === 'active' ? 0 : 1)) &&
        (f.device === undefined || r.device === f.device) &&
        (f.channel === undefined || r.channel === f.channel) &&
        (f.traffic === undefined || f.traffic.has(TRAFFIC_NAME[r.traffic as TrafficClass])) &&
        (f.from === undefined || r.started_at >= f.from) &&
        (f.to === undefined || r.started_at < f.to),
    )
    .sort((a, b) => sign * (value(a, sort) - value(b, sort) || a.pk - b.pk))
    .map((r) => r.id);
}

/** The whole list as the API pages it, cursor after cursor. */
function paged(f: SessionFilter, sort: SessionSort, order: 'asc' | 'desc'): string[] {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 500; i++) {
    const page = t.ff.ctx.queries.lists.listSessions(f, { limit: 50, sort, order, ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((s) => s.id));
    if (page.next === null) return ids;
    cursor = page.next;
  }
  throw new Error('more than 500 pages');
}

const SORTS: SessionSort[] = ['started', 'last', 'duration', 'events', 'pageViews'];
const long = { from: UNTIL - 45 * DAY_MS, to: UNTIL + DAY_MS };
const short = { from: UNTIL - DAY_MS, to: UNTIL + DAY_MS };
const people = new Set(['person', 'automation'] as const);
const FILTERS: Array<[string, SessionFilter]> = [
  ['everything', {}],
  ['people and automation, 45 days', { ...long, traffic: people }],
  ['bots, 45 days', { ...long, traffic: new Set(['bot'] as const) }],
  ['debug', { traffic: new Set(['debug'] as const) }],
  ['ended, 45 days', { ...long, status: 'ended' }],
  ['active', { status: 'active' }],
  ['ended mobile search, 45 days', { ...long, status: 'ended', device: 'mobile', channel: 'search' }],
  ['people and automation, last day', { ...short, traffic: people }],
  ['ended, last day', { ...short, status: 'ended' }],
];

describe('the session list in every order', () => {
  it('has active and ended sessions to order', () => {
    expect(rows.filter((r) => r.status === 0).length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.status === 1).length).toBeGreaterThan(500);
  });

  for (const [name, f] of FILTERS) {
    it(`pages through "${name}" exactly as a plain sort would, in each order`, () => {
      for (const sort of SORTS) {
        for (const order of ['desc', 'asc'] as const) {
          const want = expected(f, sort, order);
          expect(paged(f, sort, order), `${name}, ${sort} ${order}`).toEqual(want);
        }
      }
    });
  }
});

describe('how many sessions a filter matches', () => {
  for (const [name, f] of FILTERS) {
    it(`counts "${name}" as the list holds it`, () => {
      expect(t.ff.ctx.queries.lists.countSessions(f)).toBe(expected(f, 'started', 'desc').length);
    });
  }

  it('answers the count beside the first page when asked (total=true), and only then', async () => {
    const all = await t.api('GET', '/api/sessions?limit=5&total=true&debug=false&bot=false');
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(expected({ traffic: people }, 'started', 'desc').length);
    expect(all.body.hidden.bot).toBe(expected({ traffic: new Set(['bot'] as const) }, 'started', 'desc').length);
    expect(all.body.hidden.bot).toBeGreaterThan(0);
    expect(all.body.hidden.person).toBe(0);
    expect(all.body.items).toHaveLength(5);
    expect((await t.api('GET', '/api/sessions?limit=5')).body.total).toBeUndefined();
  });
});

describe('people, bots and debug traffic in the other lists', () => {
  interface P {
    pk: number;
    id: string;
    debug: number;
  }
  const profiles = () => t.ff.db.prepare('SELECT pk, id, debug FROM profiles').all() as P[];
  const visitsOf = (p: P, ...cls: number[]) => rows.some((s) => s.profile_pk === p.pk && cls.includes(s.traffic));
  /** Made only by bots: a bot's visits and no visit of a person or of automation. */
  const botOnly = (p: P) => visitsOf(p, CLS.bot) && !visitsOf(p, CLS.person, CLS.automation);
  const allProfiles = (f: ProfileFilter): Array<{ id: string; metadata: { bot: boolean; debug: boolean } }> => {
    const out = [];
    let cursor: string | undefined;
    do {
      const page = t.ff.ctx.queries.lists.listProfiles(f, { limit: 500, ...(cursor ? { cursor } : {}) });
      out.push(...page.items);
      cursor = page.next ?? undefined;
    } while (cursor);
    return out;
  };

  it('the seed has bot-only profiles to hide', () => {
    expect(profiles().filter(botOnly).length).toBeGreaterThan(5);
  });

  it('people and automation: profiles with a visit of theirs, neither bot-only nor debug-only ones', () => {
    const want = profiles().filter((p) => visitsOf(p, CLS.person, CLS.automation)).map((p) => p.id).sort();
    expect(allProfiles({ traffic: people }).map((p) => p.id).sort()).toEqual(want);
    expect(t.ff.ctx.queries.lists.countProfiles({ traffic: people })).toBe(want.length);
  });

  it('marks a bot-only profile as such; bots alone are the profiles with a bot’s visit', () => {
    const listed = allProfiles({});
    expect(new Set(listed.filter((p) => p.metadata.bot).map((p) => p.id))).toEqual(new Set(profiles().filter(botOnly).map((p) => p.id)));
    const withBots = new Set(profiles().filter((p) => visitsOf(p, CLS.bot)).map((p) => p.id));
    expect(new Set(allProfiles({ traffic: new Set(['bot'] as const) }).map((p) => p.id))).toEqual(withBots);
    // What counting bots too would add to people and automation: the bot-only ones.
    expect(t.ff.ctx.queries.lists.hiddenProfiles({ traffic: people }, t.ff.ctx.queries.lists.countProfiles({ traffic: people })).bot).toBe(profiles().filter(botOnly).length);
  });

  it('finds one profile by id, or none (where the profile route would answer 404)', () => {
    const [p] = profiles();
    expect(t.ff.ctx.queries.lists.listProfiles({ id: p!.id }, { limit: 1 }).items.map((x) => x.id)).toEqual([p!.id]);
    expect(t.ff.ctx.queries.lists.listProfiles({ id: 'nobody-here' }, { limit: 1 }).items).toEqual([]);
  });

  it('tells of every event its session’s class, and whether that is a bot’s', () => {
    const bot = rows.find((s) => s.traffic === CLS.bot)!;
    const person = rows.find((s) => s.traffic === CLS.person)!;
    for (const [s, isBot] of [[bot, true], [person, false]] as const) {
      const page = t.ff.ctx.queries.events.listEvents({ session: s.id }, { limit: 500 });
      expect(page.items.length).toBeGreaterThan(0);
      expect(page.items.map((e) => e.metadata.bot)).toEqual(page.items.map(() => isBot));
      expect(new Set(page.items.map((e) => e.metadata.traffic))).toEqual(new Set([isBot ? 'bot' : 'person']));
    }
  });
});

describe('a session whose last event is dated before its start (a clock set back)', () => {
  it('is listed by the duration it shows, 0 s, not a negative one', async () => {
    const t2 = await startTestFootfall();
    try {
      const at = t2.clock.now();
      const send = (id: string, when: number) =>
        t2.ff.engine.track({ source: { id: t2.source }, session: { id }, events: [{ type: 'page-view' }] }, { userAgent: null, at: when });
      await send('zero', at);
      await send('backwards', at);
      await send('backwards', at - 5000);
      const page = (await t2.api('GET', '/api/sessions?sort=duration&order=desc')).body as { items: Array<{ id: string; metadata: { time: { duration: number } } }> };
      // Equal durations: the later session first, as in every other order.
      expect(page.items.map((s) => [s.id, s.metadata.time.duration])).toEqual([['backwards', 0], ['zero', 0]]);
    } finally {
      await t2.close();
    }
  });
});
