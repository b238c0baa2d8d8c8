import type { DB } from '../db/database';
import { TRAFFIC_NAME, type SourceRow, type TrafficClass } from '../db/rows';
import { noTraffic, type TrafficCounts } from '../../shared/traffic';
import { PAGE_VIEW_SQL, sessionDuration, sessionDurationSql } from '../../shared/rules';
import type { Page, ProfileView, SessionView, SourceView } from '../../shared/api';
import { decodeCursor, encodeCursor, keyset, type Cursor } from './cursor';
import { StatementCache } from './statements';
import { botOnlyProfile, leftOut, profileTraffic, sessionTraffic, type TrafficSet } from './traffic';
import { profileView, sessionView, sourceView, type ProfileJoinRow, type SessionJoinRow } from './views';

export const SESSION_SORTS = {
  started: 's.started_at',
  last: 's.last_at',
  duration: `coalesce(s.duration, ${sessionDurationSql('s')})`,
  events: 's.events',
  pageViews: 's.page_views',
} as const;
export type SessionSort = keyof typeof SESSION_SORTS;

export const PROFILE_SORTS = { lastSeen: 'p.updated_at', firstSeen: 'p.created_at', visits: 'p.visit_count' } as const;
export type ProfileSort = keyof typeof PROFILE_SORTS;

export interface SessionFilter {
  status?: 'active' | 'ended';
  device?: string;
  channel?: string;
  browser?: string;
  os?: string;
  source?: string;
  profile?: string;
  /** Started at or after (ms). */
  from?: number;
  /** Started before (ms). */
  to?: number;
  /** The traffic classes counted; every one when absent. */
  traffic?: TrafficSet;
}

export interface ProfileFilter {
  /** This one profile (a list of it or of none, where `GET /api/profiles/:id` would answer 404). */
  id?: string;
  /** The traffic classes counted (engine/queries/traffic.ts, profileTraffic); every one when absent. */
  traffic?: TrafficSet;
}

export interface ListOptions<S extends string> {
  limit: number;
  cursor?: string | undefined;
  sort?: S;
  order?: 'asc' | 'desc';
}

/** The session row with its profile and previous visit ids and its context; `hint` picks the index of `s`. */
// The context through its key (migration 012), not through the session_context view: SQLite
// cannot flatten a view that has a join of its own into the right side of a LEFT JOIN, so it
// materialised the whole view for each session read (1.2 s a session at 10M events).
export const sessionSelect = (hint = ''): string => `SELECT s.*, p.id AS profile_id, prev.id AS previous_id, cs.value AS context FROM sessions s ${hint}
  JOIN profiles p ON p.pk = s.profile_pk LEFT JOIN sessions prev ON prev.pk = s.previous_pk
  LEFT JOIN session_context_refs cr ON cr.session_pk = s.pk LEFT JOIN event_strings cs ON cs.id = cr.context_ref`;
const SESSION_SELECT = sessionSelect();

function sessionSortValue(r: SessionJoinRow, sort: SessionSort): number {
  return sort === 'started' ? r.started_at : sort === 'last' ? r.last_at : sort === 'events' ? r.events : sort === 'pageViews' ? r.page_views : (r.duration ?? sessionDuration(r.started_at, r.last_at));
}

/**
 * A profile with its page views and events: the sums over its visits, plus its debug
 * events (all in the one debug session, found through their own partial index).
 */
const PROFILE_SELECT = `SELECT p.*, ${botOnlyProfile('p')} AS bot_only,
    coalesce((SELECT sum(s.page_views) FROM sessions s WHERE s.profile_pk = p.pk AND s.debug = 0), 0)
      + (SELECT count(*) FROM events e WHERE e.debug = 1 AND e.profile_pk = p.pk AND e.system = 0 AND e.type IN (${PAGE_VIEW_SQL})) AS views,
    coalesce((SELECT sum(s.events) FROM sessions s WHERE s.profile_pk = p.pk AND s.debug = 0), 0)
      + (SELECT count(*) FROM events e WHERE e.debug = 1 AND e.profile_pk = p.pk AND e.system = 0) AS events
  FROM profiles p`;

