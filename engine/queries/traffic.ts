import { CLS } from '../db/rows';

/**
 * Which traffic a list shows, as SQL: the one place the lists decide it. A person's session
 * is neither a bot's nor the debug session; a profile is a bot's when it has a bot's visit
 * and no visit of a person. (The traffic classes to come, person / automation / bot /
 * debug, widen these two.)
 */

/** A session of a person; `s` is the sessions table's alias. */
export const personSession = (s: string): string => `${s}.debug = 0 AND ${s}.bot = 0`;

/**
 * A profile that only bots made; `p` is the profiles table's alias. Both lookups read the
 * covering index of sessions by profile (sessions_profile_visitor): a few entries a profile.
 */
export const botOnlyProfile = (p: string): string =>
  `(EXISTS (SELECT 1 FROM sessions b WHERE b.profile_pk = ${p}.pk AND b.bot = 1)
    AND NOT EXISTS (SELECT 1 FROM sessions h WHERE h.profile_pk = ${p}.pk AND ${personSession('h')}))`;

/** Which traffic a request counts (today's `bots` / `debug` switches). */
export interface TrafficChoice {
  bots: boolean;
  debug: boolean;
}

/**
 * The stored traffic classes a request counts, as a bit mask over CLS (bit 1 << cls). Every
 * explore query asks this one function; when requests name classes (`traffic=`), this is
 * the function that changes.
 */
export function trafficMask(r: TrafficChoice, figures: 'events' | 'sessions'): number {
  let mask = 1 << CLS.people;
  if (r.bots) mask |= 1 << CLS.bot;
  // Debug traffic shows in event figures only: the debug session is never a visit.
  if (r.debug && figures === 'events') mask |= 1 << CLS.debug;
  return mask;
}
