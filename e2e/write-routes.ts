/**
 * Every admin route that changes something, as e2e/csrf.spec.ts attacks it from a page on
 * another port. engine/http/routes.test.ts checks this list against the routes the server
 * registers, so a new write route fails there until it is added here.
 *
 * To add one: its method and pattern, the concrete path (ids from FIXTURE, which the spec
 * makes before attacking), a body the dashboard would send, and, when what it changes is not
 * in SNAPSHOT yet, a GET that shows it.
 */

import { parseUpstream } from '../engine/forward/upstreams';

export interface WriteRoute {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The pattern as the server registers it. */
  route: string;
  path: string;
  body?: unknown;
}

/** What the spec makes first, so that each write would have something to change (and a refused request in the rejected log). */
export const FIXTURE = {
  session: 'csrf-session',
  source: 'csrf-source',
  funnel: 'csrf-funnel',
  // Nothing listens on port 9: the upstream keeps failing the same way, so its state stays put.
  upstream: 'clickhouse+http://csrf:csrf-password@127.0.0.1:9/csrf',
} as const;

export const WRITE_ROUTES: readonly WriteRoute[] = [
  { method: 'POST', route: '/api/sessions/:id/end', path: `/api/sessions/${FIXTURE.session}/end` },
  { method: 'POST', route: '/api/sources', path: '/api/sources', body: { id: 'injected', name: 'Injected' } },
  { method: 'PATCH', route: '/api/sources/:id', path: `/api/sources/${FIXTURE.source}`, body: { name: 'Renamed', enabled: false } },
  { method: 'DELETE', route: '/api/sources/:id', path: `/api/sources/${FIXTURE.source}` },
  { method: 'PATCH', route: '/api/settings', path: '/api/settings', body: { sessionTimeout: 5, retentionDays: 1 } },
  { method: 'DELETE', route: '/api/debug-data', path: '/api/debug-data' },
  { method: 'POST', route: '/api/reset', path: '/api/reset', body: { confirm: 'reset' } },
  { method: 'POST', route: '/api/sessions/end', path: '/api/sessions/end', body: { idleSeconds: 0 } },
  { method: 'DELETE', route: '/api/rejected', path: '/api/rejected' },
  { method: 'POST', route: '/api/forwarding', path: '/api/forwarding', body: { url: 'clickhouse+http://127.0.0.1:9/injected' } },
  { method: 'DELETE', route: '/api/forwarding/:id', path: `/api/forwarding/${parseUpstream(FIXTURE.upstream).id}` },
  { method: 'PUT', route: '/api/funnels/:name', path: '/api/funnels/injected', body: { steps: [{ type: 'page-view' }, { type: 'purchase' }] } },
  { method: 'DELETE', route: '/api/funnels/:name', path: `/api/funnels/${FIXTURE.funnel}` },
  { method: 'PUT', route: '/api/plan', path: '/api/plan', body: { unplanned: 'flag', events: { injected: { properties: { type: 'object' } } } } },
  { method: 'POST', route: '/api/plan/revalidate', path: '/api/plan/revalidate', body: {} },
  // Reads with a JSON body (a funnel's steps): POST, so guarded like the writes all the same.
  { method: 'POST', route: '/api/stats/funnel', path: '/api/stats/funnel', body: { steps: [{ type: 'page-view' }, { type: 'purchase' }] } },
  { method: 'POST', route: '/api/stats/funnel/sessions', path: '/api/stats/funnel/sessions', body: { steps: [{ type: 'page-view' }, { type: 'purchase' }], step: 2 } },
  // Reads the stored events (a large database for seconds): guarded too.
  { method: 'POST', route: '/api/plan/draft', path: '/api/plan/draft', body: {} },
];

/** GETs (with the Bearer token) whose answers together show everything a write could change. */
export const SNAPSHOT: readonly string[] = [
  '/api/sessions?limit=500',
  '/api/profiles?limit=500',
  '/api/events?limit=500',
  '/api/sources',
  '/api/settings',
  '/api/rejected?limit=500',
  '/api/forwarding',
  '/api/funnels',
  '/api/plan',
];
