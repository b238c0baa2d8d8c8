import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../clock';
import { startTestFootfall, type TestFootfall } from '../testing';
import { DASHBOARD_QUERIES } from '../../shared/stats';
import { parseFilter, type Filter, type FunnelStep } from '../../shared/explore';
import { refAdmits, refFigures, refFunnel, refPath, refRetention, refScope, type RefSession } from './explore-reference';
import { NOW, loadReference, sendScenario } from './explore-scenario';
import { ALL_TRAFFIC, type TrafficSet } from './traffic';
import { previousOf } from './stats';

/**
 * Explore's answers against the reference implementation (explore-reference.ts), on data
 * sent through the collector: random visits of 30 profiles and one hand-made visit per edge
 * case the contract names.
 */
let t: TestFootfall;
let ref: RefSession[];
// Thursday 2026-01-01 to Thursday 2026-01-15: starts and ends mid-week.
const FROM = Date.UTC(2026, 0, 1);
const TO = Date.UTC(2026, 0, 15);
const range = `from=${FROM}&to=${TO}`;

beforeAll(async () => {
  t = await startTestFootfall({ clock: new FakeClock(Date.UTC(2025, 11, 28)), sessionTimeout: 60 });
  await sendScenario(t);
  ref = await loadReference(t);
}, 60_000);
afterAll(async () => {
  await t.close();
});

const filters = (...raw: string[]): Filter[] => raw.map((r) => parseFilter(r) as Filter);
const qs = (fs: Filter[]) => fs.map((f) => `&filter=${encodeURIComponent(`${f.dim}${f.negate ? '!' : ''}:${f.value}`)}`).join('');
const get = async (url: string) => {
  const r = await t.api('GET', url);
  expect(r.status, `${url}: ${JSON.stringify(r.body)}`).toBe(200);
  return r.body;
};

const FILTER_SETS: string[][] = [
  ['browser:Firefox'],
  ['browser:Firefox', 'browser:Chrome'],
  ['browser!:Firefox'],
  ['browser!:Firefox', 'browser!:Chrome'],
  ['channel:email', 'device:mobile'],
  ['channel!:direct', 'visit_number:1'],
  ['event_type:purchase'],
  ['event_type!:purchase', 'page:shop.test/cart'],
  ['prop.product:socks'],
  ['prop.qty:2', 'prop.product!:hat'],
  ['prop.gift:true'],
  ['landing:shop.test/', 'exit!:shop.test/cart'],
  ['path:["shop.test/","shop.test/products"]'],
  ['path:["shop.test/","(exit)"]', 'path:["shop.test/cart","(exit)"]'],
  ['page:shop.test/nowhere'],
];

