import { CLS } from '../db/rows';
import { TRAFFIC_CLASSES, type TrafficClassName } from '../../shared/traffic';

/**
 * Which traffic a list or a chart counts, as SQL: the one place the queries turn a set of
 * traffic classes (person, automation, bot, debug) into a condition. Codes are written as
 * literals (they come from this fixed list, never from a request), so SQLite can match the
 * partial indexes that name them.
 */

/** The classes a request counts (parsed in engine/http/traffic.ts). */
export type TrafficSet = ReadonlySet<TrafficClassName>;

export const ALL_TRAFFIC: TrafficSet = new Set(TRAFFIC_CLASSES);

const codes = (set: TrafficSet): number[] => TRAFFIC_CLASSES.filter((c) => set.has(c)).map((c) => CLS[c]);

/** The rollups' classes as a bit mask, for `((1 << cls) & mask) != 0` (and explore's event columns). */
export function trafficMask(set: TrafficSet): number {
  let mask = 0;
  for (const c of codes(set)) mask |= 1 << c;
  return mask;
}

/** The same for visits: the debug session is never one (see visitTraffic), so never its class. */
export function visitMask(set: TrafficSet): number {
  return trafficMask(set) & ~(1 << CLS.debug);
}

/** `alias.traffic IN (...)`, or a condition always true (or false) for every class (or none). */
function inSet(alias: string, set: TrafficSet): string {
  const list = codes(set);
  if (list.length === TRAFFIC_CLASSES.length) return '1';
  if (list.length === 0) return '0';
  return `${alias}.traffic IN (${list.join(', ')})`;
}

/** A session of one of the classes; `s` is the sessions table's alias. */
export const sessionTraffic = (s: string, set: TrafficSet): string => inSet(s, set);

/**
 * A visit of one of the classes: the debug session is never counted as a visit (the engine
 * keeps it out of agg_sessions too), so debug traffic shows in event figures only.
 */
export function visitTraffic(s: string, set: TrafficSet): string {
  const visits = new Set(set);
  visits.delete('debug');
  return inSet(s, visits);
}

/**
 * An event of one of the classes; `e` is the events table's alias. Bots' and debug events
 * are found through their own partial index (events_rare_traffic, 009) when only they are
 * asked for, or counted: its condition must then appear as written.
 */
export function eventTraffic(e: string, set: TrafficSet): string {
  const cond = inSet(e, set);
  const rare = !set.has('person') && !set.has('automation') && set.size > 0;
  return rare ? `${e}.traffic IN (${CLS.bot}, ${CLS.debug}) AND ${cond}` : cond;
}

/**
 * A profile shown for the classes: one with a visit of one of them, one made by debug
 * traffic when debug is asked for, and one whose visits are all gone (retention), which has
 * no class left to hide it by. `p` is the profiles table's alias; each lookup reads the
 * covering index of sessions by profile (sessions_profile_traffic): a few entries a profile.
 */
export function profileTraffic(p: string, set: TrafficSet): string {
  if (codes(set).length === TRAFFIC_CLASSES.length) return '1';
  const terms = [`EXISTS (SELECT 1 FROM sessions v WHERE v.profile_pk = ${p}.pk AND ${visitTraffic('v', set)})`];
  if (set.has('debug')) terms.push(`${p}.debug = 1`);
  terms.push(`(${p}.debug = 0 AND NOT EXISTS (SELECT 1 FROM sessions n WHERE n.profile_pk = ${p}.pk))`);
  return `(${terms.join(' OR ')})`;
}

/** A profile that only bots made: a bot's visit and no visit of a person or of automation. */
export const botOnlyProfile = (p: string): string =>
  `(EXISTS (SELECT 1 FROM sessions b WHERE b.profile_pk = ${p}.pk AND b.traffic = ${CLS.bot})
    AND NOT EXISTS (SELECT 1 FROM sessions h WHERE h.profile_pk = ${p}.pk AND h.traffic IN (${CLS.person}, ${CLS.automation})))`;

/** The classes a request left out: what a view says it hides. */
export function leftOut(set: TrafficSet): TrafficClassName[] {
  return TRAFFIC_CLASSES.filter((c) => !set.has(c));
}
