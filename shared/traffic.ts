/**
 * Traffic classes: who made a visit. Decided once, when the visit starts, and kept on the
 * session and each of its events (`metadata.traffic`).
 *
 * - `person`: a browser driven by a person.
 * - `automation`: the user's own tests and tools: headless or driven browsers (the tracker
 *   reports `navigator.webdriver`) and HTTP clients and libraries (curl, Postman, Node's fetch, …).
 * - `bot`: crawlers, monitors, link previewers and other robots.
 * - `debug`: debug events (the simulator, `options.debugger`).
 */
export const TRAFFIC_CLASSES = ['person', 'automation', 'bot', 'debug'] as const;
export type TrafficClassName = (typeof TRAFFIC_CLASSES)[number];

/** What every list, chart and the live stream show unless asked otherwise: people and the user's own automation. */
export const DEFAULT_TRAFFIC: readonly TrafficClassName[] = ['person', 'automation'];

export const isTrafficClass = (v: string): v is TrafficClassName => (TRAFFIC_CLASSES as readonly string[]).includes(v);

/** Classes in their canonical order, each once. */
export function orderedTraffic(set: Iterable<TrafficClassName>): TrafficClassName[] {
  const has = new Set(set);
  return TRAFFIC_CLASSES.filter((c) => has.has(c));
}

/** A count for each class (the overview's `hidden`, a list's hidden rows). */
export type TrafficCounts = Record<TrafficClassName, number>;

export const noTraffic = (): TrafficCounts => ({ person: 0, automation: 0, bot: 0, debug: 0 });

/** The plural noun of a class in a sentence: "3 bot sessions hidden". */
export const TRAFFIC_LABELS: Record<TrafficClassName, string> = { person: 'people', automation: 'automation', bot: 'bots', debug: 'debug' };
