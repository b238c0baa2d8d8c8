/**
 * A small client for Footfall's tester's API, to drop into a Playwright, Cypress or Vitest
 * suite: reset Footfall before a test, drive your site, then wait for the events its tag
 * sent and assert on them. No dependencies: it needs only `fetch` (Node 18+, browsers).
 *
 *   const footfall = new FootfallClient({ url: 'http://127.0.0.1:8686', token: process.env.FOOTFALL_TOKEN! });
 *   await footfall.reset();
 *   // ... drive the site ...
 *   const [purchase] = await footfall.waitForEvents({ type: 'purchase' });
 *   await footfall.expectNoInvalidEvents(); // every event follows the tracking plan
 *
 * Every method throws a FootfallError saying what went wrong; `waitForEvents` says what
 * arrived instead ("expected 1 purchase, got 0; 3 events arrived: page-view ×2, add-to-cart").
 * MIT, like Footfall: copy it into your repository.
 */

/** An event as Footfall stores it (the fields a test asserts on; the API answers more). */
export interface FootfallEvent {
  id: string;
  type: string;
  session: { id: string };
  profile: { id: string };
  source: { id: string };
  metadata: {
    time: { insert: string };
    traffic: 'person' | 'automation' | 'bot' | 'debug';
    system: boolean;
    warnings: string[];
    /** Its check against the tracking plan (null: no plan was in force, or it is Footfall's own). */
    validation: { status: Verdict; errors: Array<{ path: string; message: string }> } | null;
  };
  page: { url: string | null };
  properties: Record<string, unknown>;
  context: Record<string, unknown> | null;
}

export type Verdict = 'valid' | 'invalid' | 'unplanned';

/** A tracking plan: per event type a JSON Schema (draft-07) of its properties; what to do with other types. */
export interface FootfallPlan {
  events: Record<string, { description?: string; properties: Record<string, unknown> | boolean }>;
  unplanned: 'allow' | 'flag';
}

export interface FootfallSession {
  id: string;
  profile: { id: string };
  metadata: { status: 'active' | 'ended'; endReason: 'timeout' | 'logout' | 'api' | null; traffic: string; time: { insert: string; end: string | null; duration: number } };
  stats: { events: number; pageViews: number; keyEvents: number };
  context: { landingPage: string | null; exitPage: string | null; [key: string]: unknown };
  [key: string]: unknown;
}

export interface FootfallSummary {
  events: { total: number; byType: Record<string, number> };
  rejected: number;
  invalid: number;
  unplanned: number;
  sessions: { active: number; ended: number };
  profiles: number;
}

export interface FootfallRejected {
  id: string;
  time: string;
  status: number;
  detail: string;
  source: { id: string } | null;
  origin: string | null;
  userAgent: string | null;
  body: string | null;
  truncated: boolean;
}

/** Which events: every field is optional; `properties` are top-level properties equal to these values. */
export interface EventFilter {
  type?: string;
  session?: string;
  profile?: string;
  source?: string;
  /** The page URL contains this. */
  page?: string;
  properties?: Record<string, string | number | boolean>;
  /** Traffic classes (default: people and automation, which is what your tests are). */
  traffic?: ReadonlyArray<'person' | 'automation' | 'bot' | 'debug'> | 'all';
  /** Footfall's own events too (visit-started, visit-ended, profile-created); default false. */
  system?: boolean;
  /** Only events with these verdicts against the tracking plan. */
  validation?: readonly Verdict[];
}

