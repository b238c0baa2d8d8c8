/// <reference lib="dom" />
// DOM types for this browser file only: the rest of the node project never reads them
// (this file imports nothing and is imported by nothing but the build).

/**
 * Footfall's browser tracker, served by the collector as `/tracker/liliput.min.js` (and
 * `/tracker.js`). Dependency-free, built by scripts/build-tracker.mjs.
 *
 * Two ways to load it:
 * - Footfall's own tag: `<script defer src="//HOST:PORT/tracker.js" data-source="SOURCE_ID"></script>`
 *   (`data-api` overrides the collector address, `data-respect-dnt` honours Do-Not-Track,
 *   `data-auto="false"` turns automatic page views off).
 * - Tracardi's loader snippet, unchanged but for `url.script` and `url.api`: the loader
 *   inserts this script and, on its `load` event, replays the calls the page queued on
 *   `window.tracker.track(...)` into `window.tracardi.default`, which this file provides.
 *
 * It keeps Tracardi's names: the visit id in the `tracardi-session-id` cookie (30 minutes,
 * renewed by each send), the profile id in localStorage `tracardi-profile-id` (JSON, as
 * Tracardi's storage-utils writes it) and taken from every /track answer.
 *
 * Nothing here may throw into the host page: every entry point is wrapped.
 */

type Bag = Record<string, unknown>;

interface TrackOptions {
  /** Send with navigator.sendBeacon (survives the page being closed; no answer). */
  asBeacon?: boolean;
  /** Merged into the event's context (Tracardi's `options.context`). */
  context?: Bag;
  [key: string]: unknown;
}

interface TracardiConfig {
  url?: { api?: string; script?: string };
  source?: { id?: string };
  profile?: { id?: string } | null;
  settings?: { respectDoNotTrack?: boolean; autoPageView?: boolean };
}

interface TrackerEvent {
  type: string;
  properties?: Bag;
  options?: Bag;
  context: Bag;
}

/** A fetch Response with the parsed JSON answer as `.data`, as Tracardi's helpers return it. */
type Answer = Response & { data?: { profile?: { id?: string }; detail?: string } & Bag };

interface ReadyParams {
  tracker: unknown;
  helpers: unknown;
  context: unknown;
  config: unknown;
}

interface ReadyHub {
  bind(fn: (p: ReadyParams) => void): void;
  call(p: ReadyParams): void;
}

// Tracardi's snippet declares `const options = {tracker: {...}}` at the top level of a
// classic script: a global binding, but not a property of window.
declare const options: { tracker?: TracardiConfig } | undefined;

declare global {
  interface Window {
    tracker?: unknown;
    tracardi?: unknown;
    onTracardiReady?: Partial<ReadyHub>;
    response?: { context?: Bag };
  }
}

const SESSION_COOKIE = 'tracardi-session-id';
const PROFILE_KEY = 'tracardi-profile-id';
const SESSION_SECONDS = 1800;
const PAGE_VIEW = 'page-view';