describe('filters', () => {
  it('sends a scenario the filters can tell apart', () => {
    // Guards the comparisons below from passing on empty sets.
    for (const raw of FILTER_SETS.slice(0, 13)) expect(refScope(ref, FROM, TO, filters(...raw)).length, raw.join(' ')).toBeGreaterThan(0);
    expect(refScope(ref, FROM, TO, filters('browser!:Firefox')).length).toBeLessThan(refScope(ref, FROM, TO, []).length);
  });

  it.each(FILTER_SETS)('counts the overview over the admitted sessions: %s', async (...raw) => {
    const fs = filters(...raw);
    const o = await get(`/api/stats/overview?${range}${qs(fs)}`);
    const cur = refFigures(ref, FROM, TO, fs);
    const prev = refFigures(ref, FROM - (TO - FROM), FROM, fs);
    for (const k of ['visitors', 'sessions', 'pageViews', 'events'] as const) {
      expect(o.kpis[k], k).toEqual({ value: cur[k], previous: prev[k] });
    }
    for (const k of ['avgDuration', 'bounceRate', 'pagesPerSession'] as const) {
      if (cur[k] === null) expect(o.kpis[k].value, k).toBeNull();
      else expect(o.kpis[k].value, k).toBeCloseTo(cur[k], 9);
    }
  });

  it.each(FILTER_SETS)('lists the admitted sessions and breaks them down: %s', async (...raw) => {
    const fs = filters(...raw);
    const scope = refScope(ref, FROM, TO, fs, true);
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ id: string }>; next: string | null } = await get(`/api/sessions?from=${FROM}&to=${TO}&limit=7&debug=false${qs(fs)}${cursor ? `&cursor=${cursor}` : ''}`);
      ids.push(...page.items.map((s) => s.id));
      cursor = page.next;
    } while (cursor !== null);
    expect([...ids].sort()).toEqual(scope.map((s) => s.id).sort());
    const people = scope.filter((s) => s.cls === 'people');
    const browsers = (await get(`/api/stats/breakdown?dim=browser&limit=100&${range}${qs(fs)}`)).items;
    const count = (xs: Array<string | null>) => [...xs.reduce((m, x) => (x === null ? m : m.set(x, (m.get(x) ?? 0) + 1)), new Map<string, number>())];
    expect(Object.fromEntries(browsers.map((i: { value: string; n: number }) => [i.value, i.n]))).toEqual(Object.fromEntries(count(people.map((s) => s.dims.browser!))));
    const events = ref.filter((s) => s.cls === 'people' && refAdmits(s, fs)).flatMap((s) => s.events).filter((e) => e.time >= FROM && e.time < TO);
    const pages = (await get(`/api/stats/breakdown?dim=page&limit=100&${range}${qs(fs)}`)).items;
    expect(Object.fromEntries(pages.map((i: { value: string; n: number }) => [i.value, i.n]))).toEqual(Object.fromEntries(count(events.filter((e) => e.type === 'page-view').map((e) => e.page))));
  });

  it('gives the rollups\' answers when the filter admits everything', async () => {
    // The second range holds the visit still going (not ended: no duration yet).
    for (const [extra, to] of [['', TO], ['&bots=true&debug=true', TO], ['', NOW + 7_200_000]] as const) {
      for (const d of DASHBOARD_QUERIES) {
        const params = new URLSearchParams({ from: String(FROM), to: String(to), tz: 'Europe/Warsaw', ...d.params }).toString() + extra;
        const plain = await get(`${d.path}?${params}`);
        const filtered = await get(`${d.path}?${params}&filter=page!:shop.test/nowhere`);
        expect(filtered, `${d.path}?${params}`).toEqual(plain);
      }
    }
  });

  it('counts distinct visitors and visits per profile in the columns as SQL does, for the unfiltered overview', async () => {
    const { stats, explore } = t.ff.queries;
    await get(`/api/stats/overview?${range}&filter=page!:shop.test/nowhere`);
    const traffics: TrafficSet[] = [new Set(['person', 'automation']), new Set(['person']), ALL_TRAFFIC, new Set(['bot'])];
    const ranges: Array<[number, number]> = [[FROM, TO], [FROM + 3 * 86_400_000, FROM + 4 * 86_400_000 + 3_600_000], [FROM, NOW + 7_200_000]];
    let some = 0;
    for (const traffic of traffics) {
      for (const [from, to] of ranges) {
        const r = { from, to, tz: 'UTC', traffic, filters: [] };
        const sql = stats.overview(r);
        const counted = await explore.visitors([r, previousOf(r)]);
        expect(counted, 'the columns are in memory').not.toBeNull();
        expect(counted).toEqual([sql.kpis.visitors.value, sql.kpis.visitors.previous]);
        expect(stats.overview(r, undefined, [counted![0]!, counted![1]!])).toEqual(sql);
        expect(await explore.visitsPerProfile(r)).toEqual(stats.visitsPerProfile(r));
        some += counted![0]!;
      }
    }
    expect(some, 'ranges with visitors').toBeGreaterThan(0);
  });

  it('refuses a filter that names no dimension, with a 400 naming it', async () => {
    for (const [f, detail] of [
      ['colour:red', '"colour" is not a dimension'],
      ['browser', '"browser" is not DIM:VALUE'],
      ['path:shop.test/', 'path: the value must be a JSON array'],
    ]) {
      const r = await t.api('GET', `/api/stats/overview?filter=${encodeURIComponent(f!)}`);
      expect(r.status).toBe(400);
      expect(r.body.detail).toContain(`filter: ${detail}`);
    }
  });
});

const FUNNELS: FunnelStep[][] = [
  [{ type: 'page-view' }, { type: 'add-to-cart' }, { type: 'purchase' }],
  [{ type: 'add-to-cart' }, { type: 'purchase' }],
  [{ type: 'page-view' }, { type: 'page-view' }, { type: 'page-view' }],
  [{ type: 'page-view', page: 'shop.test/products*' }, { type: 'add-to-cart' }, { type: 'page-view', page: '*/checkout' }, { type: 'purchase' }],
  [{ type: 'page-view', page: 'shop.test/' }, { type: 'click' }, { type: 'add-to-cart' }, { type: 'click' }, { type: 'purchase' }],
];

