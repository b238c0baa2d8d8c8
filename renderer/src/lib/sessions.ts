import type { SessionView } from '../../../shared/api';
import { pageKey, parseUrl } from '../../../shared/rules';

/** The path of a page URL, for narrow table cells; the whole URL goes in a title. */
export function pagePath(url: string | null): string {
  if (url === null || url === '') return '–';
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

/** A page URL as the stats name pages, `host/path` (shared/rules.ts `pageKey`). */
export function pageKeyOf(url: string | null): string | null {
  if (url === null || url === '') return null;
  return pageKey(parseUrl(url), url);
}

/** Where a visit came from, in a few words: "search · google.com", "email · newsletter". */
export function trafficSource(s: SessionView): string {
  const from = s.utm.source ?? s.context.referrer.host;
  return from ? `${s.context.channel} · ${from}` : s.context.channel;
}
