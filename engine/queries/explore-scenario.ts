/**
 * Test data for explore: visits sent through the real collector on a fake clock, random
 * ones from a seeded generator plus hand-made ones for the edge cases the contract names
 * (each carries `case: NAME` on its events, so a test can filter to it), and the reference
 * model of them read back through the plain list API.
 */
import type { TestFootfall } from '../testing';
import { mulberry32 } from '../util/random';
import type { EventView, SessionView } from '../../shared/api';
import { refSession, type RefSession } from './explore-reference';

export const DAY = 86_400_000;
/** Thursday 2026-01-15 12:00 UTC: "now" for the scenario. */
export const NOW = Date.UTC(2026, 0, 15, 12, 0);

const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
];
const PAGES = ['/', '/products', '/products/socks', '/cart', '/checkout'];

export interface PlannedEvent {
  type: string;
  /** A path on shop.test, for events with a page. */
  path?: string;
  props?: Record<string, unknown>;
  /** Seconds after the visit's previous event. */
  after?: number;
}

export interface PlannedVisit {
  session: string;
  profile: string;
  start: number;
  agent: number;
  /** The first page's query string and referrer. */
  origin: { query?: string; referrer?: string };
  events: PlannedEvent[];
}

/** The hand-made visits: one per edge case, on 2026-01-12 (a Monday). */
function handMade(): PlannedVisit[] {
  const at = Date.UTC(2026, 0, 12, 10, 0);
  const v = (name: string, n: number, events: PlannedEvent[]): PlannedVisit => ({
    session: `case-${name}`,
    profile: `case-p-${name}`,
    start: at + n * 600_000,
    agent: 0,
    origin: {},
    events: events.map((e) => ({ ...e, props: { case: name, ...e.props } })),
  });
  return [
    // Purchase before the add-to-cart: the funnel add-to-cart -> purchase stops at step 1.
    v('out-of-order', 0, [{ type: 'purchase', path: '/checkout', props: { value: 30 } }, { type: 'page-view', path: '/cart' }, { type: 'add-to-cart', path: '/cart', props: { product: 'socks', qty: 2 } }]),
    // Three page views: a funnel of three page-view steps is reached; two views reach two.
    v('repeated', 1, [{ type: 'page-view', path: '/' }, { type: 'page-view', path: '/' }, { type: 'page-view', path: '/products', after: 20 }]),
    // No page view before the cart: a funnel starting with page-view is never entered.
    v('mid-funnel', 2, [{ type: 'add-to-cart', path: '/cart', props: { product: 'hat', qty: 1 } }, { type: 'purchase', path: '/checkout', props: { value: 12.5 } }]),
    // Repeats collapse; the path ends in (exit).
    v('repeats', 3, [
      { type: 'page-view', path: '/' },
      { type: 'page-view', path: '/' },
      { type: 'page-view', path: '/products' },
      { type: 'page-view', path: '/products' },
      { type: 'page-view', path: '/cart' },
    ]),
    v('bounce', 4, [{ type: 'page-view', path: '/' }]),
  ];
}

/** Random visits of 30 profiles between 2025-12-29 and 2026-01-15, some before any range the tests ask for. */
function randomVisits(seed: number): PlannedVisit[] {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const out: PlannedVisit[] = [];
  const origins = [{}, { referrer: 'www.google.com' }, { query: '?utm_source=newsletter&utm_medium=email&utm_campaign=winter' }];
  for (let p = 0; p < 30; p++) {
    const visits = 1 + Math.floor(rand() * 4);
    let start = Date.UTC(2025, 11, 29) + Math.floor(rand() * 10 * DAY);
    const agent = rand() < 0.08 ? 3 : Math.floor(rand() * 3);
    for (let k = 0; k < visits && start < NOW - DAY; k++) {
      const events: PlannedEvent[] = [];
      const n = 1 + Math.floor(rand() * 7);
      for (let i = 0; i < n; i++) {
        const r = rand();
        if (r < 0.5 || i === 0) events.push({ type: 'page-view', path: pick(PAGES), after: Math.floor(rand() * 40) });
        else if (r < 0.7) events.push({ type: 'add-to-cart', path: '/cart', props: { product: pick(['socks', 'hat', 'mug']), qty: 1 + Math.floor(rand() * 3) } });
        else if (r < 0.8) events.push({ type: 'purchase', path: '/checkout', props: { value: Math.round(rand() * 5000) / 100, gift: rand() < 0.3 } });
        else events.push({ type: 'click', path: pick(PAGES), props: { target: pick(['button', 'link']) } });
      }
      out.push({ session: `r${p}-${k}`, profile: `rp${p}`, start, agent, origin: pick(origins), events });
      start += Math.floor((0.3 + rand() * 4) * DAY);
    }
  }
  return out;
}

