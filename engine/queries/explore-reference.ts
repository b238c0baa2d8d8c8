/**
 * A small reference implementation of explore's semantics (contract section "Exploring")
 * for the tests: plain loops over the sessions and raw events the list API answers
 * (`/api/sessions`, `/api/events`), sharing no code with engine/explore or its queries.
 */
import type { EventView, SessionView } from '../../shared/api';
import type { Filter, FunnelStep } from '../../shared/explore';

export interface RefEvent {
  type: string;
  time: number;
  page: string | null;
  props: Record<string, unknown>;
}

export interface RefSession {
  id: string;
  profile: string;
  start: number;
  ended: boolean;
  duration: number | null;
  pageViews: number;
  keyEvents: number;
  cls: 'people' | 'bot' | 'debug';
  dims: Record<string, string | null>;
  events: RefEvent[];
}

const VIEWS = ['page-view', 'pageview', 'page_view'];
const key = (url: string | null | undefined): string | null => {
  if (!url) return null;
  const u = new URL(url);
  return u.host + u.pathname;
};

export function refSession(s: SessionView, events: EventView[]): RefSession {
  const m = s.metadata;
  const vn = m.visitNumber;
  return {
    id: s.id,
    profile: s.profile.id,
    start: Date.parse(m.time.insert),
    ended: m.status === 'ended',
    duration: m.time.duration,
    pageViews: s.stats.pageViews,
    keyEvents: s.stats.keyEvents,
    cls: m.debug ? 'debug' : m.bot ? 'bot' : 'people',
    dims: {
      browser: s.app.name ?? 'Unknown',
      os: s.os.name ?? 'Unknown',
      device: s.device.type,
      channel: s.context.channel,
      referrer: s.context.referrer.host,
      utm_source: s.utm.source,
      utm_medium: s.utm.medium,
      utm_campaign: s.utm.campaign,
      landing: key(s.context.landingPage),
      exit: key(s.context.exitPage),
      visit_number: vn >= 10 ? '10+' : vn > 0 ? String(vn) : null,
      source: s.source.id,
    },
    events: events
      .filter((e) => !e.metadata.system)
      .map((e) => ({ type: e.type, time: Date.parse(e.metadata.time.insert), page: key(e.page?.url), props: (e.properties ?? {}) as Record<string, unknown> })),
  };
}

const isView = (e: RefEvent) => VIEWS.includes(e.type);

/** The page-view path from the first view of `start`, repeats collapsed, "(exit)" after the last. */
export function refPath(s: RefSession, start: string, depth: number): string[] {
  const pages: string[] = [];
  for (const e of s.events) if (isView(e) && e.page !== null && pages[pages.length - 1] !== e.page) pages.push(e.page);
  const i = pages.indexOf(start);
  if (i < 0) return [];
  const path = pages.slice(i, i + depth + 1);
  if (path.length <= depth) path.push('(exit)');
  return path;
}

function scalar(v: unknown): string | null {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) ? String(v) : null;
}

function holds(s: RefSession, dim: string, value: string): boolean {
  if (dim === 'event_type') return s.events.some((e) => e.type === value);
  if (dim === 'page') return s.events.some((e) => isView(e) && e.page === value);
  if (dim.startsWith('prop.')) return s.events.some((e) => scalar(e.props[dim.slice(5)]) === value);
  if (dim === 'path') {
    const want = JSON.parse(value) as string[];
    const got = refPath(s, want[0]!, want.length - 1);
    return want.every((p, i) => got[i] === p);
  }
  return s.dims[dim] === value;
}

export function refAdmits(s: RefSession, filters: readonly Filter[]): boolean {
  const dims = new Set(filters.map((f) => `${f.negate}|${f.dim}`));
  for (const d of dims) {
    const group = filters.filter((f) => `${f.negate}|${f.dim}` === d);
    const any = group.some((f) => holds(s, f.dim, f.value));
    if (group[0]!.negate ? any : !any) return false;
  }
  return true;
}

/** Sessions a request counts: started in [from, to), people (and bots), admitted. */
export function refScope(all: RefSession[], from: number, to: number, filters: readonly Filter[], bots = false): RefSession[] {
  return all.filter((s) => s.start >= from && s.start < to && (s.cls === 'people' || (bots && s.cls === 'bot')) && refAdmits(s, filters));
}

