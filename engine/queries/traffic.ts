import { CLS } from '../stats/rollups';

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