/** The WHERE terms of a session filter (the list's and its count's), values bound. */
function sessionWhere(f: SessionFilter): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const eq = (col: string, v: unknown) => {
    where.push(`${col} = ?`);
    params.push(v);
  };
  // Literal, not bound: the partial indexes on status are only usable then.
  if (f.status) where.push(f.status === 'active' ? 's.status = 0' : 's.status = 1');
  if (f.device) eq('s.device', f.device);
  if (f.channel) eq('s.channel', f.channel);
  if (f.browser) eq('s.browser', f.browser);
  if (f.os) eq('s.os', f.os);
  if (f.source) eq('s.source_id', f.source);
  if (f.profile) eq('p.id', f.profile);
  if (f.traffic !== undefined) where.push(sessionTraffic('s', f.traffic));
  if (f.from !== undefined) {
    where.push('s.started_at >= ?');
    params.push(f.from);
  }
  if (f.to !== undefined) {
    where.push('s.started_at < ?');
    params.push(f.to);
  }
  return { where, params };
}

function profileWhere(f: ProfileFilter): { where: string[]; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (f.id !== undefined) {
    where.push('p.id = ?');
    params.push(f.id);
  }
  if (f.traffic !== undefined) where.push(profileTraffic('p', f.traffic));
  return { where, params };
}

/** Read queries behind the admin API's lists and detail pages. */
export class ListQueries {
  private readonly st: StatementCache;
  constructor(db: DB) {
    this.st = new StatementCache(db);
  }

  getSession(id: string): SessionView | null {
    const r = this.st.get(`${SESSION_SELECT} WHERE s.id = ?`).get(id) as SessionJoinRow | undefined;
    return r ? sessionView(r) : null;
  }

  getSessionsByPk(pks: readonly number[]): SessionView[] {
    const stmt = this.st.get(`${SESSION_SELECT} WHERE s.pk = ?`);
    return pks.map((pk) => stmt.get(pk) as SessionJoinRow | undefined).filter((r) => r !== undefined).map(sessionView);
  }

  listSessions(f: SessionFilter, o: ListOptions<SessionSort>): Page<SessionView> {
    const sort = o.sort ?? 'started';
    const cursor = o.cursor ? decodeCursor(o.cursor) : null;
    const rows = this.sessionRows(f, o, cursor);
    const more = rows.length > o.limit;
    const items = rows.slice(0, o.limit).map(sessionView);
    const last = rows[o.limit - 1];
    return { items, next: more && last ? encodeCursor([sessionSortValue(last, sort), last.pk]) : null };
  }