(() => {
  const w = window;
  const d = document;
  const nav = navigator;
  const loc = location;
  const now = () => Date.now();
  /** The page's URL without its hash: a hash change alone is no new page. */
  const here = () => loc.href.replace(/#.*/, '');

  /** Runs `fn`, swallowing anything it throws: the host page must never see our errors. */
  const safe =
    <A extends unknown[], R>(fn: (...a: A) => R, fallback?: R) =>
    (...a: A): R => {
      try {
        return fn(...a);
      } catch {
        return fallback as R;
      }
    };

  const script = d.currentScript;
  const attr = (name: string): string | null => script?.getAttribute(`data-${name}`) ?? null;
  let tracardi: TracardiConfig | undefined;
  try {
    tracardi = options?.tracker;
  } catch {
    // No Tracardi snippet on this page: `options` is not declared at all.
  }
  const own = attr('source');
  const sourceId = own ?? tracardi?.source?.id;
  const api = (own !== null ? (attr('api') ?? (script ? new URL((script as HTMLScriptElement).src).origin : '')) : (tracardi?.url?.api ?? '')).replace(/\/+$/, '') + '/track';
  const respectDnt = own !== null ? attr('respect-dnt') !== null : tracardi?.settings?.respectDoNotTrack === true;
  const off = !sourceId || (respectDnt && nav.doNotTrack === '1');
  const auto = own !== null ? attr('auto') !== 'false' : tracardi?.settings?.autoPageView !== false;
  if (!sourceId) console.error('[Footfall] no source id');

  // ---- identity: Tracardi's cookie and storage names -----------------------------------

  const uuid = (): string =>
    '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (c) => (+c ^ (crypto.getRandomValues(new Uint8Array(1))[0]! & (15 >> (+c / 4)))).toString(16));

  const readCookie = (): string | undefined => d.cookie.match(/(?:^|;\s*)tracardi-session-id=([^;]+)/)?.[1];
  /** Where cookies do not stick (file://, blocked), the id lives as long as the page. */
  let memorySession = '';
  let cookieless = false;

  /** The visit id: the cookie's, or a new one once it expired; each call renews the cookie. */
  const sessionId = (): string => {
    const id = readCookie() || (cookieless && memorySession) || uuid();
    d.cookie = `${SESSION_COOKIE}=${id};path=/;max-age=${SESSION_SECONDS};samesite=lax`;
    cookieless = readCookie() !== id;
    return (memorySession = id);
  };

  const store = safe((): Storage => localStorage);
  const profileId = safe((): string | null => {
    const forced = tracardi?.profile?.id;
    if (forced) return forced;
    const raw = store()?.getItem(PROFILE_KEY);
    return raw ? (raw[0] === '"' ? (JSON.parse(raw) as string) : raw) : null;
  }, null);
  const keepProfile = safe((id: string) => store()?.setItem(PROFILE_KEY, JSON.stringify(id)));

  // ---- what each request carries -------------------------------------------------------

  const utm = (): Bag | undefined => {
    const q = new URLSearchParams(loc.search);
    let found: Bag | undefined;
    for (const k of 'source medium campaign term content'.split(' ')) {
      const v = q.get(`utm_${k}`);
      if (v) (found ??= {})[k] = v;
    }
    return found;
  };

  /** The page as Tracardi describes it; `referrer` is the previous page on SPA navigation. */
  const pageInfo = (referrer: string): Bag => ({ url: loc.href, title: d.title, referer: { url: referrer || null } });

  const payload = (events: TrackerEvent[]): Bag => {
    const profile = profileId();
    const context: Bag = {
      time: { tz: Intl.DateTimeFormat().resolvedOptions().timeZone },
      browser: { userAgent: nav.userAgent, language: nav.language },
      screen: { width: screen.width, height: screen.height },
    };
    const tags = utm();
    if (tags) context.utm = tags;
    return {
      source: { id: sourceId },
      session: { id: sessionId() },
      profile: profile ? { id: profile } : null,
      context,
      // Tracardi's tracker sends `window.response.context` (e.g. {profile: true}) here.
      options: w.response?.context,
      events,
    };
  };

  // ---- sending -------------------------------------------------------------------------

  /**
   * POSTs events as text/plain JSON: a "simple" request, so no CORS preflight. keepalive
   * lets a page-view in flight survive the visitor clicking the next link at once.
   */
  const post = safe((events: TrackerEvent[], beacon?: boolean): Promise<Answer | null> => {
    const body = JSON.stringify(payload(events));
    if (beacon && nav.sendBeacon?.(api, body)) return Promise.resolve(null);
    return fetch(api, { method: 'POST', body, keepalive: true })
      .then(async (r: Answer) => {
        r.data = await r.json();
        const id = r.data?.profile?.id;
        if (r.ok && id) keepProfile(id);
        if (!r.ok) console.error('[Footfall]', r.status, r.data?.detail);
        return r;
      })
      .catch((e: unknown) => {
        console.error('[Footfall]', api, e);
        return null;
      });
  }, Promise.resolve(null));

  let queue: TrackerEvent[] = [];
  /** The answer of the request the next flush makes, shared by every call of this turn. */
  let next: Promise<Answer | null> | null = null;
  let started = false;
  let referrer = d.referrer;
  /** The page of the last page view: engaged time is reported against it. */
  let current = pageInfo(referrer);
  let lastUrl = here();

  const makeEvent = (type: string, properties?: Bag, opts?: TrackOptions, page?: Bag): TrackerEvent => ({
    type,
    properties,
    options: opts,
    context: { page: page ?? pageInfo(referrer), ...opts?.context },
  });

  /** Sends what was queued in this turn of the event loop as one request. */
  const flush = (): Promise<Answer | null> => {
    const events = queue;
    queue = [];
    next = null;
    if (started) return events.length ? post(events) : Promise.resolve(null);
    // The first flush runs after Tracardi's loader replayed the page's queued calls (it
    // does so on this script's load event, before any timer), so a page that tracks its
    // own page-view does not get a second one.
    started = true;
    if (auto && !events.some((e) => e.type === PAGE_VIEW)) events.unshift(makeEvent(PAGE_VIEW, {}, undefined, current));
    const first = events.length ? post(events) : Promise.resolve(null);
    void first.then(safe((r: Answer | null) => hub.call?.({ tracker: trackerApi, helpers, context: r?.data ?? null, config: { tracker: tracardi ?? { source: { id: sourceId }, url: { api } } } })));
    return first;
  };

  const schedule = (): Promise<Answer | null> => (next ??= new Promise((resolve) => setTimeout(() => resolve(flush()), 0)));

  /** `tracker.track(type, properties, options)`, Tracardi's signature. Resolves the answer (null on failure). */
  const track = safe((type: string, properties?: Bag, opts?: TrackOptions): Promise<Answer | null> => {
    if (off) return Promise.resolve(null);
    const ev = makeEvent(type, properties, opts);
    if (opts?.asBeacon) return post([ev], true);
    queue.push(ev);
    return schedule();
  }, Promise.resolve(null));

  // ---- engaged time: reported when the page is hidden or left --------------------------

  let visibleSince = d.visibilityState === 'visible' ? now() : 0;

  /** Visible time on the current page since the last report, and restart the count. */
  const takeEngaged = (): number => {
    const ms = visibleSince ? now() - visibleSince : 0;
    visibleSince = d.visibilityState === 'visible' ? now() : 0;
    return ms;
  };

  const engagement = (ms: number): TrackerEvent => makeEvent('engagement', { engagedSeconds: Math.round(ms / 100) / 10 }, undefined, current);

  /**
   * On hide or leave: a beacon with the engaged time, which moves the visit's last
   * activity, so a one-page visit gets a real duration. Skipped once the visit cookie
   * expired: the visit is over, and a lone beacon would open a visit with no page in it.
   */
  const leave = safe((): void => {
    const ms = takeEngaged();
    // pagehide and visibilitychange both come on leaving, the page may still count as
    // visible during the first: nothing more is engaged until it is shown again.
    visibleSince = 0;
    if (off || ms < 1 || !started || (!cookieless && !readCookie())) return;
    post([engagement(ms)], true);
  });

  // ---- single-page apps and the back/forward cache --------------------------------------

  /** A page view for a new URL (the hash alone does not count), with the engaged time of the last one. */
  const navigated = safe((): void => {
    const url = here();
    if (url === lastUrl) return;
    referrer = lastUrl;
    lastUrl = url;
    const ms = takeEngaged();
    if (!off && ms > 0) {
      queue.push(engagement(ms));
      void schedule();
    }
    current = pageInfo(referrer);
    if (auto) void track(PAGE_VIEW);
  });

  if (!off) {
    for (const m of ['pushState', 'replaceState'] as const) {
      const original = history[m];
      history[m] = function (this: History, ...args: Parameters<History['pushState']>) {
        const r = original.apply(this, args);
        // A tick later: routers set the new title right after changing the URL.
        setTimeout(navigated, 0);
        return r;
      };
    }
    addEventListener('popstate', () => setTimeout(navigated, 0));
    addEventListener('pagehide', leave);
    addEventListener(
      'pageshow',
      safe((e: PageTransitionEvent) => {
        // Restored from the back/forward cache: the visitor sees the page again.
        if (e.persisted) {
          visibleSince = now();
          if (auto) void track(PAGE_VIEW);
        }
      }),
    );
    d.addEventListener(
      'visibilitychange',
      safe(() => {
        if (d.visibilityState === 'hidden') leave();
        else visibleSince = now();
      }),
    );
  }

  // ---- the API: Tracardi's names ------------------------------------------------------

  const listen = (el: EventTarget | null, type: string, fn: EventListener): (() => void) => {
    el?.addEventListener(type, fn);
    return () => el?.removeEventListener(type, fn);
  };
  const helpers = {
    track,
    onClick: safe((el: EventTarget | null, fn: EventListener) => listen(el, 'click', fn)),
    addListener: safe(listen),
  };
  const trackerApi = {
    track,
    plugins: { tracardi: helpers },
    // Tracardi's loader checks `getState().plugins.tracardi.initialized` before replaying.
    getState: () => ({ plugins: { tracardi: { initialized: true } } }),
  };

  // Listeners bound to window.onTracardiReady hear about the first answer. Tracardi's
  // loader defines that hub; for Footfall's own tag this file does. A listener bound after
  // the answer came (a page's deferred script that loaded late) hears it at once.
  const listeners: Array<(p: ReadyParams) => void> = [];
  let ready: ReadyParams | undefined;
  const hub: Partial<ReadyHub> = w.onTracardiReady?.bind
    ? w.onTracardiReady
    : (w.onTracardiReady = {
        bind: (fn) => (ready ? safe(fn)(ready) : listeners.push(fn)),
        call: (p) => {
          ready = p;
          listeners.forEach((fn) => safe(fn)(p));
        },
      });

  // Tracardi's loader sets window.tracker to window.tracardi.default itself once this has
  // loaded; without the loader (options + this script tag) this does it.
  w.tracardi = { default: trackerApi };
  w.tracker = trackerApi;
  if (!off) schedule();
})();

export {};
