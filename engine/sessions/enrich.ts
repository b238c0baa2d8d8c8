import UAParser from 'ua-parser-js';
import { CLS, type TrafficClass } from '../db/rows';
import { userAgentClass } from './classify';
import { pageKey, parseUrl } from '../../shared/rules';

/** What the user agent says, as Footfall stores it on a session. */
export interface UserAgentInfo {
  browser: string | null;
  browserVersion: string | null;
  os: string | null;
  osVersion: string | null;
  /** desktop | mobile | tablet | console | smarttv | wearable | embedded (a bot's visit is stored as `bot`) */
  device: string;
  deviceBrand: string | null;
  deviceModel: string | null;
  /** The class the agent alone gives (classify.ts): person, automation or bot. */
  cls: TrafficClass;
}

const UA_CACHE_MAX = 5000;

/**
 * An HTTP tool's own name and version (`curl/8.5.0`, `python-requests/2.32`, `node`): what
 * the browsers chart shows for an agent that is no browser.
 */
const TOOL = /^([^\s/()]+)(?:\/v?([\w.]+))?/;
const uaCache = new Map<string, UserAgentInfo>();

/**
 * Parses a user agent (cached: a test site sends the same few agents over and over, and
 * parsing is the most expensive step of an event after the commit).
 */
export function parseUserAgent(ua: string): UserAgentInfo {
  const hit = uaCache.get(ua);
  if (hit) return hit;
  const r = new UAParser(ua).getResult();
  const cls = userAgentClass(ua);
  const tool = r.browser.name === undefined && cls !== CLS.person ? TOOL.exec(ua) : null;
  const info: UserAgentInfo = {
    browser: r.browser.name ?? tool?.[1] ?? null,
    browserVersion: r.browser.version ?? tool?.[2] ?? null,
    os: r.os.name ?? null,
    osVersion: r.os.version ?? null,
    device: r.device.type ?? 'desktop',
    deviceBrand: r.device.vendor ?? null,
    deviceModel: r.device.model ?? null,
    cls,
  };
  if (uaCache.size >= UA_CACHE_MAX) uaCache.clear();
  uaCache.set(ua, info);
  return info;
}