/** The overview's figures of one period. */
export function refFigures(all: RefSession[], from: number, to: number, filters: readonly Filter[]) {
  const scope = refScope(all, from, to, filters);
  const ended = scope.filter((s) => s.ended);
  const engaged = ended.filter((s) => s.pageViews >= 2 || (s.duration ?? 0) >= 10 || s.keyEvents > 0);
  const events = all
    .filter((s) => s.cls === 'people' && refAdmits(s, filters))
    .flatMap((s) => s.events)
    .filter((e) => e.time >= from && e.time < to);
  return {
    visitors: new Set(scope.map((s) => s.profile)).size,
    sessions: scope.length,
    pageViews: events.filter(isView).length,
    events: events.length,
    avgDuration: ended.length ? ended.reduce((a, s) => a + s.duration!, 0) / ended.length : null,
    bounceRate: ended.length ? 1 - engaged.length / ended.length : null,
    pagesPerSession: ended.length ? ended.reduce((a, s) => a + s.pageViews, 0) / ended.length : null,
  };
}

/** How many steps a session reaches: tries every way to pick the steps' events (no greedy shortcut). */
function reach(events: RefEvent[], steps: readonly FunnelStep[], from = 0, k = 0, last = -Infinity): number {
  if (k === steps.length) return k;
  let best = k;
  for (let i = from; i < events.length; i++) {
    const e = events[i]!;
    const st = steps[k]!;
    const pageOk = !st.page || (e.page !== null && new RegExp(`^${st.page.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(e.page));
    if (e.type === st.type && pageOk && e.time >= last) best = Math.max(best, reach(events, steps, i + 1, k + 1, e.time));
  }
  return best;
}

/** Seconds between the first matches of consecutive steps, taking each step's first event after the last. */
function firstMatchTimes(events: RefEvent[], steps: readonly FunnelStep[]): number[] {
  const times: number[] = [];
  let i = 0;
  for (const st of steps) {
    const re = st.page ? new RegExp(`^${st.page.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`) : null;
    while (i < events.length && !(events[i]!.type === st.type && (re === null || (events[i]!.page !== null && re.test(events[i]!.page!))) && events[i]!.time >= (times.at(-1) ?? -Infinity))) i++;
    if (i === events.length) break;
    times.push(events[i]!.time);
    i++;
  }
  return times;
}

export function refFunnel(scope: RefSession[], steps: readonly FunnelStep[]) {
  const reached = scope.map((s) => reach(s.events, steps));
  const counts = steps.map((_, k) => reached.filter((r) => r > k).length);
  const median = (xs: number[]) => {
    if (xs.length === 0) return null;
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  return {
    reached: new Map(scope.map((s, i) => [s.id, reached[i]!])),
    steps: counts.map((n, k) => ({
      sessions: n,
      conversion: counts[0] ? n / counts[0] : 0,
      fromPrevious: k === 0 ? (n > 0 ? 1 : 0) : counts[k - 1] ? n / counts[k - 1]! : 0,
      medianSeconds:
        k === 0
          ? null
          : median(
              scope
                .map((s) => firstMatchTimes(s.events, steps))
                .filter((t) => t.length > k)
                .map((t) => (t[k]! - t[k - 1]!) / 1000),
            ),
    })),
  };
}

const DAY = 86_400_000;

/** Cohorts by the UTC day or week (Monday first) of each profile's first visit ever. */
export function refRetention(all: RefSession[], from: number, to: number, interval: 'day' | 'week', filters: readonly Filter[]) {
  const period = (ms: number) => (interval === 'day' ? Math.floor(ms / DAY) : Math.floor((Math.floor(ms / DAY) + 3) / 7));
  const people = all.filter((s) => s.cls === 'people');
  const first = new Map<string, RefSession>();
  for (const s of [...people].sort((a, b) => a.start - b.start)) if (!first.has(s.profile)) first.set(s.profile, s);
  const p0 = period(from);
  const n = period(to - 1) - p0 + 1;
  return Array.from({ length: n }, (_, c) => {
    const members = [...first.values()].filter((s) => s.start >= from && s.start < to && period(s.start) - p0 === c && refAdmits(s, filters)).map((s) => s.profile);
    const returned = Array.from({ length: n - c }, (_, k) =>
      members.filter((p) => people.some((s) => s.profile === p && s.start >= from && s.start < to && period(s.start) - p0 === c + k && refAdmits(s, filters))).length,
    );
    return { visitors: members.length, returned };
  });
}