  /**
   * How many sessions a filter matches. Without column filters the count reads one index
   * only: the covering index by start (sessions_started_traffic, which holds the class)
   * over the range, or the active sessions' own small index; a column filter (device,
   * channel, ...) adds one row lookup per session of the range.
   */
  countSessions(f: SessionFilter): number {
    const { where, params } = sessionWhere(f);
    const active = f.status === 'active' ? 'INDEXED BY sessions_active' : '';
    const sql = `SELECT count(*) FROM sessions s ${active} ${f.profile ? 'JOIN profiles p ON p.pk = s.profile_pk' : ''}
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
    return this.st.get(sql).pluck().get(...params) as number;
  }

  /** The sessions the filter matches but for their class, of each class it leaves out (by the same index as the count). */
  hiddenSessions(f: SessionFilter): TrafficCounts {
    const hidden = noTraffic();
    const out = f.traffic === undefined ? [] : leftOut(f.traffic);
    if (out.length === 0) return hidden;
    const { where, params } = sessionWhere({ ...f, traffic: new Set(out) });
    const active = f.status === 'active' ? 'INDEXED BY sessions_active' : '';
    const sql = `SELECT s.traffic AS cls, count(*) AS n FROM sessions s ${active} ${f.profile ? 'JOIN profiles p ON p.pk = s.profile_pk' : ''}
      WHERE ${where.join(' AND ')} GROUP BY s.traffic`;
    for (const r of this.st.get(sql).all(...params) as Array<{ cls: TrafficClass; n: number }>) hidden[TRAFFIC_NAME[r.cls]] = r.n;
    return hidden;
  }

  /** How many profiles a filter matches. */
  countProfiles(f: ProfileFilter): number {
    const { where, params } = profileWhere(f);
    return this.st.get(`SELECT count(*) FROM profiles p ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`).pluck().get(...params) as number;
  }

  /**
   * For each class the filter leaves out, the profiles that class alone keeps out of the list
   * (those counting it would add): "3 bot profiles hidden". A profile of several hidden
   * classes is in several counts.
   */
  hiddenProfiles(f: ProfileFilter, shown: number): TrafficCounts {
    const hidden = noTraffic();
    if (f.traffic === undefined) return hidden;
    for (const c of leftOut(f.traffic)) hidden[c] = this.countProfiles({ ...f, traffic: new Set([...f.traffic, c]) }) - shown;
    return hidden;
  }

  /** Up to `limit + 1` rows of one page, in order. */
  private sessionRows(f: SessionFilter, o: ListOptions<SessionSort>, cursor: Cursor | null): SessionJoinRow[] {
    const { where, params } = sessionWhere(f);
    const sort = o.sort ?? 'started';
    const order = o.order ?? 'desc';
    const expr = SESSION_SORTS[sort];
    const ks: string[] = [];
    const ksParams: unknown[] = [];
    keyset(expr, order, 's.pk', cursor, ks, ksParams);
    where.push(...ks);
    params.push(...ksParams);
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const orderBy = `ORDER BY ${expr} ${order}, s.pk ${order}`;
    // The active filter reads only the active sessions, through their own small index.
    const active = f.status === 'active' ? 'INDEXED BY sessions_active' : '';
    if (sort === 'started') {
      const sql = `${sessionSelect(active)} ${whereSql} ${orderBy} LIMIT ?`;
      return this.st.get(sql).all(...params, o.limit + 1) as SessionJoinRow[];
    }
    // Sort the keys of the range, then read the page's rows: the sorter holds (value, pk)
    // pairs, not whole rows with their context JSON.
    const keys = `SELECT s.pk FROM sessions s ${active} ${f.profile ? 'JOIN profiles p ON p.pk = s.profile_pk' : ''} ${whereSql} ${orderBy} LIMIT ?`;
    const sql = `${SESSION_SELECT} WHERE s.pk IN (${keys}) ${orderBy}`;
    return this.st.get(sql).all(...params, o.limit + 1) as SessionJoinRow[];
  }

  getProfile(id: string): ProfileView | null {
    const r = this.st.get(`${PROFILE_SELECT} WHERE p.id = ?`).get(id) as ProfileJoinRow | undefined;
    return r ? profileView(r) : null;
  }

  listProfiles(f: ProfileFilter, o: ListOptions<ProfileSort>): Page<ProfileView> {
    const { where, params } = profileWhere(f);
    const sort = o.sort ?? 'lastSeen';
    const order = o.order ?? 'desc';
    const expr = PROFILE_SORTS[sort];
    keyset(expr, order, 'p.pk', o.cursor ? decodeCursor(o.cursor) : null, where, params);
    const sql = `${PROFILE_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${expr} ${order}, p.pk ${order} LIMIT ?`;
    const rows = this.st.get(sql).all(...params, o.limit + 1) as ProfileJoinRow[];
    const more = rows.length > o.limit;
    const last = rows[o.limit - 1];
    const val = (r: ProfileJoinRow) => (sort === 'lastSeen' ? r.updated_at : sort === 'firstSeen' ? r.created_at : r.visit_count);
    return { items: rows.slice(0, o.limit).map(profileView), next: more && last ? encodeCursor([val(last), last.pk]) : null };
  }

  listSources(): Page<SourceView> {
    const rows = this.st.get('SELECT * FROM sources ORDER BY is_default DESC, created_at, id').all() as SourceRow[];
    return { items: rows.map(sourceView), next: null };
  }

  getSource(id: string): SourceView | null {
    const r = this.st.get('SELECT * FROM sources WHERE id = ?').get(id) as SourceRow | undefined;
    return r ? sourceView(r) : null;
  }
}
