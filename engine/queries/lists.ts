import type { DB } from '../db/database';
import type { SourceRow } from '../db/rows';
import { PAGE_VIEW_SQL, sessionDuration, sessionDurationSql } from '../../shared/rules';
import type { EventView, Page, ProfileView, SessionView, SourceView } from '../../shared/api';
import { decodeCursor, encodeCursor, type Cursor } from './cursor';
import { StatementCache } from './statements';
import { botOnlyProfile } from './traffic';
import { eventView, profileView, sessionView, sourceView, type EventJoinRow, type ProfileJoinRow, type SessionJoinRow } from './views';

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
  debug?: boolean;
  bot?: boolean;
}

export interface ProfileFilter {
  /** This one profile (a list of it or of none, where `GET /api/profiles/:id` would answer 404). */
  id?: string;
  /** Made only by debug traffic (or not). */
  debug?: boolean;
  /** Made only by bots (or not). */
  bot?: boolean;
}

export interface EventFilter {
  session?: string;
  profile?: string;
  type?: string;
  from?: number;
  to?: number;
  debug?: boolean;
  system?: boolean;
}

export interface ListOptions<S extends string> {
  limit: number;
  cursor?: string | undefined;
  sort?: S;
  order?: 'asc' | 'desc';
}

/** The session row with its profile and previous visit ids and its context; `hint` picks the index of `s`. */
const sessionSelect = (hint = ''): string => `SELECT s.*, p.id AS profile_id, prev.id AS previous_id, c.context AS context FROM sessions s ${hint}
  JOIN profiles p ON p.pk = s.profile_pk LEFT JOIN sessions prev ON prev.pk = s.previous_pk
  LEFT JOIN session_context c ON c.session_pk = s.pk`;
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
const EVENT_SELECT = `SELECT e.*, s.id AS session_id, s.bot AS session_bot, p.id AS profile_id FROM events e
  JOIN sessions s ON s.pk = e.session_pk JOIN profiles p ON p.pk = e.profile_pk`;

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
  if (f.debug !== undefined) eq('s.debug', f.debug ? 1 : 0);
  if (f.bot !== undefined) eq('s.bot', f.bot ? 1 : 0);
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

function keyset(expr: string, order: 'asc' | 'desc', pkCol: string, cursor: Cursor | null, where: string[], params: unknown[]): void {
  if (!cursor) return;
  const op = order === 'desc' ? '<' : '>';
  where.push(`(${expr} ${op} ? OR (${expr} = ? AND ${pkCol} ${op} ?))`);
  params.push(cursor[0], cursor[0], cursor[1]);
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
   * only: the covering index by start (sessions_started_visitor, which holds debug and bot)
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
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.debug !== undefined) {
      where.push('p.debug = ?');
      params.push(f.debug ? 1 : 0);
    }
    if (f.id !== undefined) {
      where.push('p.id = ?');
      params.push(f.id);
    }
    if (f.bot !== undefined) where.push(f.bot ? botOnlyProfile('p') : `NOT ${botOnlyProfile('p')}`);
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

  getEvent(id: string): EventView | null {
    const r = this.st.get(`${EVENT_SELECT} WHERE e.id = ?`).get(id) as EventJoinRow | undefined;
    return r ? eventView(r) : null;
  }

  getEventsByPk(pks: readonly number[]): EventView[] {
    const stmt = this.st.get(`${EVENT_SELECT} WHERE e.pk = ?`);
    return pks.map((pk) => stmt.get(pk) as EventJoinRow | undefined).filter((r) => r !== undefined).map(eventView);
  }

  listEvents(f: EventFilter, o: ListOptions<never>): Page<EventView> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.session !== undefined) {
      const pk = this.st.get('SELECT pk FROM sessions WHERE id = ?').pluck().get(f.session);
      if (pk === undefined) return { items: [], next: null };
      where.push('e.session_pk = ?');
      params.push(pk);
    }
    if (f.profile !== undefined) {
      const pk = this.st.get('SELECT pk FROM profiles WHERE id = ?').pluck().get(f.profile);
      if (pk === undefined) return { items: [], next: null };
      // Its visits' events, and its debug events (which all sit in the one debug session).
      where.push('(e.session_pk IN (SELECT pk FROM sessions WHERE profile_pk = ? AND debug = 0) OR (e.debug = 1 AND e.profile_pk = ?))');
      params.push(pk, pk);
    }
    if (f.type !== undefined) {
      where.push('e.type = ?');
      params.push(f.type);
    }
    if (f.debug !== undefined) {
      where.push('e.debug = ?');
      params.push(f.debug ? 1 : 0);
    }
    if (f.system !== undefined) {
      where.push('e.system = ?');
      params.push(f.system ? 1 : 0);
    }
    if (f.from !== undefined) {
      where.push('e.time >= ?');
      params.push(f.from);
    }
    if (f.to !== undefined) {
      where.push('e.time < ?');
      params.push(f.to);
    }
    const order = o.order ?? 'desc';
    keyset('e.pk', order, 'e.pk', o.cursor ? decodeCursor(o.cursor) : null, where, params);
    const sql = `${EVENT_SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY e.pk ${order} LIMIT ?`;
    const rows = this.st.get(sql).all(...params, o.limit + 1) as EventJoinRow[];
    const more = rows.length > o.limit;
    const last = rows[o.limit - 1];
    return { items: rows.slice(0, o.limit).map(eventView), next: more && last ? encodeCursor([last.pk, last.pk]) : null };
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
