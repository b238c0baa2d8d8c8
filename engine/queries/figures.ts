import { DIM_INDEX, SLOT_OUT, TIME_BLOCK_BITS, TIME_OUT, type ExploreData, type SessionDimName } from '../explore/data';
import { HOUR_MS, durationBucket, isEngaged, sessionDuration } from '../../shared/rules';
import { toBuckets, type HourlySessions, type PeriodFigures, type StatsRequest } from './stats';
import { leftOut, trafficMask, visitMask } from './traffic';
import { noTraffic } from '../../shared/traffic';
import type { OverviewStats } from '../../shared/stats';
import type { StatsDim, VisitsPerProfileStats } from '../../shared/stats';
import { VISIT_NUMBER_LABELS } from '../../shared/stats';

/**
 * The dashboard's figures over the sessions a filter admits, counted from ExploreData the
 * way the rollups count them for everything (a filter that admits every session gives the
 * rollups' numbers: a test holds them to that). Session figures are over the sessions
 * started in the range; event figures over the events in the range whose session is admitted.
 */

/** [from, to) of a request in ms, widened to whole hours as the rollups are. */
export function hourRange(r: StatsRequest): [from: number, to: number] {
  const b = toBuckets(r.from, r.to);
  return [b.fromH * HOUR_MS, b.toH * HOUR_MS];
}

/** Slots of the sessions started in the range that the filter admits and the traffic choice counts. */
export function sessionsInRange(d: ExploreData, ok: Uint8Array | null, r: StatsRequest): Int32Array {
  const [from, to] = hourRange(r);
  const mask = visitMask(r.traffic);
  const out = new Int32Array(d.nSessions);
  let n = 0;
  for (let s = 0; s < d.nSessions; s++) {
    const t = d.startedAt[s]!;
    if (t >= from && t < to && (ok === null || ok[s] === 1) && ((1 << d.cls[s]!) & mask) !== 0) out[n++] = s;
  }
  return out.subarray(0, n);
}

/**
 * The events in the range whose session the filter admits and the traffic choice counts,
 * in stored order. Blocks of events wholly outside the range are skipped by their times.
 */
export function eventsInRange(d: ExploreData, ok: Uint8Array | null, r: StatsRequest): Int32Array {
  const [from, to] = hourRange(r);
  const mask = trafficMask(r.traffic);
  // Room for the events of the blocks the range touches, not for every event: at ten
  // million events a whole-history array would be 40 MB for each call.
  let room = 0;
  for (let b = 0; b << TIME_BLOCK_BITS < d.nEvents; b++) {
    if (d.blockMax[b]! >= from && d.blockMin[b]! < to) room += Math.min(d.nEvents, (b + 1) << TIME_BLOCK_BITS) - (b << TIME_BLOCK_BITS);
  }
  const out = new Int32Array(room);
  let n = 0;
  for (let b = 0; b << TIME_BLOCK_BITS < d.nEvents; b++) {
    if (d.blockMax[b]! < from || d.blockMin[b]! >= to) continue;
    const end = Math.min(d.nEvents, (b + 1) << TIME_BLOCK_BITS);
    // d.timeAt and d.sessionOf, inline: the busiest loop of explore.
    const base = d.timeBase[b]!;
    const slotBase = d.slotBase[b]!;
    for (let e = b << TIME_BLOCK_BITS; e < end; e++) {
      const off = d.timeOff[e]!;
      const t = off !== TIME_OUT ? base + off : d.timeAt(e);
      if (t < from || t >= to) continue;
      const so = d.slotOff[e]!;
      const s = so !== SLOT_OUT ? slotBase + so : d.sessionOf(e);
      if ((ok === null || ok[s] === 1) && ((1 << d.cls[s]!) & mask) !== 0) out[n++] = e;
    }
  }
  return out.subarray(0, n);
}

/** Distinct profiles of the given session slots. */
function visitorsOf(d: ExploreData, slots: Int32Array): number {
  const seen = new Uint8Array(d.nProfiles);
  let visitors = 0;
  for (const s of slots) {
    const p = d.profile[s]!;
    if (seen[p] === 0) {
      seen[p] = 1;
      visitors++;
    }
  }
  return visitors;
}

/** Distinct profiles with an admitted session started in the range (the overview's visitors). */
export function distinctVisitors(d: ExploreData, ok: Uint8Array | null, r: StatsRequest): number {
  return visitorsOf(d, sessionsInRange(d, ok, r));
}

/** The overview's figures of one period. */
export function periodFigures(d: ExploreData, ok: Uint8Array | null, r: StatsRequest): PeriodFigures {
  let ended = 0;
  let engaged = 0;
  let durationSum = 0;
  let endedViews = 0;
  let activeN = 0;
  let activeSeconds = 0;
  let activeViews = 0;
  const slots = sessionsInRange(d, ok, r);
  for (const s of slots) {
    if (d.status[s] !== 1) {
      // Still going: counted in the averages as it stands (as StatsQueries does), not in
      // the bounce rate, which is decided when a visit ends.
      activeN++;
      activeSeconds += sessionDuration(d.startedAt[s]!, d.lastAt[s]!);
      activeViews += d.pageViews[s]!;
      continue;
    }
    const duration = d.duration[s]!;
    ended++;
    durationSum += duration;
    endedViews += d.pageViews[s]!;
    if (isEngaged(d.pageViews[s]!, duration, d.keyEvents[s]!)) engaged++;
  }
  const counted = ended + activeN;
  const events = eventsInRange(d, ok, r);
  let pageViews = 0;
  for (const e of events) if (d.isView(d.type[e]!)) pageViews++;
  return {
    visitors: visitorsOf(d, slots),
    sessions: slots.length,
    pageViews,
    events: events.length,
    avgDuration: counted > 0 ? (durationSum + activeSeconds) / counted : null,
    bounceRate: ended > 0 ? 1 - engaged / ended : null,
    pagesPerSession: counted > 0 ? (endedViews + activeViews) / counted : null,
    ended,
  };
}

