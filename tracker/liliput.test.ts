// The built tracker run in a fake browser (node:vm): what it sends and stores, and that it
// never throws into the page. The end-to-end tests (e2e/tracker.spec.ts, e2e/demo.spec.ts)
// run it in Chromium against a real collector.
import { webcrypto } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTracker, gzippedSize } from '../scripts/build-tracker.mjs';

let code = '';
beforeAll(async () => {
  code = await buildTracker();
});

interface Sent {
  url: string;
  beacon: boolean;
  // The payload as the tracker sent it: read field by field below.
  body: {
    source: { id: string };
    session: { id: string };
    profile: { id: string } | null;
    context: Record<string, unknown>;
    events: Array<{ type: string; properties?: Record<string, unknown>; options?: Record<string, unknown>; context: { page: { url: string; title: string; referer: { url: string | null } } } }>;
  };
}

interface FakeOptions {
  url?: string;
  attrs?: Record<string, string>;
  cookie?: Record<string, string>;
  cookiesWork?: boolean;
  storage?: Record<string, string> | 'throws';
  dnt?: boolean;
  /** Tracardi's `options` global; then the page is loaded the Tracardi way. */
  tracardi?: Record<string, unknown>;
  answer?: Record<string, unknown>;
  status?: number;
  fetchFails?: boolean;
  /** With `tracardi`: whether Tracardi's loader defined window.onTracardiReady first (default yes). */
  loader?: boolean;
}