export class FootfallError extends Error {
  override readonly name = 'FootfallError';
  constructor(
    message: string,
    /** The HTTP status, when Footfall answered. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** The longest one request waits (Footfall's limit); longer waits take several. */
const MAX_WAIT_S = 60;

export class FootfallClient {
  readonly url: string;
  private readonly token: string;

  /** `url`: Footfall's address (`http://127.0.0.1:8686`); `token`: the admin token it printed (or `FOOTFALL_TOKEN`). */
  constructor(opts: { url?: string; token?: string } = {}) {
    // Read without Node's types: the client runs in browsers too (Cypress).
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
    const url = opts.url ?? env.FOOTFALL_URL;
    const token = opts.token ?? env.FOOTFALL_TOKEN;
    if (!url || !token) throw new FootfallError('FootfallClient needs the url and token Footfall printed (or FOOTFALL_URL and FOOTFALL_TOKEN).');
    this.url = url.replace(/\/+$/, '');
    this.token = token;
  }

  /** Deletes every event, session, profile, figure and rejected request (sources and settings stay). */
  async reset(): Promise<{ events: number; sessions: number; profiles: number; rejected: number }> {
    return (await this.call<{ deleted: { events: number; sessions: number; profiles: number; rejected: number } }>('POST', '/api/reset', { confirm: 'reset' })).deleted;
  }

  /** Everything stored, every traffic class. */
  summary(): Promise<FootfallSummary> {
    return this.call('GET', '/api/summary');
  }

  /** The events that match now, oldest first (up to 500). */
  async events(filter: EventFilter = {}): Promise<FootfallEvent[]> {
    return (await this.call<{ items: FootfallEvent[] }>('GET', `/api/events?${query(filter, { order: 'asc', limit: '500' })}`)).items;
  }

  /**
   * Waits until at least `min` (default 1) events match, and answers them, oldest first.
   * Footfall answers as soon as the one that makes `min` is stored. After `timeout` ms
   * (default 10 s) it throws, saying how many matched and what arrived instead.
   */
  async waitForEvents(filter: EventFilter, opts: { min?: number; timeout?: number } = {}): Promise<FootfallEvent[]> {
    const min = opts.min ?? 1;
    const end = Date.now() + (opts.timeout ?? 10_000);
    for (;;) {
      const wait = Math.max(0, Math.min(MAX_WAIT_S, (end - Date.now()) / 1000));
      const page = await this.call<{ items: FootfallEvent[]; timedOut?: boolean }>('GET', `/api/events?${query(filter, { order: 'asc', limit: '500', min: String(min), wait: wait.toFixed(3) })}`);
      if (!page.timedOut) return page.items;
      if (Date.now() >= end) throw new FootfallError(await this.whatArrived(filter, min, page.items.length));
    }
  }

  /** The tracking plan in force (no event types: none). */
  plan(): Promise<FootfallPlan> {
    return this.call('GET', '/api/plan');
  }

  /** Replaces the tracking plan (refused while Footfall follows a `--plan` file). */
  async setPlan(plan: FootfallPlan | { events: FootfallPlan['events']; unplanned?: FootfallPlan['unplanned'] }): Promise<void> {
    await this.call('PUT', '/api/plan', plan);
  }

  /**
   * Throws unless every stored event that `filter` matches (every traffic class unless it says
   * otherwise) follows the tracking plan, and, when the plan flags them, none is of a type it
   * does not name. The message lists each such event with every rule it broke:
   * "purchase (session S2): properties.revenue: must be number, got string 'abc'".
   * Without a plan it throws too: nothing was checked.
   */
  async expectNoInvalidEvents(filter: EventFilter = {}): Promise<void> {
    const plan = await this.plan();
    if (Object.keys(plan.events).length === 0) {
      throw new FootfallError('Footfall has no tracking plan: nothing was checked. Save one in its Tracking plan view, call setPlan(), or start Footfall with --plan FILE.');
    }
    const validation: Verdict[] = plan.unplanned === 'flag' ? ['invalid', 'unplanned'] : ['invalid'];
    const bad = await this.events({ traffic: 'all', ...filter, validation });
    if (bad.length === 0) return;
    const lines = bad.map((e) => {
      const v = e.metadata.validation!;
      const what = v.status === 'unplanned' ? 'not in the plan' : v.errors.map((x) => `${x.path}: ${x.message}`).join('; ');
      return `  ${e.type} (session ${e.session.id}): ${what}`;
    });
    const n = bad.length === 500 ? 'At least 500 events do' : bad.length === 1 ? '1 event does' : `${bad.length} events do`;
    throw new FootfallError(`Footfall: ${n} not follow the tracking plan:\n${lines.join('\n')}`);
  }

  /** A session by id (the visit a page's cookie `tracardi-session-id` names). */
  session(id: string): Promise<FootfallSession> {
    return this.call('GET', `/api/sessions/${encodeURIComponent(id)}`);
  }

  /**
   * Ends every active session idle at least `idleSeconds` (default 0: all of them) now, each
   * with its `visit-ended` event (reason `api`), instead of waiting for the session timeout.
   */
  async endIdleSessions(idleSeconds = 0): Promise<number> {
    return (await this.call<{ ended: number }>('POST', '/api/sessions/end', { idleSeconds })).ended;
  }

  /** The /track requests Footfall refused, newest first (up to 500), with why and their bodies. */
  async rejected(): Promise<FootfallRejected[]> {
    return (await this.call<{ items: FootfallRejected[] }>('GET', '/api/rejected?limit=500')).items;
  }

  /** Empties the log of refused requests. */
  async clearRejected(): Promise<number> {
    return (await this.call<{ deleted: number }>('DELETE', '/api/rejected')).deleted;
  }

  /** "expected 1 purchase, got 0; 3 events arrived: page-view ×2, add-to-cart". */
  private async whatArrived(filter: EventFilter, min: number, got: number): Promise<string> {
    const { type: _type, properties: _props, ...scope } = filter;
    const wanted = describe(filter, min);
    const arrived = await this.events(scope);
    const counts = new Map<string, number>();
    for (const e of arrived) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
    const list = [...counts].map(([type, n]) => (n > 1 ? `${type} ×${n}` : type)).join(', ');
    const where = Object.keys(scope).length > 0 ? ` (${describeScope(scope)})` : '';
    const rejected = (await this.rejected()).length;
    return (
      `Footfall: expected ${wanted}, got ${got}; ${arrived.length === 0 ? 'no events arrived' : `${arrived.length} event${arrived.length === 1 ? '' : 's'} arrived${where}: ${list}`}` +
      (rejected > 0 ? `. ${rejected} request${rejected === 1 ? ' was' : 's were'} refused: see rejected() or the dashboard's Rejected view.` : '.')
    );
  }

  private async call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      throw new FootfallError(`Footfall did not answer at ${this.url} (${(err as Error).message}): is it running?`);
    }
    const text = await res.text();
    if (!res.ok) {
      let detail = text;
      try {
        detail = (JSON.parse(text) as { detail?: string }).detail ?? text;
      } catch {
        // not JSON: the text as it is
      }
      throw new FootfallError(`Footfall answered ${res.status} to ${method} ${path.split('?')[0]}: ${detail}`, res.status);
    }
    return JSON.parse(text) as T;
  }
}

