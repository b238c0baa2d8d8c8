import { FakeClock } from './clock';
import { openDatabase, type DB } from './db/database';
import { SessionEngine } from './sessions/engine';
import { ensureDefaultSource } from './store/sources';
import { readSettings } from './store/settings';
import type { TrackPayload } from '../shared/track';
import { DAY_MS, DEFAULT_KEY_EVENT_TYPES } from '../shared/rules';
import { mulberry32 } from './util/random';
import { ExploreStore } from './explore/store';

/**
 * Writes a realistic history through the real session engine (so sessions, visit counts,
 * `visit-ended` events and rollups are exactly what live traffic would have made):
 * profiles that come back, sessions over `days` days with a daily and weekly rhythm, a mix
 * of devices, channels, pages and event types, a little bot and debug traffic, and the
 * last half hour's sessions still active.
 */
export interface SeedOptions {
  dataDir: string;
  events: number;
  days: number;
  /** PRNG seed: the same seed gives the same data (ids aside). */
  seed: number;
  /** End of the seeded history, ms (default now). */
  until?: number;
  /** Session timeout, seconds (default: the database's setting, else 1800). */
  sessionTimeout?: number;
  log?: (msg: string) => void;
}

export interface SeedResult {
  /** Events planned: the budget, Footfall's own events (profile-created, visit-started, visit-ended) included. */
  planned: number;
  /** Events stored: a little fewer (visits still active at the end have no visit-ended yet; debug ones start no visit). */
  events: number;
  sessions: number;
  profiles: number;
  ms: number;
}