/** A page with just enough browser for the tracker, and what the tracker did to it. */
function page(o: FakeOptions = {}) {
  const sent: Sent[] = [];
  const jar = new Map<string, string>(Object.entries(o.cookie ?? {}));
  const cookieWrites: string[] = [];
  const storage = o.storage === 'throws' ? null : new Map(Object.entries(o.storage ?? {}));
  const listeners: Record<string, Array<(e: unknown) => void>> = {};
  const on = (type: string, fn: (e: unknown) => void) => void (listeners[type] ??= []).push(fn);
  let href = o.url ?? 'http://shop.test/a?utm_source=news&utm_medium=email';
  let visibility = 'visible';
  const errors: unknown[] = [];
  const readyCalls: unknown[] = [];

  const document = {
    currentScript: o.tracardi ? { getAttribute: () => null, src: 'http://127.0.0.1:8686/tracker/liliput.min.js' } : { getAttribute: (n: string) => (o.attrs ?? { 'data-source': 'S1' })[n] ?? null, src: 'http://127.0.0.1:8686/tracker.js' },
    get cookie() {
      return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    },
    set cookie(line: string) {
      cookieWrites.push(line);
      if (o.cookiesWork === false) return;
      const [pair, ...attrs] = line.split(';');
      const [k, v] = pair!.split('=') as [string, string];
      if (attrs.some((a) => a.trim() === 'max-age=0')) jar.delete(k);
      else jar.set(k, v);
    },
    get visibilityState() {
      return visibility;
    },
    referrer: 'https://duckduckgo.com/',
    title: 'Page A',
    addEventListener: on,
  };
  const history = {
    pushState(_s: unknown, _t: string, url: string) {
      href = new URL(url, href).href;
    },
    replaceState(_s: unknown, _t: string, url: string) {
      href = new URL(url, href).href;
    },
  };
  const record = (url: string, body: string, beacon: boolean) => sent.push({ url, beacon, body: JSON.parse(body) as Sent['body'] });
  const win: Record<string, unknown> = {
    document,
    history,
    location: {
      get href() {
        return href;
      },
      get search() {
        return new URL(href).search;
      },
    },
    navigator: {
      userAgent: 'Mozilla/5.0 Test',
      language: 'pl-PL',
      doNotTrack: o.dnt ? '1' : null,
      sendBeacon: (url: string, body: string) => (record(url, body, true), true),
    },
    screen: { width: 1920, height: 1080 },
    get localStorage() {
      if (storage === null) throw new Error('SecurityError: storage is disabled');
      return { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => void storage.set(k, v) };
    },
    crypto: webcrypto,
    fetch: async (url: string, init: { body: string }) => {
      if (o.fetchFails) throw new TypeError('Failed to fetch');
      record(url, init.body, false);
      const status = o.status ?? 200;
      return { ok: status === 200, status, json: async () => o.answer ?? { profile: { id: 'P-answer' }, session: { id: 'x' }, events: [] } };
    },
    addEventListener: on,
    setTimeout,
    URL,
    URLSearchParams,
    console: { error: (...a: unknown[]) => errors.push(a.join(' ')), log() {}, debug() {}, warn() {} },
  };
  win.window = win;
  if (o.tracardi) {
    win.options = o.tracardi;
    if (o.loader !== false) win.onTracardiReady = { bind() {}, call: (p: unknown) => readyCalls.push(p) };
  }
  runInNewContext(code, win);
  return {
    win,
    sent,
    jar,
    cookieWrites,
    storage,
    errors,
    readyCalls,
    fire: (type: string, event: Record<string, unknown> = {}) => (listeners[type] ?? []).forEach((fn) => fn(event)),
    hide() {
      visibility = 'hidden';
    },
    navigate: (url: string) => history.pushState({}, '', url),
    track: (...args: unknown[]) => (win.tracker as { track(...a: unknown[]): Promise<unknown> }).track(...args),
  };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

describe('the tracker', () => {
  it('is under 2 KB gzipped, smaller than Plausible and Umami', () => {
    expect(gzippedSize(code)).toBeLessThan(2048);
    expect(code).not.toMatch(/console\.log|debugger/);
  });

  it("sends a page view on load with Tracardi's cookie and storage names, page, UTM, browser, screen and time zone", async () => {
    const p = page({ storage: { 'tracardi-profile-id': '"P1"' } });
    await settle();
    expect(p.sent).toHaveLength(1);
    const { url, body } = p.sent[0]!;
    expect(url).toBe('http://127.0.0.1:8686/track');
    expect(body.source).toEqual({ id: 'S1' });
    expect(body.profile).toEqual({ id: 'P1' });
    expect(body.session.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(p.jar.get('tracardi-session-id')).toBe(body.session.id);
    expect(p.cookieWrites[0]).toBe(`tracardi-session-id=${body.session.id};path=/;max-age=1800;samesite=lax`);
    expect(body.context).toMatchObject({
      utm: { source: 'news', medium: 'email' },
      browser: { userAgent: 'Mozilla/5.0 Test', language: 'pl-PL' },
      screen: { width: 1920, height: 1080 },
    });
    expect((body.context.time as { tz: string }).tz).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(body.events.map((e) => e.type)).toEqual(['page-view']);
    expect(body.events[0]!.context.page).toEqual({ url: 'http://shop.test/a?utm_source=news&utm_medium=email', title: 'Page A', referer: { url: 'https://duckduckgo.com/' } });
    // The answer's profile id is kept, JSON-encoded as Tracardi's storage-utils does.
    expect(p.storage?.get('tracardi-profile-id')).toBe('"P-answer"');
  });

  it('keeps the visit id of an existing cookie and renews it; calls of one turn share a request', async () => {
    const p = page({ cookie: { 'tracardi-session-id': 'visit-1' } });
    await settle();
    void p.track('add-to-cart', { sku: 'a' });
    void p.track('add-to-cart', { sku: 'b' });
    await settle();
    expect(p.sent.map((s) => s.body.session.id)).toEqual(['visit-1', 'visit-1']);
    expect(p.sent[1]!.body.events.map((e) => e.properties)).toEqual([{ sku: 'a' }, { sku: 'b' }]);
    expect(p.cookieWrites.every((w) => w.startsWith('tracardi-session-id=visit-1;') && w.includes('max-age=1800'))).toBe(true);
  });

  it('keeps one visit id for the life of the page where cookies do not stick (file://, blocked)', async () => {
    const p = page({ cookiesWork: false });
    await settle();
    await p.track('click');
    expect(p.sent).toHaveLength(2);
    expect(p.sent[1]!.body.session.id).toBe(p.sent[0]!.body.session.id);
  });

  it('a single-page navigation is a page view with the engaged time of the view before; a hash alone is not', async () => {
    const p = page();
    await settle();
    p.navigate('/a?utm_source=news&utm_medium=email#faq');
    await settle();
    expect(p.sent).toHaveLength(1);
    p.navigate('/b');
    await settle();
    expect(p.sent).toHaveLength(2);
    const events = p.sent[1]!.body.events;
    expect(events.map((e) => e.type)).toEqual(['engagement', 'page-view']);
    expect(events[0]!.context.page.url).toBe('http://shop.test/a?utm_source=news&utm_medium=email');
    expect(events[1]!.context.page.url).toBe('http://shop.test/b');
    expect(events[1]!.context.page.referer.url).toBe('http://shop.test/a?utm_source=news&utm_medium=email');
  });

  it('on leaving: one beacon with the engaged time, none once the visit cookie expired', async () => {
    const p = page();
    await settle();
    await new Promise((r) => setTimeout(r, 120));
    p.fire('pagehide');
    p.hide();
    p.fire('visibilitychange');
    const beacons = p.sent.filter((s) => s.beacon);
    expect(beacons).toHaveLength(1);
    expect(beacons[0]!.body.events[0]!.type).toBe('engagement');
    expect(beacons[0]!.body.events[0]!.properties!.engagedSeconds).toBeGreaterThanOrEqual(0.1);

    const q = page();
    await settle();
    await new Promise((r) => setTimeout(r, 20));
    q.jar.delete('tracardi-session-id'); // 30 minutes without a send
    q.hide();
    q.fire('visibilitychange');
    expect(q.sent.filter((s) => s.beacon)).toHaveLength(0);
  });

  it('a page restored from the back/forward cache is seen again: a page view', async () => {
    const p = page();
    await settle();
    p.fire('pageshow', { persisted: true });
    await settle();
    expect(p.sent.map((s) => s.body.events[0]!.type)).toEqual(['page-view', 'page-view']);
  });

  it('automatic page views can be turned off: data-auto="false", or settings.autoPageView under Tracardi', async () => {
    const p = page({ attrs: { 'data-source': 'S1', 'data-auto': 'false' } });
    await settle();
    p.navigate('/b');
    await settle();
    expect(p.sent.flatMap((s) => s.body.events.map((e) => e.type))).toEqual(['engagement']);
    await p.track('signup');
    expect(p.sent.at(-1)!.body.events.map((e) => e.type)).toEqual(['signup']);

    const q = page({ tracardi: { tracker: { url: { api: 'http://c' }, source: { id: 'T1' }, settings: { autoPageView: false } } } });
    await settle();
    expect(q.sent).toHaveLength(0);
    expect(q.readyCalls).toHaveLength(1); // the page still hears that the tracker is ready
  });

  it('honours Do-Not-Track only where the site opts in', async () => {
    const p = page({ dnt: true, attrs: { 'data-source': 'S1', 'data-respect-dnt': '' } });
    await settle();
    expect(await p.track('click')).toBeNull();
    p.navigate('/b');
    p.fire('pagehide');
    await settle();
    expect(p.sent).toHaveLength(0);
    expect(p.jar.size).toBe(0);

    const q = page({ dnt: true });
    await settle();
    expect(q.sent).toHaveLength(1);
  });

  it('never throws into the page: storage disabled, collector down, refused, bad arguments', async () => {
    const p = page({ storage: 'throws', fetchFails: true });
    await settle();
    expect(p.sent).toHaveLength(0);
    expect(await p.track('x', 5, 'y')).toBeNull();
    expect(await p.track(undefined)).toBeNull();
    expect(p.errors.some((e) => String(e).startsWith('[Footfall] http://127.0.0.1:8686/track'))).toBe(true);

    const q = page({ status: 401, answer: { detail: 'source.id: unknown event source "S1".' }, storage: 'throws' });
    await settle();
    expect(q.sent[0]!.body.profile).toBeNull();
    expect(q.errors).toContain('[Footfall] 401 source.id: unknown event source "S1".');

    const helpers = (p.win.tracardi as { default: { plugins: { tracardi: { onClick(el: unknown, fn: unknown): unknown } } } }).default.plugins.tracardi;
    expect(() => helpers.onClick({ addEventListener: () => { throw new Error('boom'); } }, () => {})).not.toThrow();
  });

  it("under Tracardi's loader: api from options, the replayed page-view is the only one, onTracardiReady hears the answer", async () => {
    const p = page({ tracardi: { tracker: { url: { script: '//127.0.0.1:8686/tracker', api: '//127.0.0.1:8686/' }, source: { id: 'T1' }, profile: { id: 'fixed' } } } });
    // What the loader does on the script's load event: replay the page's queued calls.
    const tracardi = (p.win.tracardi as { default: { track(...a: unknown[]): unknown; getState(): { plugins: { tracardi: { initialized: boolean } } } } }).default;
    expect(tracardi.getState().plugins.tracardi.initialized).toBe(true);
    void tracardi.track('page-view', { page: 'Home' });
    void tracardi.track('purchase', { total: 3 }, { context: { basket: 2 } });
    await settle();
    expect(p.sent).toHaveLength(1);
    const body = p.sent[0]!.body;
    expect(p.sent[0]!.url).toBe('//127.0.0.1:8686/track');
    expect(body.source).toEqual({ id: 'T1' });
    expect(body.profile).toEqual({ id: 'fixed' });
    expect(body.events.map((e) => [e.type, e.properties])).toEqual([
      ['page-view', { page: 'Home' }],
      ['purchase', { total: 3 }],
    ]);
    expect(body.events[1]!.context).toMatchObject({ basket: 2, page: { url: 'http://shop.test/a?utm_source=news&utm_medium=email' } });
    expect(p.readyCalls).toHaveLength(1);
    expect(p.readyCalls[0]).toMatchObject({ context: { profile: { id: 'P-answer' } }, config: { tracker: { source: { id: 'T1' } } } });
    expect(p.win.tracker).toBe(tracardi);
  });

  it("with Tracardi's options and the script tag but no loader (the desktop app's snippet): window.tracker and onTracardiReady work", async () => {
    const p = page({ loader: false, tracardi: { tracker: { url: { script: 'http://127.0.0.1:8686/tracker', api: 'http://127.0.0.1:8686' }, source: { id: 'T1' } } } });
    const heard: Array<{ context: unknown }> = [];
    (p.win.onTracardiReady as { bind(fn: (x: { context: unknown }) => void): void }).bind((x) => heard.push(x));
    const answer = (await p.track('purchase', { total: 1 })) as { data: unknown };
    expect(p.sent).toHaveLength(1);
    expect(p.sent[0]!.url).toBe('http://127.0.0.1:8686/track');
    expect(p.sent[0]!.body.events.map((e) => e.type)).toEqual(['page-view', 'purchase']);
    await settle();
    expect(heard).toHaveLength(1);
    expect(heard[0]!.context).toEqual(answer.data);
  });

  it("a listener bound to Footfall's own onTracardiReady after the first answer (a page's late deferred script) hears it at once", async () => {
    const p = page({ loader: false, tracardi: { tracker: { url: { script: 'http://127.0.0.1:8686/tracker', api: 'http://127.0.0.1:8686' }, source: { id: 'T1' } } } });
    const answer = (await p.track('purchase', { total: 1 })) as { data: unknown };
    await settle();
    const heard: Array<{ context: unknown }> = [];
    (p.win.onTracardiReady as { bind(fn: (x: { context: unknown }) => void): void }).bind((x) => heard.push(x));
    expect(heard).toHaveLength(1);
    expect(heard[0]!.context).toEqual(answer.data);
  });
});