function query(f: EventFilter, extra: Record<string, string>): string {
  const q = new URLSearchParams(extra);
  for (const k of ['type', 'session', 'profile', 'source', 'page'] as const) {
    const v = f[k];
    if (v !== undefined) q.set(k, v);
  }
  for (const [name, value] of Object.entries(f.properties ?? {})) q.set(`prop.${name}`, String(value));
  if (f.traffic !== undefined) q.set('traffic', f.traffic === 'all' ? 'all' : f.traffic.join(','));
  if (f.validation !== undefined) q.set('validation', f.validation.join(','));
  q.set('system', f.system === true ? 'true' : 'false');
  return q.toString();
}

/** "1 purchase", "2 purchase events", "1 event with currency=EUR". */
function describe(f: EventFilter, min: number): string {
  const props = Object.entries(f.properties ?? {}).map(([k, v]) => `${k}=${String(v)}`);
  const what = f.type === undefined ? (min === 1 ? 'event' : 'events') : min === 1 ? f.type : `${f.type} events`;
  return `${min} ${what}${props.length > 0 ? ` with ${props.join(', ')}` : ''}`;
}

function describeScope(f: EventFilter): string {
  return Object.entries(f)
    .filter(([k, v]) => v !== undefined && k !== 'system')
    .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(',') : String(v)}`)
    .join(', ');
}