describe('funnels', () => {
  const funnel = async (steps: FunnelStep[], filter: string[] = []) => {
    const r = await t.api('POST', '/api/stats/funnel', { from: FROM, to: TO, steps, within: 'session', filter });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.steps as Array<{ sessions: number; conversion: number; fromPrevious: number; medianSeconds: number | null }>;
  };

  it.each(FUNNELS.map((s) => [s.map((x) => x.type + (x.page ? `@${x.page}` : '')).join(' > '), s] as const))('counts %s as the reference does', async (_, steps) => {
    const want = refFunnel(refScope(ref, FROM, TO, []), steps).steps;
    const got = await funnel(steps);
    expect(got.map((s) => s.sessions)).toEqual(want.map((s) => s.sessions));
    got.forEach((s, k) => {
      expect(s.conversion).toBeCloseTo(want[k]!.conversion, 12);
      expect(s.fromPrevious).toBeCloseTo(want[k]!.fromPrevious, 12);
      expect(s.medianSeconds).toEqual(want[k]!.medianSeconds);
    });
    expect(want[1]!.sessions).toBeGreaterThan(0);
  });

  it('stops a session whose steps came out of order, and never enters one that starts mid-funnel', async () => {
    expect((await funnel(FUNNELS[1]!, ['prop.case:out-of-order'])).map((s) => s.sessions)).toEqual([1, 0]);
    expect((await funnel(FUNNELS[0]!, ['prop.case:mid-funnel'])).map((s) => s.sessions)).toEqual([0, 0, 0]);
    expect((await funnel(FUNNELS[1]!, ['prop.case:mid-funnel'])).map((s) => s.sessions)).toEqual([1, 1]);
    // Stored after the add-to-cart, but timed 20 s before it.
    expect((await funnel(FUNNELS[1]!, ['prop.case:clock-back'])).map((s) => s.sessions)).toEqual([1, 0]);
  });

  it('needs an event for each repeated step', async () => {
    const four = [...FUNNELS[2]!, { type: 'page-view' }];
    expect((await funnel(four, ['prop.case:repeated'])).map((s) => s.sessions)).toEqual([1, 1, 1, 0]);
    const r = await funnel(FUNNELS[2]!, ['prop.case:repeated']);
    expect(r.map((s) => s.medianSeconds)).toEqual([null, 5, 20]);
  });

  it('lists the sessions that dropped off at a step', async () => {
    const steps = FUNNELS[0]!;
    const reached = refFunnel(refScope(ref, FROM, TO, []), steps).reached;
    for (const step of [2, 3]) {
      const r = await t.api('POST', '/api/stats/funnel/sessions', { from: FROM, to: TO, steps, step, limit: 500 });
      expect(r.status).toBe(200);
      const want = [...reached].filter(([, k]) => k === step - 1).map(([id]) => id);
      expect(r.body.items.map((s: { id: string }) => s.id).sort()).toEqual(want.sort());
      expect(want.length).toBeGreaterThan(0);
    }
  });

  it('refuses a funnel of one step or of a type that is no string', async () => {
    for (const steps of [[{ type: 'page-view' }], [{ type: '' }, { type: 'x' }], new Array(9).fill({ type: 'a' })]) {
      const r = await t.api('POST', '/api/stats/funnel', { steps });
      expect(r.status).toBe(422);
      expect(r.body.detail).toMatch(/^steps/);
    }
  });
});

