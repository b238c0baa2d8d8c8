import { STATS_DIMS } from '../shared/stats';

const DAY = 86_400_000;

/** A dashboard request: a label for the table and the path with its query string. */
export interface DashboardQuery {
  label: string;
  path: string;
}

/** The `days` days up to the next UTC midnight after `now` (the dashboard cuts at local midnight; the cost is the same). */
function range(now: number, days: number): { from: string; to: string } {
  const to = Math.ceil(now / DAY) * DAY;
  return { from: new Date(to - days * DAY).toISOString(), to: new Date(to).toISOString() };
}

function qs(params: Record<string, string | number | null | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined) p.set(k, String(v));
  const s = p.toString();
  return s === '' ? '' : `?${s}`;
}

/**
 * Every request the dashboard makes, for each preset range up to 90 days, as its views make
 * them (renderer/src/views/*.svelte): the Overview's four stats calls and every breakdown
 * panel, the Sessions list with each sort and filter, Profiles with each sort, a profile's
 * visits, a session's events, the Live view's active sessions, the simulator's debug events.
 * `sample` names a real session and profile of the database (from the lists).
 */
export function dashboardQueries(now: number, sample: { session: string; profile: string }): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  const add = (label: string, path: string, params: Record<string, string | number | null | undefined> = {}) => out.push({ label, path: path + qs(params) });
  const rangeList: Array<[string, number]> = [
    ['1d', 1],
    ['7d', 7],
    ['30d', 30],
    ['90d', 90],
  ];
  for (const [name, days] of rangeList) {
    const r = range(now, days);
    for (const [who, extra] of [
      ['people', {}],
      ['all', { bots: 'true', debug: 'true' }],
    ] as const) {
      const stats = { ...r, tz: 'Europe/Warsaw', ...extra };
      add(`overview ${name} ${who}`, '/api/stats/overview', stats);
      add(`timeseries ${name} ${who}`, '/api/stats/timeseries', stats);
      add(`heatmap ${name} ${who}`, '/api/stats/heatmap', stats);
      add(`visits-per-profile ${name} ${who}`, '/api/stats/visits-per-profile', stats);
      for (const dim of STATS_DIMS) add(`breakdown ${dim} ${name} ${who}`, '/api/stats/breakdown', { ...stats, dim, limit: 10 });
    }
    const people = { limit: 50, ...r, debug: 'false', bot: 'false' };
    for (const sort of ['started', 'duration', 'events', 'pageViews']) {
      for (const order of ['desc', 'asc']) add(`sessions ${name} sort=${sort} ${order}`, '/api/sessions', { ...people, sort, order });
    }
    add(`sessions ${name} active`, '/api/sessions', { ...people, status: 'active' });
    add(`sessions ${name} ended`, '/api/sessions', { ...people, status: 'ended' });
    add(`sessions ${name} device=tablet`, '/api/sessions', { ...people, device: 'tablet' });
    add(`sessions ${name} channel=email sort=events`, '/api/sessions', { ...people, channel: 'email', sort: 'events' });
    add(`sessions ${name} all traffic`, '/api/sessions', { limit: 50, ...r });
  }
  for (const sort of ['lastSeen', 'firstSeen', 'visits']) {
    for (const order of ['desc', 'asc']) add(`profiles sort=${sort} ${order}`, '/api/profiles', { limit: 50, sort, order, debug: 'false' });
  }
  add('profiles all', '/api/profiles', { limit: 50 });
  add('profile detail', `/api/profiles/${encodeURIComponent(sample.profile)}`);
  add('profile visits', '/api/sessions', { profile: sample.profile, limit: 500 });
  add('session detail', `/api/sessions/${encodeURIComponent(sample.session)}`);
  add('session events', '/api/events', { session: sample.session, order: 'asc', limit: 500 });
  add('live: active sessions', '/api/sessions', { status: 'active', limit: 500 });
  add('simulator: debug events', '/api/events', { session: '@debug-session', limit: 15 });
  add('events latest', '/api/events', { limit: 50 });
  add('events type=purchase', '/api/events', { type: 'purchase', limit: 50 });
  add('events of a profile', '/api/events', { profile: sample.profile, limit: 50 });
  add('events 7d', '/api/events', { ...range(now, 7), limit: 50 });
  add('sources', '/api/sources');
  add('settings', '/api/settings');
  add('info', '/api/info');
  return out;
}

export interface QueryTiming {
  label: string;
  ms: number[];
}

/** Runs every query `times` times over one keep-alive connection, in order; each must answer 200. */
export async function timeQueries(base: string, token: string, queries: DashboardQuery[], times: number): Promise<QueryTiming[]> {
  const headers = { authorization: `Bearer ${token}` };
  const out: QueryTiming[] = queries.map((q) => ({ label: q.label, ms: [] }));
  for (let round = 0; round < times; round++) {
    for (let i = 0; i < queries.length; i++) {
      const t0 = performance.now();
      const r = await fetch(base + queries[i]!.path, { headers });
      await r.arrayBuffer();
      const ms = performance.now() - t0;
      if (r.status !== 200) throw new Error(`${queries[i]!.path} answered ${r.status}`);
      out[i]!.ms.push(ms);
    }
  }
  return out;
}
