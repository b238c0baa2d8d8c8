import { z } from 'zod';
import { ALL_TRAFFIC, type TrafficSet } from '../queries/traffic';
import { DEFAULT_TRAFFIC, isTrafficClass, TRAFFIC_CLASSES, type TrafficClassName } from '../../shared/traffic';
import { boolParam } from './query';

/**
 * `traffic=person,automation,...`: the traffic classes a list, a chart or the live stream
 * counts (`all` for every one). The older `bots=true` (lists: `bot=true`) and `debug=true`
 * add bot and debug to it; `=false` takes them out.
 */
const trafficList = z
  .string()
  .max(64)
  .transform((v, ctx) => {
    const names = v.split(',').map((x) => x.trim()).filter((x) => x !== '');
    if (names.length === 1 && names[0] === 'all') return [...TRAFFIC_CLASSES];
    const wrong = names.find((n) => !isTrafficClass(n));
    if (wrong !== undefined) {
      ctx.addIssue({ code: 'custom', message: `"${wrong}" is not a traffic class (give a comma list of ${TRAFFIC_CLASSES.join(', ')}, or all)` });
      return z.NEVER;
    }
    return names as TrafficClassName[];
  });

export const trafficParams = {
  traffic: trafficList.optional(),
  bots: boolParam.optional(),
  bot: boolParam.optional(),
  debug: boolParam.optional(),
};

export interface TrafficQuery {
  traffic?: TrafficClassName[] | undefined;
  bots?: boolean | undefined;
  bot?: boolean | undefined;
  debug?: boolean | undefined;
}

/**
 * The classes a request counts: `traffic` (else person and automation), adjusted by the
 * older flags. `whole` is for a list narrowed to one session or profile by id: that one's
 * traffic is what it is, so every class is counted unless the request names some.
 */
export function trafficSet(q: TrafficQuery, whole = false): TrafficSet {
  const set = new Set<TrafficClassName>(q.traffic ?? (whole ? ALL_TRAFFIC : DEFAULT_TRAFFIC));
  const bot = q.bots ?? q.bot;
  if (bot === true) set.add('bot');
  if (bot === false) set.delete('bot');
  if (q.debug === true) set.add('debug');
  if (q.debug === false) set.delete('debug');
  return set;
}

/** The query without its traffic parameters (what a list's other filters are). */
export function withoutTraffic<T extends TrafficQuery>(q: T): Omit<T, keyof TrafficQuery> {
  const { traffic: _t, bots: _bs, bot: _b, debug: _d, ...rest } = q;
  return rest;
}
