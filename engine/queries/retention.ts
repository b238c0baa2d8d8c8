import type { ExploreData } from '../explore/data';
import { DAY_MS, HOUR_MS } from '../../shared/rules';
import { hourRange, sessionsInRange } from './figures';
import type { StatsRequest } from './stats';
import { visitMask } from './traffic';
import { LocalHours } from './tz';
import type { RetentionInterval, RetentionStats } from '../../shared/explore';

/** Local days or ISO weeks (Monday first) of a zone, numbered since the epoch. */
class Periods {
  private readonly tzh: LocalHours;
  constructor(
    tz: string,
    private readonly interval: RetentionInterval,
  ) {
    this.tzh = new LocalHours(tz);
  }

  of(ms: number): number {
    const day = this.tzh.localDay(Math.floor(ms / HOUR_MS));
    // Local day 0 (1970-01-01) was a Thursday: day + 3 counts from the Monday before it.
    return this.interval === 'day' ? day : Math.floor((day + 3) / 7);
  }

  /** The UTC instant period `p` starts at: its first local midnight. */
  start(p: number): number {
    const day = this.interval === 'day' ? p : p * 7 - 3;
    const guess = day * DAY_MS - this.tzh.offsetAt(Math.floor((day * DAY_MS) / HOUR_MS));
    // Near a change of offset the guess can land an hour off: take the first hour of that local day.
    for (let h = Math.floor(guess / HOUR_MS) - 2; h <= Math.floor(guess / HOUR_MS) + 2; h++) {
      if (this.tzh.localDay(h) >= day) return h * HOUR_MS;
    }
    return guess;
  }
}

/**
 * Cohorts of profiles by the period of their first visit ever (their earliest stored
 * session of the counted traffic), for the periods of the range; `returned[k]` counts the
 * cohort's profiles with a session started k periods later, up to the range's end. A
 * profile whose first visit came before the range is in no cohort. With a filter, a
 * profile joins a cohort when its first visit is admitted, and returns with an admitted
 * session.
 */
export function retention(d: ExploreData, ok: Uint8Array | null, r: StatsRequest, interval: RetentionInterval): RetentionStats['cohorts'] {
  const [from, to] = hourRange(r);
  const periods = new Periods(r.tz, interval);
  const p0 = periods.of(from);
  const count = periods.of(to - 1) - p0 + 1;
  const mask = visitMask(r.traffic);
  const first = new Float64Array(d.nProfiles).fill(Infinity);
  const firstSlot = new Int32Array(d.nProfiles).fill(-1);
  for (let s = 0; s < d.nSessions; s++) {
    if (((1 << d.cls[s]!) & mask) === 0) continue;
    const p = d.profile[s]!;
    if (d.startedAt[s]! < first[p]!) {
      first[p] = d.startedAt[s]!;
      firstSlot[p] = s;
    }
  }
  const cohortOf = new Int32Array(d.nProfiles).fill(-1);
  // Each cohort profile's number among them, for `seen` below.
  const member = new Int32Array(d.nProfiles).fill(-1);
  let members = 0;
  const cohorts = Array.from({ length: count }, (_, c) => ({
    start: new Date(Math.max(periods.start(p0 + c), from)).toISOString(),
    visitors: 0,
    returned: new Array<number>(count - c).fill(0),
  }));
  for (let p = 0; p < d.nProfiles; p++) {
    const t = first[p]!;
    if (t < from || t >= to || (ok !== null && ok[firstSlot[p]!] !== 1)) continue;
    const c = periods.of(t) - p0;
    cohortOf[p] = c;
    member[p] = members++;
    cohorts[c]!.visitors++;
  }
  // Whether a cohort's profile was counted back in period k already: one bit per member
  // and period. A Set of (profile, k) keys was ~20 MB of heap garbage a 90-day query at ten
  // million events, which the collector's requests then paid for in collections.
  const seen = new Uint8Array(Math.ceil((members * count) / 8));
  for (const s of sessionsInRange(d, ok, r)) {
    const p = d.profile[s]!;
    const c = cohortOf[p]!;
    if (c < 0) continue;
    const k = periods.of(d.startedAt[s]!) - p0 - c;
    if (k < 0) continue;
    const bit = member[p]! * count + k;
    if ((seen[bit >> 3]! & (1 << (bit & 7))) !== 0) continue;
    seen[bit >> 3]! |= 1 << (bit & 7);
    cohorts[c]!.returned[k]!++;
  }
  return cohorts;
}