/** Sends every visit through the collector in time order, then ends them all but one new visit. */
export async function sendScenario(t: TestFootfall, seed = 7): Promise<PlannedVisit[]> {
  const visits = [...randomVisits(seed), ...handMade()];
  const sends: Array<{ at: number; v: PlannedVisit; e: PlannedEvent; first: boolean }> = [];
  for (const v of visits) {
    let at = v.start;
    v.events.forEach((e, i) => {
      at += (e.after ?? 5) * 1000;
      sends.push({ at, v, e, first: i === 0 });
    });
  }
  sends.sort((a, b) => a.at - b.at);
  for (const { at, v, e, first } of sends) {
    t.clock.set(at);
    const url = e.path === undefined ? undefined : `https://shop.test${e.path}${first ? (v.origin.query ?? '') : ''}`;
    const page = url === undefined ? undefined : { url, ...(first && v.origin.referrer ? { referer: { host: v.origin.referrer } } : {}) };
    const r = await t.track({
      source: { id: t.source },
      session: { id: v.session },
      profile: { id: v.profile },
      context: { browser: { userAgent: AGENTS[v.agent] } },
      events: [{ type: e.type, properties: e.props ?? {}, ...(page ? { context: { page } } : {}) }],
    });
    if (r.status !== 200) throw new Error(`track answered ${r.status}: ${JSON.stringify(r.body)}`);
  }
  // A clock set back between two events (a test site's fake clock, a laptop's clock
  // fixed): stored in one order, timed in the other. A funnel counts a step only at or
  // after the step before it.
  const back = { source: { id: t.source }, session: { id: 'case-clock-back' }, profile: { id: 'case-p-clock-back' }, context: { browser: { userAgent: AGENTS[0] } } };
  t.clock.set(Date.UTC(2026, 0, 12, 15, 0, 30));
  await t.track({ ...back, events: [{ type: 'add-to-cart', properties: { case: 'clock-back' }, context: { page: { url: 'https://shop.test/cart' } } }] });
  t.clock.set(Date.UTC(2026, 0, 12, 15, 0, 10));
  await t.track({ ...back, events: [{ type: 'purchase', properties: { case: 'clock-back', value: 5 }, context: { page: { url: 'https://shop.test/checkout' } } }] });
  // A debug event (the simulator's): counted in event figures only when asked for.
  t.clock.set(Date.UTC(2026, 0, 13, 9, 0));
  await t.track({ source: { id: t.source }, options: { debugger: true }, events: [{ type: 'page-view', context: { page: { url: 'https://shop.test/cart' } } }] });
  t.clock.set(NOW - 30_000);
  await t.sweep();
  // One visit still going.
  const live: PlannedVisit = { session: 'live', profile: 'rp0', start: NOW - 20_000, agent: 1, origin: {}, events: [{ type: 'page-view', path: '/' }] };
  t.clock.set(live.start);
  await t.track({ source: { id: t.source }, session: { id: 'live' }, profile: { id: 'rp0' }, context: { browser: { userAgent: AGENTS[1] } }, events: [{ type: 'page-view', context: { page: { url: 'https://shop.test/' } } }] });
  t.clock.set(NOW);
  return [...visits, live];
}

/** Every session and its raw events, as the list API answers them, in the reference's model. */
export async function loadReference(t: TestFootfall): Promise<RefSession[]> {
  const out: RefSession[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: SessionView[]; next: string | null } = (await t.api('GET', `/api/sessions?limit=500${cursor ? `&cursor=${cursor}` : ''}`)).body;
    for (const s of page.items) {
      const ev = (await t.api('GET', `/api/events?session=${encodeURIComponent(s.id)}&order=asc&limit=500`)).body as { items: EventView[] };
      out.push(refSession(s, ev.items));
    }
    cursor = page.next;
  } while (cursor !== null);
  return out;
}
