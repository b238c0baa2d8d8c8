import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../clock';
import type { SessionRow } from '../db/rows';
import { seed } from '../seed';
import { startTestFootfall, type TestFootfall } from '../testing';
import { DAY_MS } from '../../shared/rules';
import type { SessionFilter, SessionSort } from './lists';

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
        (f.debug === undefined || r.debug === (f.debug ? 1 : 0)) &&
        (f.bot === undefined || r.bot === (f.bot ? 1 : 0)) &&
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
const FILTERS: Array<[string, SessionFilter]> = [
  ['everything', {}],
  ['people, 45 days', { ...long, debug: false, bot: false }],
  ['ended, 45 days', { ...long, status: 'ended' }],
  ['active', { status: 'active' }],
  ['ended mobile search, 45 days', { ...long, status: 'ended', device: 'mobile', channel: 'search' }],
  ['people, last day', { ...short, debug: false, bot: false }],
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
    expect(all.body.total).toBe(expected({ debug: false, bot: false }, 'started', 'desc').length);
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
  /** Made only by bots: a bot's visits and no visit of a person. */
  const botOnly = (p: P) => rows.some((s) => s.profile_pk === p.pk && s.bot === 1) && !rows.some((s) => s.profile_pk === p.pk && s.bot === 0 && s.debug === 0);
  const allProfiles = (query: string): Array<{ id: string; metadata: { bot: boolean; debug: boolean } }> => {
    const out = [];
    let cursor: string | undefined;
    do {
      const page = t.ff.ctx.queries.lists.listProfiles(JSON.parse(query), { limit: 500, ...(cursor ? { cursor } : {}) });
      out.push(...page.items);
      cursor = page.next ?? undefined;
    } while (cursor);
    return out;
  };

  it('the seed has bot-only profiles to hide', () => {
    expect(profiles().filter(botOnly).length).toBeGreaterThan(5);
  });

  it('people only: profiles a person made, neither bot-only nor debug-only ones', () => {
    const want = profiles().filter((p) => !botOnly(p) && p.debug === 0).map((p) => p.id).sort();
    expect(allProfiles('{"bot": false, "debug": false}').map((p) => p.id).sort()).toEqual(want);
  });

  it('marks a bot-only profile as such, and can list just those', () => {
    const listed = allProfiles('{}');
    const want = new Set(profiles().filter(botOnly).map((p) => p.id));
    expect(new Set(listed.filter((p) => p.metadata.bot).map((p) => p.id))).toEqual(want);
    expect(new Set(allProfiles('{"bot": true}').map((p) => p.id))).toEqual(want);
  });

  it('finds one profile by id, or none (where the profile route would answer 404)', () => {
    const [p] = profiles();
    expect(t.ff.ctx.queries.lists.listProfiles({ id: p!.id }, { limit: 1 }).items.map((x) => x.id)).toEqual([p!.id]);
    expect(t.ff.ctx.queries.lists.listProfiles({ id: 'nobody-here' }, { limit: 1 }).items).toEqual([]);
  });

  it('tells of every event whether its session is a bot’s', () => {
    const bot = rows.find((s) => s.bot === 1)!;
    const person = rows.find((s) => s.bot === 0 && s.debug === 0)!;
    for (const [s, isBot] of [[bot, true], [person, false]] as const) {
      const page = t.ff.ctx.queries.lists.listEvents({ session: s.id }, { limit: 500 });
      expect(page.items.length).toBeGreaterThan(0);
      expect(page.items.map((e) => e.metadata.bot)).toEqual(page.items.map(() => isBot));
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
