import { DEFAULT_TRAFFIC, isTrafficClass, noTraffic, orderedTraffic, TRAFFIC_CLASSES, type TrafficClassName, type TrafficCounts } from '../../../shared/traffic';
import { num } from './format';

/**
 * Which traffic the dashboard shows: the one place it turns the filter control (people,
 * automation, bots, debug) into the URL's `traffic` parameter, the API's, and, for what it
 * filters itself (the Live view's stream), into a test of each message.
 */

export type TrafficSet = ReadonlySet<TrafficClassName>;

export const DEFAULT_SET: TrafficSet = new Set(DEFAULT_TRAFFIC);

/** The labels of the filter control, in its order. */
export const TRAFFIC_CONTROL: ReadonlyArray<{ cls: TrafficClassName; label: string; hint: string }> = [
  { cls: 'person', label: 'People', hint: 'Browsers driven by a person' },
  { cls: 'automation', label: 'Automation', hint: 'Your own tests and tools: headless or driven browsers (Playwright, Cypress, Puppeteer, Selenium) and HTTP clients (curl, Postman, fetch, axios, requests…)' },
  { cls: 'bot', label: 'Bots', hint: 'Crawlers, monitors and link previewers' },
  { cls: 'debug', label: 'Debug', hint: "The simulator's events and any sent with options.debugger" },
];

/**
 * The classes a view's URL asks for: `traffic=person,bot` (`all` for every one), the older
 * `all=1` (every class), else people and automation.
 */
export function trafficFromParams(p: URLSearchParams): TrafficSet {
  const raw = p.get('traffic');
  if (raw !== null) {
    if (raw === 'all') return new Set(TRAFFIC_CLASSES);
    return new Set(raw.split(',').filter(isTrafficClass));
  }
  return p.get('all') === '1' ? new Set(TRAFFIC_CLASSES) : DEFAULT_SET;
}

/** The URL's (and the API's) `traffic` value for a set: null for the default, which the URL leaves out. */
export function trafficParam(set: TrafficSet): string | null {
  const list = orderedTraffic(set);
  if (list.length === DEFAULT_TRAFFIC.length && DEFAULT_TRAFFIC.every((c) => set.has(c))) return null;
  return list.length === TRAFFIC_CLASSES.length ? 'all' : list.join(',');
}

/** The API's `traffic` value, always given (the default spelled out). */
export const apiTraffic = (set: TrafficSet): string => trafficParam(set) ?? DEFAULT_TRAFFIC.join(',');

/** Whether a session or event is shown: by its own class. */
export const shown = (m: { traffic: TrafficClassName }, set: TrafficSet): boolean => set.has(m.traffic);

const ADJ: Record<TrafficClassName, string> = { person: 'people’s', automation: 'automation', bot: 'bot', debug: 'debug' };

/** "3 bot sessions": a count, the class, the noun in its number. */
const counted = (n: number, c: TrafficClassName, noun: string): string => `${num(n)} ${ADJ[c]} ${n === 1 ? noun : `${noun}s`}`;

/**
 * What a view leaves out, as a phrase: "3 bot sessions and 1 debug session", null when
 * nothing. `extra` names what a class left out is counted in where it has none of `noun`
 * (debug traffic is events, hardly sessions: "12 debug events").
 */
export function hiddenPhrase(counts: TrafficCounts, noun: string, extra?: { counts: TrafficCounts; noun: string }): string | null {
  const parts: string[] = [];
  for (const c of TRAFFIC_CLASSES) {
    if (counts[c] > 0) parts.push(counted(counts[c], c, noun));
    else if (extra && extra.counts[c] > 0) parts.push(counted(extra.counts[c], c, extra.noun));
  }
  if (parts.length === 0) return null;
  return parts.length === 1 ? parts[0]! : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]!}`;
}

/** The classes with something hidden: what "show" adds. */
export const withHidden = (set: TrafficSet, counts: TrafficCounts, extra?: TrafficCounts): TrafficSet =>
  new Set([...set, ...TRAFFIC_CLASSES.filter((c) => counts[c] > 0 || (extra?.[c] ?? 0) > 0)]);

/** How many of `classes` (one a row) the set leaves out, by class. */
export function countHidden(classes: readonly TrafficClassName[], set: TrafficSet): TrafficCounts {
  const counts = noTraffic();
  for (const c of classes) if (!set.has(c)) counts[c]++;
  return counts;
}