describe('paths', () => {
  it('follows each session from its first view of the start page, repeats collapsed, (exit) at the end', async () => {
    const depth = 3;
    const got = await get(`/api/stats/paths?${range}&start=${encodeURIComponent('shop.test/')}&depth=${depth}&limit=20`);
    // The reference's tree: every prefix of every session's path, counted.
    const want = new Map<string, number>();
    for (const s of refScope(ref, FROM, TO, [])) {
      const p = refPath(s, 'shop.test/', depth);
      for (let i = 1; i <= p.length; i++) want.set(JSON.stringify(p.slice(0, i)), (want.get(JSON.stringify(p.slice(0, i))) ?? 0) + 1);
    }
    const prefix = (i: number | null): string[] => (i === null ? [] : [...prefix(got.nodes[i].parent), got.nodes[i].value]);
    const have = new Map<string, number>(got.nodes.map((n: { sessions: number }, i: number) => [JSON.stringify(prefix(i)), n.sessions]));
    expect(have).toEqual(want);
    expect(got.nodes[0]).toEqual({ depth: 0, value: 'shop.test/', sessions: got.sessions, parent: null });
    expect(have.get(JSON.stringify(['shop.test/', '(exit)']))).toBeGreaterThan(0);
  });

  it('collapses repeats of the hand-made visit', async () => {
    const got = await get(`/api/stats/paths?${range}&start=${encodeURIComponent('shop.test/')}&depth=4&filter=prop.case:repeats`);
    expect(got.nodes.map((n: { value: string }) => n.value)).toEqual(['shop.test/', 'shop.test/products', 'shop.test/cart', '(exit)']);
  });

  it('sums the children beyond the limit as (other)', async () => {
    const got = await get(`/api/stats/paths?${range}&start=${encodeURIComponent('shop.test/')}&depth=1&limit=1`);
    const kids = got.nodes.filter((n: { depth: number }) => n.depth === 1);
    expect(kids).toHaveLength(2);
    expect(kids[1].value).toBe('(other)');
    expect(kids[0].sessions + kids[1].sessions).toBe(got.sessions);
  });
});

describe('retention', () => {
  it.each(['week', 'day'] as const)('counts cohorts by %s of first visit, the first cut at the range start', async (interval) => {
    for (const fs of [[], filters('browser!:Firefox')]) {
      const got = await get(`/api/stats/retention?${range}&interval=${interval}${qs(fs)}`);
      const want = refRetention(ref, FROM, TO, interval, fs);
      expect(got.cohorts.map((c: { visitors: number; returned: number[] }) => ({ visitors: c.visitors, returned: c.returned }))).toEqual(want);
    }
  });

  it('leaves out profiles first seen before the range, and starts the first cohort at the range start', async () => {
    const got = await get(`/api/stats/retention?${range}&interval=week`);
    expect(got.cohorts[0].start).toBe(new Date(FROM).toISOString());
    // Monday 2026-01-05: the second cohort is a whole week.
    expect(got.cohorts[1].start).toBe('2026-01-05T00:00:00.000Z');
    const early = new Set(ref.filter((s) => s.cls === 'people' && s.start < FROM).map((s) => s.profile));
    const total = got.cohorts.reduce((a: number, c: { visitors: number }) => a + c.visitors, 0);
    expect(total).toBe(new Set(ref.filter((s) => s.cls === 'people' && s.start >= FROM && s.start < TO && !early.has(s.profile)).map((s) => s.profile)).size);
    expect(early.size).toBeGreaterThan(0);
  });
});

describe('event properties', () => {
  it('lists the properties of a type and breaks one down, with sums for numbers', async () => {
    const purchases = ref.filter((s) => s.cls === 'people').flatMap((s) => s.events).filter((e) => e.type === 'purchase' && e.time >= FROM && e.time < TO);
    const props = await get(`/api/stats/properties?${range}&type=purchase`);
    expect(props.items.find((p: { name: string }) => p.name === 'value')).toMatchObject({ types: ['purchase'], events: purchases.length, kinds: { number: purchases.length } });
    const b = await get(`/api/stats/breakdown?${range}&dim=prop.value&type=purchase&limit=3`);
    const values = purchases.map((e) => e.props.value as number);
    expect(b.total).toBe(values.length);
    expect(b.numbers.count).toBe(values.length);
    expect(b.numbers.sum).toBeCloseTo(values.reduce((a, x) => a + x, 0), 6);
    expect(b.numbers.min).toBe(Math.min(...values));
    expect(b.numbers.max).toBe(Math.max(...values));
    const gift = await get(`/api/stats/breakdown?${range}&dim=prop.gift&type=purchase`);
    expect(gift.numbers).toBeNull();
    expect(Object.fromEntries(gift.items.map((i: { value: string; n: number }) => [i.value, i.n]))).toEqual(
      Object.fromEntries(['true', 'false'].map((v) => [v, purchases.filter((e) => String(e.props.gift) === v).length]).filter(([, n]) => n !== 0)),
    );
  });

  it('counts a property over every type when no type is named', async () => {
    const all = ref.filter((s) => s.cls === 'people').flatMap((s) => s.events).filter((e) => e.time >= FROM && e.time < TO && e.props.product !== undefined);
    const b = await get(`/api/stats/breakdown?${range}&dim=prop.product&limit=100`);
    expect(b.total).toBe(all.length);
  });
});
