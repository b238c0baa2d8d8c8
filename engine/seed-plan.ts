import type { TrackPayload } from '../shared/track';
import { DAY_MS } from '../shared/rules';
import { mulberry32 } from './util/random';
import { ACTIONS, AGENTS, LANGS, ORIGINS, PAGES, PRODUCTS, SCREENS, ZONES, visitTime, weighted } from './seed-mix';

/**
 * The seeder's plan, streamed: every page-view request of the history, in time order, with
 * memory that grows by a few bytes per visit instead of by every planned payload.
 *
 * Two passes over the same randomness. The first decides, visitor by visitor until the
 * event budget is spent, when each visit starts and how many page views it has, and keeps
 * only that (typed arrays: start, profile, the visit's own PRNG seed, page views). The
 * second walks the visits in start order and rebuilds each one's requests from its seed,
 * merging them through a min-heap of pending requests, which holds only the visits under
 * way at that moment.
 *
 * Each visit draws from two PRNGs seeded by its seed: one for its shape (page views,
 * actions per page, the gaps between pages), which both passes draw from in the same order,
 * and one for its content (origin, pages, action types and properties), which only the
 * second pass needs.
 */
export interface PlanOptions {
  events: number;
  from: number;
  until: number;
  timeoutMs: number;
  seed: number;
  sourceId: string;
}

export interface PlannedRequest {
  at: number;
  /** Events this request stands for in the budget (the engine's own for its visit and profile included). */
  planned: number;
  payload: TrackPayload;
}

export interface SeedPlan {
  /** Events planned: the budget, Footfall's own events included. */
  planned: number;
  profiles: number;
  /** Visits with at least one request. */
  visits: number;
  /** The requests in time order (ties in the order they were planned). */
  requests(): Generator<PlannedRequest>;
}

