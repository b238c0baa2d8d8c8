import { STATS_DIMS } from '../shared/stats';

const DAY = 86_400_000;

/** A dashboard request: a label for the table, the path with its query string, and a JSON body for a POST. */
export interface DashboardQuery {
  label: string;
  path: string;
  body?: unknown;
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

/**
 * Filters the explore benchmark asks with: a session dimension, two combined, a negation,
 * and the event dimensions (an event type, a page, a property), values from the seed
 * (engine/seed.ts).
 */
const FILTERS: Array<[label: string, filters: string[]]> = [
  ['browser=Firefox', ['browser:Firefox']],
  ['email+mobile', ['channel:email', 'device:mobile']],
  ['not Chrome', ['browser!:Chrome']],
  ['type=purchase', ['event_type:purchase']],
  ['page=cart+product', ['page:shop.test/cart', 'prop.product:linen-shirt']],
];

const withFilters = (path: string, params: Record<string, string | number>, filters: string[]): string => {
  const q = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]));
  for (const f of filters) q.append('filter', f);
  return `${path}?${q}`;
};

/** Every request of the Overview and the Sessions list, under each of FILTERS, for 7 and 90 days (`filtered_*`). */
export function filteredQueries(now: number): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const [name, days] of [
    ['7d', 7],
    ['90d', 90],
  ] as const) {
    const r = range(now, days);
    for (const [label, filters] of FILTERS) {
      const stats = { ...r, tz: 'Europe/Warsaw' };
      for (const path of ['overview', 'timeseries', 'heatmap', 'visits-per-profile']) out.push({ label: `${path} ${name} ${label}`, path: withFilters(`/api/stats/${path}`, stats, filters) });
      for (const dim of STATS_DIMS) out.push({ label: `breakdown ${dim} ${name} ${label}`, path: withFilters('/api/stats/breakdown', { ...stats, dim, limit: 10 }, filters) });
      for (const sort of ['started', 'duration']) {
        out.push({ label: `sessions ${name} ${label} sort=${sort}`, path: withFilters('/api/sessions', { limit: 50, ...r, debug: 'false', bot: 'false', sort }, filters) });
      }
    }
  }
  return out;
}

const FUNNELS: Array<[label: string, steps: Array<{ type: string; page?: string }>]> = [
  ['3 steps', [{ type: 'page-view' }, { type: 'add-to-cart' }, { type: 'purchase' }]],
  ['4 steps', [{ type: 'page-view', page: 'shop.test/products*' }, { type: 'add-to-cart' }, { type: 'page-view', page: '*/checkout' }, { type: 'purchase' }]],
  ['5 steps', [{ type: 'page-view', page: 'shop.test/' }, { type: 'page-view', page: 'shop.test/products/*' }, { type: 'add-to-cart' }, { type: 'page-view', page: 'shop.test/cart' }, { type: 'purchase' }]],
];

/** Funnels of 3-5 steps, paths 4 deep, retention, property breakdowns, for 30 and 90 days, plain and filtered (`explore_*`). */
export function exploreQueries(now: number): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const [name, days] of [
    ['30d', 30],
    ['90d', 90],
  ] as const) {
    const r = { ...range(now, days), tz: 'Europe/Warsaw' };
    for (const [label, filters] of [['', []], ...FILTERS.slice(0, 4)] as Array<[string, string[]]>) {
      const tag = `${name}${label ? ` ${label}` : ''}`;
      for (const [fl, steps] of FUNNELS) out.push({ label: `funnel ${fl} ${tag}`, path: '/api/stats/funnel', body: { ...r, steps, within: 'session', filter: filters } });
      out.push({ label: `paths depth 4 ${tag}`, path: withFilters('/api/stats/paths', { ...r, start: 'shop.test/', depth: 4 }, filters) });
      out.push({ label: `retention weekly ${tag}`, path: withFilters('/api/stats/retention', { ...r, interval: 'week' }, filters) });
      out.push({ label: `breakdown prop.product ${tag}`, path: withFilters('/api/stats/breakdown', { ...r, dim: 'prop.product', type: 'add-to-cart' }, filters) });
    }
    out.push({ label: `funnel drop-off ${name}`, path: '/api/stats/funnel/sessions', body: { ...r, steps: FUNNELS[0]![1], step: 3, limit: 50 } });
    out.push({ label: `paths depth 4 from products ${name}`, path: withFilters('/api/stats/paths', { ...r, start: 'shop.test/products', depth: 4 }, []) });
    out.push({ label: `retention daily ${name}`, path: withFilters('/api/stats/retention', { ...r, interval: 'day' }, []) });
    out.push({ label: `breakdown prop.value purchase ${name}`, path: withFilters('/api/stats/breakdown', { ...r, dim: 'prop.value', type: 'purchase' }, []) });
    out.push({ label: `breakdown prop.query search ${name}`, path: withFilters('/api/stats/breakdown', { ...r, dim: 'prop.query', type: 'search' }, []) });
    out.push({ label: `properties purchase ${name}`, path: withFilters('/api/stats/properties', { ...r, type: 'purchase' }, []) });
    out.push({ label: `properties all types ${name}`, path: withFilters('/api/stats/properties', r, []) });
  }
  return out;
}

/** Runs every query `times` times over one keep-alive connection, in order; each must answer 200. */
export async function timeQueries(base: string, token: string, queries: DashboardQuery[], times: number): Promise<QueryTiming[]> {
  const headers = { authorization: `Bearer ${token}` };
  const out: QueryTiming[] = queries.map((q) => ({ label: q.label, ms: [] }));
  for (let round = 0; round < times; round++) {
    for (let i = 0; i < queries.length; i++) {
      const q = queries[i]!;
      const t0 = performance.now();
      const r = await fetch(
        base + q.path,
        q.body === undefined ? { headers } : { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(q.body) },
      );
      await r.arrayBuffer();
      const ms = performance.now() - t0;
      if (r.status !== 200) throw new Error(`${q.path} answered ${r.status}`);
      out[i]!.ms.push(ms);
    }
  }
  return out;
}