/** Admitted sessions active now (never the debug session; bots only when asked for). */
export function activeNow(d: ExploreData, ok: Uint8Array | null, r: StatsRequest): number {
  const mask = visitMask(r.traffic);
  let n = 0;
  for (const s of d.active) if ((ok === null || ok[s] === 1) && ((1 << d.cls[s]!) & mask) !== 0) n++;
  return n;
}

/** Admitted sessions per UTC hour of their start (what the time series and heatmap add up). */
export function hourlySessions(d: ExploreData, ok: Uint8Array | null, r: StatsRequest): HourlySessions[] {
  const byHour = new Map<number, HourlySessions>();
  for (const s of sessionsInRange(d, ok, r)) {
    const t = Math.floor(d.startedAt[s]! / HOUR_MS);
    let row = byHour.get(t);
    if (!row) byHour.set(t, (row = { t, sessions: 0, newProfiles: 0 }));
    row.sessions++;
    if (d.visitNumber[s] === 1) row.newProfiles++;
  }
  return [...byHour.values()];
}

/** Counts in a table indexed by string id, as rows largest first (ties by value). */
function rowsOf(d: ExploreData, counts: Int32Array): Array<{ value: string; n: number }> {
  const rows: Array<{ value: string; n: number }> = [];
  for (let id = 0; id < counts.length; id++) if (counts[id]! > 0) rows.push({ value: d.strings.values[id]!, n: counts[id]! });
  return rows.sort((a, b) => b.n - a.n || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

/** Every value of a breakdown dimension with its count, largest first. */
export function breakdownRows(d: ExploreData, ok: Uint8Array | null, r: StatsRequest, dim: StatsDim): Array<{ value: string; n: number }> {
  if (dim === 'event_type' || dim === 'page') {
    const counts = new Int32Array(d.strings.size);
    for (const e of eventsInRange(d, ok, r)) {
      if (dim === 'event_type') counts[d.type[e]!]!++;
      else if (d.page[e]! >= 0 && d.isView(d.type[e]!)) counts[d.page[e]!]!++;
    }
    return rowsOf(d, counts);
  }
  const slots = sessionsInRange(d, ok, r);
  const labelled = (label: (s: number) => string | null) => {
    const m = new Map<string, number>();
    for (const s of slots) {
      const v = label(s);
      if (v !== null) m.set(v, (m.get(v) ?? 0) + 1);
    }
    return [...m].map(([value, n]) => ({ value, n })).sort((a, b) => b.n - a.n || (a.value < b.value ? -1 : 1));
  };
  if (dim === 'duration') return labelled((s) => (d.status[s] === 1 ? durationBucket(d.duration[s]!) : null));
  if (dim === 'visit_number') return labelled((s) => VISIT_NUMBER_LABELS[Math.min(d.visitNumber[s]!, VISIT_NUMBER_LABELS.length) - 1] ?? null);
  const col = d.dims[DIM_INDEX[dim as SessionDimName]]!;
  const counts = new Int32Array(d.strings.size);
  // The exit page is counted when a visit ends, as the rollups count it.
  const endedOnly = dim === 'exit';
  for (const s of slots) {
    const v = col[s]!;
    if (v >= 0 && (!endedOnly || d.status[s] === 1)) counts[v]!++;
  }
  return rowsOf(d, counts);
}

/** Admitted profiles of the range by how many admitted sessions they had in it. */
export function visitsPerProfile(d: ExploreData, ok: Uint8Array | null, r: StatsRequest): Omit<VisitsPerProfileStats, 'range'> {
  const count = new Int32Array(d.nProfiles);
  let visitors = 0;
  for (const s of sessionsInRange(d, ok, r)) if (count[d.profile[s]!]!++ === 0) visitors++;
  const per = new Array<number>(VISIT_NUMBER_LABELS.length).fill(0);
  for (const c of count) if (c > 0) per[Math.min(c, per.length) - 1]!++;
  return { visitors, items: VISIT_NUMBER_LABELS.map((visits, i) => ({ visits, profiles: per[i]! })) };
}

/**
 * The range's sessions and events of each class the request left out (0 for those it
 * counts), among those the filter admits: as StatsQueries' `hidden`, the debug session
 * counted when it started in the range.
 */
export function hiddenFigures(d: ExploreData, ok: Uint8Array | null, r: StatsRequest): Pick<OverviewStats, 'hidden' | 'hiddenEvents'> {
  const hidden = noTraffic();
  const hiddenEvents = noTraffic();
  const [from, to] = hourRange(r);
  for (const name of leftOut(r.traffic)) {
    const only: StatsRequest = { ...r, traffic: new Set([name]) };
    hiddenEvents[name] = eventsInRange(d, ok, only).length;
    if (name !== 'debug') {
      hidden[name] = sessionsInRange(d, ok, only).length;
      continue;
    }
    const debugMask = trafficMask(only.traffic);
    for (let s = 0; s < d.nSessions; s++) {
      const t = d.startedAt[s]!;
      if (t >= from && t < to && (ok === null || ok[s] === 1) && ((1 << d.cls[s]!) & debugMask) !== 0) hidden.debug++;
    }
  }
  return { hidden, hiddenEvents };
}