const AGENTS: Array<[weight: number, ua: string]> = [
  [30, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'],
  [14, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15'],
  [8, 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0'],
  [6, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0'],
  [18, 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1'],
  [14, 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36'],
  [5, 'Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1'],
  [3, 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'],
  [2, 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)'],
  // The site's own end-to-end tests now and then.
  [2, 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36'],
];

const ORIGINS: Array<[weight: number, referrer: string | null, query: string]> = [
  [34, null, ''],
  [22, 'www.google.com', ''],
  [5, 'duckduckgo.com', ''],
  [4, 'www.bing.com', ''],
  [6, 'news.ycombinator.com', ''],
  [5, 't.co', ''],
  [4, 'www.facebook.com', ''],
  [4, 'blog.example.org', ''],
  [6, null, '?utm_source=newsletter&utm_medium=email&utm_campaign=autumn-sale'],
  [5, 'www.google.com', '?utm_source=google&utm_medium=cpc&utm_campaign=brand'],
  [3, 'www.linkedin.com', '?utm_source=linkedin&utm_medium=social&utm_campaign=launch'],
  [2, null, '?utm_source=partner&utm_campaign=spring-promo'],
];

const PRODUCTS = ['linen-shirt', 'wool-socks', 'rain-jacket', 'canvas-tote', 'leather-belt', 'cotton-hoodie', 'denim-jeans', 'silk-scarf', 'trail-shoes', 'sun-hat', 'knit-beanie', 'travel-mug'];
const POSTS = ['how-we-source-linen', 'care-guide', 'autumn-lookbook', 'sizing-explained', 'behind-the-seams', 'gift-ideas'];
const PAGES: Array<[weight: number, path: string, title: string]> = [
  [20, '/', 'Home'],
  [10, '/products', 'All products'],
  ...PRODUCTS.map((p): [number, string, string] => [4, `/products/${p}`, p.replace('-', ' ')]),
  ...POSTS.map((p): [number, string, string] => [2, `/blog/${p}`, p.replaceAll('-', ' ')]),
  [3, '/pricing', 'Pricing'],
  [2, '/about', 'About us'],
  [4, '/cart', 'Cart'],
  [2, '/checkout', 'Checkout'],
  [1, '/contact', 'Contact'],
];

const ACTIONS: Array<[weight: number, type: string]> = [
  [30, 'click'],
  [20, 'scroll'],
  [10, 'page-engagement'],
  [8, 'search'],
  [7, 'add-to-cart'],
  [4, 'video-play'],
  [4, 'form-submit'],
  [3, 'sign-up'],
  [2, 'purchase'],
  [1, 'newsletter-subscribe'],
];

const SCREENS = [
  [1920, 1080],
  [1440, 900],
  [2560, 1440],
  [390, 844],
  [412, 915],
  [820, 1180],
] as const;
const LANGS = ['en-US', 'en-GB', 'pl-PL', 'de-DE', 'fr-FR', 'es-ES', 'ja-JP'];
const ZONES = ['Europe/Warsaw', 'Europe/London', 'America/New_York', 'America/Los_Angeles', 'Europe/Berlin', 'Asia/Tokyo'];

function weighted<T extends readonly unknown[]>(rand: () => number, list: readonly T[]): T {
  let total = 0;
  for (const item of list) total += item[0] as number;
  let r = rand() * total;
  for (const item of list) {
    r -= item[0] as number;
    if (r <= 0) return item;
  }
  return list[list.length - 1]!;
}

interface PlannedEvent {
  at: number;
  payload: TrackPayload;
}

/** Visit start times over the range, denser by day than by night and on weekdays. */
function visitTime(rand: () => number, from: number, until: number): number {
  for (;;) {
    const t = Math.floor(from + rand() * (until - from));
    const d = new Date(t);
    const hour = d.getUTCHours();
    const dayWeight = [0.7, 1, 1, 1, 1, 0.95, 0.75][d.getUTCDay()]!;
    const hourWeight = hour < 6 ? 0.15 : hour < 9 ? 0.5 : hour < 18 ? 1 : hour < 22 ? 0.8 : 0.35;
    if (rand() < dayWeight * hourWeight) return t;
  }
}

export async function seed(opts: SeedOptions): Promise<SeedResult> {
  const log = opts.log ?? (() => {});
  const t0 = performance.now();
  const rand = mulberry32(opts.seed);
  const until = opts.until ?? Date.now();
  const from = until - opts.days * DAY_MS;
  const db: DB = openDatabase(opts.dataDir);
  try {
    // A bulk import: if it is interrupted, it is run again, so no fsync per batch.
    db.pragma('synchronous = OFF');
    const source = ensureDefaultSource(db, from).id;
    const stored = readSettings(db);
    const timeout = (opts.sessionTimeout ?? stored.sessionTimeout ?? 1800) * 1000;
    const clock = new FakeClock(from);
    const engine = new SessionEngine({ db, clock, sessionTimeoutMs: timeout, keyEventTypes: stored.keyEventTypes ?? DEFAULT_KEY_EVENT_TYPES, durable: false });
    const runId = Math.floor(rand() * 36 ** 6).toString(36);

    // Plan visits until the event budget (stored events, the engine's own included) is spent.
    const plan: PlannedEvent[] = [];
    let planned = 0;
    let profileCount = 0;
    let sessionCount = 0;
    while (planned < opts.events) {
      const profileId = `seed-${runId}-p${profileCount++}`;
      planned += 1; // profile-created
      const [, ua] = weighted(rand, AGENTS);
      const screen = SCREENS[Math.floor(rand() * SCREENS.length)]!;
      const lang = LANGS[Math.floor(rand() * LANGS.length)]!;
      const tz = ZONES[Math.floor(rand() * ZONES.length)]!;
      const debug = rand() < 0.01;
      const context = { browser: { userAgent: ua, language: lang }, screen: { width: screen[0], height: screen[1] }, time: { tz } };
      // Most visitors come once; some come back many times.
      const visits = rand() < 0.62 ? 1 : 1 + Math.floor(-Math.log(1 - rand()) * 3);
      let start = visitTime(rand, from, until - 60_000);
      for (let v = 0; v < visits && planned < opts.events; v++) {
        const sessionId = `seed-${runId}-s${sessionCount++}`;
        planned += 2; // visit-started, visit-ended
        const [, referrer, query] = weighted(rand, ORIGINS);
        let t = start;
        const pageViews = 1 + Math.floor(-Math.log(1 - rand()) * 2.6);
        for (let p = 0; p < pageViews && planned < opts.events && t < until; p++) {
          const [, path, title] = p === 0 && rand() < 0.5 ? PAGES[0]! : weighted(rand, PAGES);
          const url = `https://shop.test${path}${p === 0 ? query : ''}`;
          const page = { url, path, title, referer: p === 0 && referrer ? { host: referrer } : {} };
          const events: NonNullable<TrackPayload['events']> = [{ type: 'page-view', properties: { title }, context: { page } }];
          const actions = Math.floor(rand() * 2.2 * rand() * 4);
          for (let a = 0; a < actions; a++) {
            const [, type] = weighted(rand, ACTIONS);
            const properties: Record<string, unknown> =
              type === 'purchase'
                ? { orderId: `o-${sessionCount}-${a}`, value: Math.round(rand() * 20000) / 100, currency: 'EUR' }
                : type === 'add-to-cart'
                  ? { product: PRODUCTS[Math.floor(rand() * PRODUCTS.length)], quantity: 1 + Math.floor(rand() * 3) }
                  : type === 'search'
                    ? { query: ['shirt', 'socks', 'jacket', 'gift', 'linen'][Math.floor(rand() * 5)] }
                    : type === 'page-engagement'
                      ? { engagedMs: Math.floor(rand() * 90_000) }
                      : { target: ['button', 'link', 'image', 'menu'][Math.floor(rand() * 4)] };
            events.push({ type, properties, context: { page } });
          }
          plan.push({
            at: t,
            payload: {
              source: { id: source },
              session: { id: sessionId },
              profile: { id: profileId },
              context,
              ...(debug ? { options: { debugger: true } } : {}),
              events,
            },
          });
          planned += events.length;
          t += 4_000 + Math.floor(rand() * rand() * 240_000);
        }
        // The next visit of this profile: hours to weeks later.
        start = t + timeout + Math.floor(-Math.log(1 - rand()) * 4 * DAY_MS);
        if (start >= until - 60_000) break;
      }
    }
    plan.sort((a, b) => a.at - b.at);
    log(`Planned ${planned} events in ${sessionCount} visits of ${profileCount} profiles over ${opts.days} days.`);

    // Feed in time order, up to a batch per group commit, and sweep every simulated
    // SWEEP_MS as the live sweeper would, so visit-ended lands minutes after the timeout.
    // The engine's writes (a group commit, a sweep chunk) then run as savepoints inside an
    // outer transaction that commits every OUTER requests: the engine's own transactions
    // are small here (a few minutes of simulated traffic each), and committing each one
    // rewrote the same hot pages to the WAL again and again (3x the time on 200,000 events).
    const BATCH = 2000;
    const OUTER = 50_000;
    const SWEEP_MS = 5 * 60_000;
    let nextSweep = from + SWEEP_MS;
    let pending: Array<Promise<unknown>> = [];
    let sinceCommit = 0;
    db.exec('BEGIN');
    for (let i = 0; i < plan.length; i++) {
      const e = plan[i]!;
      if (e.at >= nextSweep || pending.length >= BATCH) {
        await Promise.all(pending);
        pending = [];
        if (sinceCommit >= OUTER) {
          db.exec('COMMIT; BEGIN');
          sinceCommit = 0;
        }
        for (; nextSweep <= e.at; nextSweep += SWEEP_MS) {
          clock.set(nextSweep);
          while (engine.sweepChunk(5000) === 5000) {
            // keep ending until caught up
          }
        }
      }
      pending.push(engine.track(e.payload, { userAgent: null, at: e.at }));
      sinceCommit++;
      if (i % 100_000 === 0 && i > 0) log(`  ${Math.round((i / plan.length) * 100)}%`);
    }
    await Promise.all(pending);
    clock.set(until);
    while (engine.sweepChunk(5000) === 5000) {
      // end what expired before `until`; the last half hour's visits stay active
    }
    await engine.close();
    db.exec('COMMIT');
    // What a running Footfall writes when idle: explore's segments, so that its first start
    // on this history loads them instead of reading every event row.
    const explore = new ExploreStore(db);
    await explore.current();
    explore.stop();
    const count = (sql: string) => db.prepare(sql).pluck().get() as number;
    return {
      planned,
      events: count('SELECT count(*) FROM events'),
      sessions: count('SELECT count(*) FROM sessions'),
      profiles: count('SELECT count(*) FROM profiles'),
      ms: Math.round(performance.now() - t0),
    };
  } finally {
    db.close();
  }
}