/** A typed array that doubles as it fills. */
class Column<T extends Float64Array | Uint32Array | Uint16Array | Uint8Array> {
  length = 0;
  constructor(private data: T) {}
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new (this.data.constructor as new (n: number) => T)(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  get(i: number): number {
    return this.data[i]!;
  }
}

const CONTENT_SALT = 0x5bd1e995;

/** An index into a weighted list. */
function weightedIndex(rand: () => number, list: ReadonlyArray<readonly [number, ...unknown[]]>): number {
  return list.indexOf(weighted(rand, list));
}

export function planSeed(opts: PlanOptions): SeedPlan {
  const { events, from, until, timeoutMs } = opts;
  const rand = mulberry32(opts.seed);
  const runId = Math.floor(rand() * 36 ** 6).toString(36);
  // Per profile: agent, screen, language, zone, debug.
  const agent = new Column(new Uint8Array(1024));
  const screen = new Column(new Uint8Array(1024));
  const lang = new Column(new Uint8Array(1024));
  const zone = new Column(new Uint8Array(1024));
  const debug = new Column(new Uint8Array(1024));
  // Per visit: when it starts, whose it is, its seed, its page views, its first in the profile's.
  const start = new Column(new Float64Array(1024));
  const owner = new Column(new Uint32Array(1024));
  const seedOf = new Column(new Uint32Array(1024));
  const pages = new Column(new Uint16Array(1024));
  const first = new Column(new Uint8Array(1024));

  let planned = 0;
  let profiles = 0;
  while (planned < events) {
    const p = profiles++;
    planned += 1; // profile-created
    agent.push(weightedIndex(rand, AGENTS));
    screen.push(Math.floor(rand() * SCREENS.length));
    lang.push(Math.floor(rand() * LANGS.length));
    zone.push(Math.floor(rand() * ZONES.length));
    debug.push(rand() < 0.01 ? 1 : 0);
    // Most visitors come once; some come back many times.
    const visits = rand() < 0.62 ? 1 : 1 + Math.floor(-Math.log(1 - rand()) * 3);
    let at = visitTime(rand, from, until - 60_000);
    let firstOfProfile = 1;
    for (let v = 0; v < visits && planned < events; v++) {
      const visitSeed = Math.floor(rand() * 2 ** 32) >>> 0;
      const shape = mulberry32(visitSeed);
      planned += 2; // visit-started, visit-ended
      const pageViews = 1 + Math.floor(-Math.log(1 - shape()) * 2.6);
      let t = at;
      let n = 0;
      for (; n < pageViews && planned < events && t < until; n++) {
        planned += 1 + Math.floor(shape() * 2.2 * shape() * 4);
        t += 4_000 + Math.floor(shape() * shape() * 240_000);
      }
      if (n > 0) {
        start.push(at);
        owner.push(p);
        seedOf.push(visitSeed);
        pages.push(Math.min(n, 0xffff));
        first.push(firstOfProfile);
        firstOfProfile = 0;
      }
      // The next visit of this profile: hours to weeks later.
      at = t + timeoutMs + Math.floor(-Math.log(1 - rand()) * 4 * DAY_MS);
      if (at >= until - 60_000) break;
    }
  }

  const visitCount = start.length;
  const order = new Uint32Array(visitCount);
  for (let i = 0; i < visitCount; i++) order[i] = i;
  order.sort((a, b) => start.get(a) - start.get(b) || a - b);

  /** Every request of visit `i`, built from its seed (the shape drawn exactly as in the first pass). */
  function visitRequests(i: number, push: (r: PlannedRequest) => void): void {
    const p = owner.get(i);
    const visitSeed = seedOf.get(i);
    const shape = mulberry32(visitSeed);
    const content = mulberry32((visitSeed ^ CONTENT_SALT) >>> 0);
    const sc = SCREENS[screen.get(p)]!;
    const context = {
      browser: { userAgent: AGENTS[agent.get(p)]![1], language: LANGS[lang.get(p)]! },
      screen: { width: sc[0], height: sc[1] },
      time: { tz: ZONES[zone.get(p)]! },
    };
    const isDebug = debug.get(p) === 1;
    const sessionId = `seed-${runId}-s${i}`;
    const profileId = `seed-${runId}-p${p}`;
    const [, referrer, query] = weighted(content, ORIGINS);
    shape(); // the page-view count: the first pass kept what the budget allowed of it
    let t = start.get(i);
    const n = pages.get(i);
    for (let k = 0; k < n; k++) {
      const [, path, title] = k === 0 && content() < 0.5 ? PAGES[0]! : weighted(content, PAGES);
      const url = `https://shop.test${path}${k === 0 ? query : ''}`;
      const page = { url, path, title, referer: k === 0 && referrer ? { host: referrer } : {} };
      const evs: NonNullable<TrackPayload['events']> = [{ type: 'page-view', properties: { title }, context: { page } }];
      const actions = Math.floor(shape() * 2.2 * shape() * 4);
      for (let a = 0; a < actions; a++) {
        const [, type] = weighted(content, ACTIONS);
        const properties: Record<string, unknown> =
          type === 'purchase'
            ? { orderId: `o-${i}-${k}-${a}`, value: Math.round(content() * 20000) / 100, currency: 'EUR' }
            : type === 'add-to-cart'
              ? { product: PRODUCTS[Math.floor(content() * PRODUCTS.length)], quantity: 1 + Math.floor(content() * 3) }
              : type === 'search'
                ? { query: ['shirt', 'socks', 'jacket', 'gift', 'linen'][Math.floor(content() * 5)] }
                : type === 'page-engagement'
                  ? { engagedMs: Math.floor(content() * 90_000) }
                  : { target: ['button', 'link', 'image', 'menu'][Math.floor(content() * 4)] };
        evs.push({ type, properties, context: { page } });
      }
      push({
        at: t,
        planned: evs.length + (k === 0 ? 2 + first.get(i) : 0),
        payload: {
          source: { id: opts.sourceId },
          session: { id: sessionId },
          profile: { id: profileId },
          context,
          ...(isDebug ? { options: { debugger: true } } : {}),
          events: evs,
        },
      });
      t += 4_000 + Math.floor(shape() * shape() * 240_000);
    }
  }

  function* requests(): Generator<PlannedRequest> {
    const heap = new RequestHeap();
    const push = (r: PlannedRequest) => heap.push(r);
    let next = 0;
    while (next < visitCount || heap.size > 0) {
      if (next < visitCount && (heap.size === 0 || start.get(order[next]!) <= heap.peekAt())) {
        visitRequests(order[next++]!, push);
        continue;
      }
      yield heap.pop();
    }
  }

  return { planned, profiles, visits: visitCount, requests };
}

/** A binary min-heap of requests by time, then by the order they were pushed (so ties are deterministic). */
class RequestHeap {
  private items: Array<{ r: PlannedRequest; seq: number }> = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  peekAt(): number {
    return this.items[0]!.r.at;
  }

  private less(i: number, j: number): boolean {
    const a = this.items[i]!;
    const b = this.items[j]!;
    return a.r.at < b.r.at || (a.r.at === b.r.at && a.seq < b.seq);
  }

  push(r: PlannedRequest): void {
    const items = this.items;
    items.push({ r, seq: this.seq++ });
    let i = items.length - 1;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!this.less(i, up)) break;
      [items[i], items[up]] = [items[up]!, items[i]!];
      i = up;
    }
  }

  pop(): PlannedRequest {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.less(l, m)) m = l;
        if (r < items.length && this.less(r, m)) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m]!, items[i]!];
        i = m;
      }
    }
    return top.r;
  }
}
