/**
 * Request bodies as a real tracker sends them: Tracardi's TrackerPayload with browser,
 * screen, page and time context and a real user agent, about 1.3 KB for one page view.
 * Visitors come and go: a few thousand visits are in progress at any time, each lasting a
 * handful of requests, after which a new visit (a new session, often a new profile) takes
 * its place, so the engine keeps starting sessions as it would on a live site.
 */
import { mulberry32 } from '../engine/util/random';

export const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36',
  'Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
];

const PAGES: Array<[path: string, title: string]> = [
  ['/', 'Home — Linen & Wool'],
  ['/products', 'All products — Linen & Wool'],
  ['/products/linen-shirt', 'Linen shirt — Linen & Wool'],
  ['/products/wool-socks', 'Wool socks — Linen & Wool'],
  ['/products/rain-jacket', 'Rain jacket — Linen & Wool'],
  ['/products/canvas-tote', 'Canvas tote — Linen & Wool'],
  ['/blog/how-we-source-linen', 'How we source linen — Linen & Wool'],
  ['/blog/care-guide', 'Care guide — Linen & Wool'],
  ['/pricing', 'Pricing — Linen & Wool'],
  ['/cart', 'Cart — Linen & Wool'],
  ['/checkout', 'Checkout — Linen & Wool'],
];
const REFERRERS = ['', '', 'https://www.google.com/', 'https://duckduckgo.com/', 'https://news.ycombinator.com/', 'https://t.co/abc'];
const QUERIES = ['', '', '', '?utm_source=newsletter&utm_medium=email&utm_campaign=autumn-sale', '?utm_source=google&utm_medium=cpc&utm_campaign=brand'];
const SCREENS: Array<[number, number]> = [
  [1920, 1080],
  [1440, 900],
  [2560, 1440],
  [390, 844],
  [412, 915],
  [820, 1180],
];
const LANGS = ['en-US', 'en-GB', 'pl-PL', 'de-DE', 'fr-FR'];
const ZONES = ['Europe/Warsaw', 'Europe/London', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo'];
const ACTIONS = ['click', 'scroll', 'page-engagement', 'search', 'add-to-cart'];

interface Visit {
  session: string;
  profile: string;
  ua: string;
  screen: [number, number];
  lang: string;
  tz: string;
  /** Requests left before the visitor leaves. */
  left: number;
  /** The JSON of everything but the events, which stays the same for the whole visit: `{...,"events":`. */
  head: string;
  /** Pages seen so far in this visit. */
  n: number;
  referrer: string;
  query: string;
}

export interface VisitorOptions {
  sourceId: string;
  /** Distinguishes this run's ids from any other's. */
  runId: string;
  /** Visits in progress at once. */
  concurrentVisits?: number;
  /** Mean requests a visit lasts. */
  meanRequests?: number;
  seed?: number;
}

/**
 * The visitors of a busy site. `next()` picks a visit in progress and returns the body of
 * its next request; a finished visit is replaced by a new one (a returning profile a third
 * of the time), so sessions start all the time and thousands of them are active at once.
 */
export class Visitors {
  private readonly rand: () => number;
  private readonly visits: Visit[] = [];
  private readonly returning: string[] = [];
  private sessions = 0;
  private profiles = 0;
  private readonly meanRequests: number;

  constructor(private readonly opts: VisitorOptions) {
    this.rand = mulberry32(opts.seed ?? 1);
    this.meanRequests = opts.meanRequests ?? 6;
    const n = opts.concurrentVisits ?? 4000;
    for (let i = 0; i < n; i++) this.visits.push(this.newVisit());
  }

  get sessionsStarted(): number {
    return this.sessions;
  }

  get profilesMade(): number {
    return this.profiles;
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.rand() * list.length)]!;
  }

  private newVisit(): Visit {
    const back = this.returning.length > 100 && this.rand() < 0.33;
    const profile = back ? this.pick(this.returning) : `bp-${this.opts.runId}-${this.profiles++}`;
    const v: Visit = {
      session: `bs-${this.opts.runId}-${this.sessions++}`,
      profile,
      ua: this.pick(USER_AGENTS),
      screen: this.pick(SCREENS),
      lang: this.pick(LANGS),
      tz: this.pick(ZONES),
      left: 1 + Math.floor(-Math.log(1 - this.rand()) * (this.meanRequests - 1)),
      n: 0,
      referrer: this.pick(REFERRERS),
      query: this.pick(QUERIES),
      head: '',
    };
    // A tracker builds its context once per page load; so does this generator, per visit,
    // which keeps the load tool's own cost per request low (it shares the machine).
    const json = JSON.stringify(this.envelope(v));
    v.head = `${json.slice(0, -1)},"events":`;
    return v;
  }

  /** The visit the next request belongs to (replacing it first if it has ended). */
  private visit(): Visit {
    const i = Math.floor(this.rand() * this.visits.length);
    let v = this.visits[i]!;
    if (v.left <= 0) {
      if (this.returning.length < 20_000) this.returning.push(v.profile);
      else this.returning[Math.floor(this.rand() * this.returning.length)] = v.profile;
      v = this.visits[i] = this.newVisit();
    }
    v.left--;
    v.n++;
    return v;
  }

  private event(v: Visit, type: string, path: string, title: string, at: number): Record<string, unknown> {
    const url = `https://shop.test${path}${v.n === 1 ? v.query : ''}`;
    return {
      type,
      properties: type === 'page-view' ? { title } : type === 'add-to-cart' ? { product: path.split('/').pop(), quantity: 1, price: 49.9 } : { target: 'button#buy', x: 312, y: 488 },
      context: {
        page: {
          url,
          path,
          hash: '',
          title,
          referer: { host: v.n === 1 && v.referrer !== '' ? new URL(v.referrer).host : null, url: v.n === 1 ? v.referrer : 'https://shop.test/' },
          history: { length: v.n },
        },
        time: { local: new Date(at).toISOString(), unix: Math.floor(at / 1000) },
      },
      options: {},
    };
  }

  /** The shared part of every request of a visit (what the tracker puts beside the events). */
  private envelope(v: Visit): Record<string, unknown> {
    return {
      source: { id: this.opts.sourceId },
      session: { id: v.session },
      profile: { id: v.profile },
      context: {
        time: { tz: v.tz },
        browser: {
          userAgent: v.ua,
          language: v.lang,
          platform: v.ua.includes('Windows') ? 'Win32' : v.ua.includes('Mac') ? 'MacIntel' : 'Linux x86_64',
          appName: 'Netscape',
          appCodeName: 'Mozilla',
          appVersion: v.ua.slice(8),
          vendor: v.ua.includes('Chrome') ? 'Google Inc.' : v.ua.includes('Safari') ? 'Apple Computer, Inc.' : '',
          cookieEnabled: true,
          javaEnabled: false,
          doNotTrack: null,
        },
        screen: {
          width: v.screen[0],
          height: v.screen[1],
          availWidth: v.screen[0],
          availHeight: v.screen[1] - 40,
          innerWidth: Math.min(v.screen[0], 1680),
          innerHeight: v.screen[1] - 120,
          colorDepth: 24,
          pixelDepth: 24,
          pixelRatio: 2,
          orientation: v.screen[0] > v.screen[1] ? 'landscape-primary' : 'portrait-primary',
        },
        device: { hardwareConcurrency: 8, deviceMemory: 8, touchPoints: v.screen[0] < 1000 ? 5 : 0 },
        storage: { local: true, session: true, cookie: true },
        tracker: { name: 'liliput', version: '0.1.0' },
      },
      properties: {},
      options: {},
    };
  }

  /** One page view (and now and then an action on it): about 1.3 KB of JSON. */
  next(at = Date.now()): { body: string; userAgent: string } {
    const v = this.visit();
    const [path, title] = v.n === 1 && this.rand() < 0.5 ? PAGES[0]! : this.pick(PAGES);
    const type = v.n === 1 || this.rand() < 0.7 ? 'page-view' : this.pick(ACTIONS);
    return { body: `${v.head}[${JSON.stringify(this.event(v, type, path, title, at))}]}`, userAgent: v.ua };
  }

  /** `n` events of one visitor in one request (a tracker flushing a queue, or an import). */
  nextBatch(n: number, at = Date.now()): { body: string; userAgent: string } {
    const v = this.visit();
    const events: Array<Record<string, unknown>> = [];
    for (let i = 0; i < n; i++) {
      const [path, title] = this.pick(PAGES);
      const type = i % 3 === 0 ? 'page-view' : this.pick(ACTIONS);
      events.push(this.event(v, type, path, title, at));
      v.n++;
    }
    return { body: `${v.head}${JSON.stringify(events)}}`, userAgent: v.ua };
  }
}