/** `v` if it is a JSON object (not an array), else null. */
export function asObject(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** `v` if it is a non-empty string, cut to `max` characters, as sent (not trimmed); else null. */
export function asString(v: unknown, max = 256): string | null {
  return typeof v === 'string' && v !== '' ? v.slice(0, max) : null;
}

/**
 * The browser part of a payload's context, in either shape trackers send: flat
 * (`browser.userAgent`, `screen.width`: Footfall's tracker, hand-written payloads) or
 * Tracardi's tracker's (`browser.local.browser.userAgent`, `screen.local.width`).
 */
export function browserContext(ctx: Record<string, unknown>): {
  userAgent: string | null;
  language: string | null;
  screen: { width: number; height: number } | null;
  /** `navigator.webdriver` as the tracker reports it: the browser is driven by a test tool. */
  webdriver: boolean;
} {
  const browser = asObject(ctx.browser);
  const local = asObject(asObject(browser?.local)?.browser);
  const screen = asObject(ctx.screen);
  const localScreen = asObject(screen?.local);
  const pick = (key: string): unknown => browser?.[key] ?? local?.[key];
  const width = screen?.width ?? localScreen?.width;
  const height = screen?.height ?? localScreen?.height;
  return {
    userAgent: str(pick('userAgent'), 1024),
    language: str(pick('language'), 35),
    screen: typeof width === 'number' && typeof height === 'number' ? { width, height } : null,
    webdriver: pick('webdriver') === true,
  };
}

export interface Utm {
  source: string | null;
  medium: string | null;
  campaign: string | null;
  term: string | null;
  content: string | null;
}

const UTM_KEYS = ['source', 'medium', 'campaign', 'term', 'content'] as const;

function str(v: unknown, max = 512): string | null {
  if (typeof v === 'string') {
    const s = v.trim();
    return s === '' ? null : s.slice(0, max);
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

/** UTM tags from `context.utm` (Tracardi's tracker) or, failing that, from the page URL's query. */
export function extractUtm(url: URL | null, contextUtm: unknown): Utm {
  const utm: Utm = { source: null, medium: null, campaign: null, term: null, content: null };
  const ctx = contextUtm !== null && typeof contextUtm === 'object' ? (contextUtm as Record<string, unknown>) : null;
  for (const k of UTM_KEYS) {
    utm[k] = str(ctx?.[k]) ?? str(ctx?.[`utm_${k}`]) ?? (url ? str(url.searchParams.get(`utm_${k}`)) : null);
  }
  return utm;
}

export { pageKey, parseUrl };

const PAGE_KEY_CACHE_MAX = 10_000;
const pageKeys = new Map<string, string | null>();

/**
 * `pageKey` of a page URL, cached: a site has a few hundred pages, and parsing the same URL
 * for every page view and every ended session was a measurable part of both.
 */
export function pageKeyOf(raw: string | null): string | null {
  if (raw === null) return null;
  let key = pageKeys.get(raw);
  if (key === undefined) {
    key = pageKey(parseUrl(raw), raw);
    if (pageKeys.size >= PAGE_KEY_CACHE_MAX) pageKeys.clear();
    pageKeys.set(raw, key);
  }
  return key;
}

export type Channel = 'direct' | 'search' | 'social' | 'email' | 'campaign' | 'referral';

const SEARCH = /(^|\.)(google|bing|duckduckgo|yahoo|yandex|baidu|ecosia|qwant|startpage|search\.brave|brave|naver|seznam|ask|aol|sogou|so\.com|kagi)\.|^search\./;
const SOCIAL = /(^|\.)(facebook|fb|instagram|twitter|x|t|linkedin|lnkd|reddit|pinterest|tiktok|youtube|youtu|mastodon|threads|bsky|bluesky|tumblr|vk|weibo|snapchat|telegram|whatsapp|discord|news\.ycombinator)\.(com|co|me|net|org|app|social|in|ru|be|it)$/;
const EMAIL_HOST = /(^|\.)(mail\.google|outlook\.live|mail\.yahoo|mail\.proton|protonmail|fastmail|gmx|mail\.ru|webmail)\./;
const EMAIL_TAG = /^(e-?mail|newsletter)$/i;
const SOCIAL_TAG = /^(social|social-network|social-media|sm|social network|social media)$/i;
const SEARCH_TAG = /^(organic|search)$/i;

/**
 * The channel a visit came from, in the spirit of GA4's default channel groups:
 * tagged email and social first, then tags of any campaign, then the referrer's kind.
 */
export function classifyChannel(utm: Utm, referrerHost: string | null): Channel {
  const medium = utm.medium ?? '';
  const source = utm.source ?? '';
  if (EMAIL_TAG.test(medium) || EMAIL_TAG.test(source) || (referrerHost && EMAIL_HOST.test(referrerHost))) return 'email';
  if (SOCIAL_TAG.test(medium) || (referrerHost && SOCIAL.test(referrerHost))) return 'social';
  if (SEARCH_TAG.test(medium) || (!utm.medium && !utm.campaign && referrerHost && SEARCH.test(referrerHost))) return 'search';
  if (utm.medium || utm.campaign || utm.source) return 'campaign';
  if (referrerHost) return 'referral';
  return 'direct';
}

/** The referring host of a page context (Tracardi sends `page.referer.host`), unless it is the site itself. */
export function referrerHost(page: Record<string, unknown> | null, pageUrl: URL | null): string | null {
  if (!page) return null;
  const ref = page.referer ?? page.referrer;
  let host: string | null = null;
  if (typeof ref === 'string') host = parseUrl(ref)?.host ?? null;
  else if (ref !== null && typeof ref === 'object') {
    const r = ref as Record<string, unknown>;
    host = str(r.host) ?? parseUrl(r.url)?.host ?? parseUrl(r.href)?.host ?? null;
  }
  if (!host) return null;
  host = host.toLowerCase().replace(/^www\./, '');
  if (pageUrl && pageUrl.host.toLowerCase().replace(/^www\./, '') === host) return null;
  return host;
}
