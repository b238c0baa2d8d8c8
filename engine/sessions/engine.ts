import type { Statement } from 'better-sqlite3';
import type { DB } from '../db/database';
import type { SessionRow } from '../db/rows';
import type { Clock } from '../clock';
import { WalSync } from '../db/durable';
import { HttpError } from '../errors';
import { eventIdBatchPrefix, newEventId, newId } from '../util/ids';
import { LIMITS } from '../../shared/limits';
import type { EndReason } from '../../shared/api';
import type { TrackPayload, TrackResponse } from '../../shared/track';
import { CLS, RollupWriter, type TrafficClass } from '../stats/rollups';
import { DEFAULT_KEY_EVENT_TYPES, PAGE_VIEW_TYPES, REBUILD_SESSION_SQL, rebuildActiveSessions } from './counters';
import {
  browserContext,
  classifyChannel,
  durationBucket,
  extractUtm,
  pageKey,
  parseUrl,
  parseUserAgent,
  referrerHost,
  type UserAgentInfo,
} from './enrich';

/** Debug events all go to this one session, which never ends by timeout and counts no visits. */
export const DEBUG_SESSION_ID = '@debug-session';
export { DEFAULT_KEY_EVENT_TYPES, PAGE_VIEW_TYPES } from './counters';
/** Events the engine itself writes. */
export const SYSTEM_EVENT_TYPES = ['visit-started', 'visit-ended', 'profile-created'] as const;
/** Seconds of activity after which a one-page visit still counts as engaged (GA4). */
export const ENGAGED_SECONDS = 10;
/** Page views that make a visit engaged (GA4). */
export const ENGAGED_PAGE_VIEWS = 2;

/** A visit's duration in seconds: from its start to its last activity, never negative. */
function durationSeconds(startedAt: number, lastAt: number): number {
  return Math.max(0, (lastAt - startedAt) / 1000);
}

/** GA4's engaged-session rule, as the dashboard states it: enough page views, or long enough, or a key event. */
export function isEngaged(pageViews: number, durationSeconds: number, keyEvents: number): boolean {
  return pageViews >= ENGAGED_PAGE_VIEWS || durationSeconds >= ENGAGED_SECONDS || keyEvents > 0;
}

// ---- ending expired sessions in SQL --------------------------------------------------
// The sweeper ends sessions a chunk at a time with a handful of set-based statements over
// the chunk (temp.ending) instead of two statements per session: the per-statement cost of
// a row update and an event insert from JavaScript was half of the sweep's time. The event's
// SQL follows the rules `finish` applies to a single session in JavaScript (a test compares
// the two); the rollups are counted in JavaScript for both (countEnded), from the rows the
// UPDATE returns. `CROSS JOIN` pins the join order (SQLite never reorders it): the chunk
// first, each session by its key; left to the planner, with no statistics on the temp
// table, it may scan every session instead.

/** A session's duration in integer ms (end = last activity), never negative. */
const DURATION_MS_SQL = 'max(0, s.last_at - s.started_at)';
/** The same in seconds, written as JSON.stringify writes durationSeconds (20, not 20.0). */
const DURATION_SQL = `CASE WHEN ${DURATION_MS_SQL} % 1000 = 0 THEN ${DURATION_MS_SQL} / 1000 ELSE ${DURATION_MS_SQL} / 1000.0 END`;
const ENGAGED_SQL = `(s.page_views >= ${ENGAGED_PAGE_VIEWS} OR ${DURATION_MS_SQL} >= ${ENGAGED_SECONDS * 1000} OR s.key_events > 0)`;
/** The chunk of expired sessions a sweep step ends: the longest idle first. */
export const PICK_EXPIRED_SQL = `INSERT INTO temp.ending (pk)
  SELECT pk FROM sessions WHERE status = 0 AND debug = 0 AND last_at < ? ORDER BY last_at LIMIT ?`;
/**
 * The chunk's visit-ended events, with the properties `finish` writes (numbers from the rows,
 * as it does). Their ids are UUIDv7s: a fresh prefix per chunk and the session's key (one
 * visit-ended event per session).
 */
export const ENDING_EVENTS_SQL = `INSERT INTO events (id, type, time, session_pk, profile_pk, source_id, debug, system, page_url, properties)
  SELECT @idPrefix || printf('%012x', s.pk), 'visit-ended', @now, s.pk, s.profile_pk, s.source_id, 0, 1, s.exit_page,
    json_object('reason', @reason, 'duration', ${DURATION_SQL}, 'events', s.events, 'pageViews', s.page_views,
      'keyEvents', s.key_events, 'engaged', json(CASE WHEN ${ENGAGED_SQL} THEN 'true' ELSE 'false' END))
  FROM temp.ending e CROSS JOIN sessions s ON s.pk = e.pk`;
export const ENDING_UPDATE_SQL = `UPDATE sessions AS s SET status = 1, ended_at = last_at, duration = ${DURATION_MS_SQL} / 1000.0, end_reason = ?
  WHERE pk IN (SELECT pk FROM temp.ending)
  RETURNING pk, started_at, last_at, page_views, key_events, exit_page, debug, bot`;

/** What ENDING_UPDATE_SQL returns of each session it ended (raw rows). */
type EndedRow = [pk: number, startedAt: number, lastAt: number, pageViews: number, keyEvents: number, exitPage: string | null, debug: number, bot: number];

/** What the engine tells listeners after each commit: rows that are new or changed. */
export interface CommitNotice {
  /** Primary keys of events written, in order. */
  events: number[];
  /** Sessions started. */
  started: number[];
  /** Sessions ended. */
  ended: number[];
}

export interface TrackMeta {
  /** The request's User-Agent header (used when the payload's context has none). */
  userAgent: string | null;
  /** When it happened, ms; default the engine's clock at commit (set only by the seeder). */
  at?: number;
}

export interface EngineOptions {
  db: DB;
  clock: Clock;
  /** Inactivity that ends a session, in milliseconds. */
  sessionTimeoutMs: number;
  keyEventTypes?: readonly string[];
  /**
   * Answer only once the write-ahead log is on disk (default). The seeder, which writes a
   * history it can write again, turns it off.
   */
  durable?: boolean;
}

interface PreparedEvent {
  id: string;
  /** The id came from the client: a retry may send it again. */
  clientId: boolean;
  type: string;
  debug: boolean;
  properties: string;
  context: string | null;
  pageUrl: string | null;
  page: Record<string, unknown> | null;
}

interface PreparedRequest {
  sourceId: string;
  sessionId: string | null;
  profileId: string | null;
  context: Record<string, unknown>;
  userAgent: string;
  at: number | null;
  events: PreparedEvent[];
  resolve: (r: TrackResponse) => void;
  reject: (e: unknown) => void;
}

/** An active session as the engine keeps it in memory: the only copy that is up to date. */
interface SessionState {
  pk: number;
  id: string;
  clientId: string;
  profilePk: number;
  profileId: string;
  sourceId: string;
  debug: boolean;
  cls: TrafficClass;
  startedAt: number;
  lastAt: number;
  events: number;
  pageViews: number;
  keyEvents: number;
  landingPage: string | null;
  exitPage: string | null;
  landingKey: string | null;
  exitKey: string | null;
  /** Lookup keys this state is cached under. */
  keys: string[];
}

/** The columns of a session row that ending it one at a time reads. */
type EndingRow = Pick<
  SessionRow,
  'pk' | 'id' | 'profile_pk' | 'source_id' | 'debug' | 'bot' | 'started_at' | 'last_at' | 'events' | 'page_views' | 'key_events' | 'landing_page' | 'exit_page'
>;

interface ProfileState {
  pk: number;
  id: string;
  visitCount: number;
  debug: boolean;
}

const PROFILE_CACHE_MAX = 50_000;
/** Idle time after which an active session's state may leave memory (see trimCache). */
const CACHE_IDLE_MS = 20_000;
const PAGE_KEY_CACHE_MAX = 10_000;
const pageKeys = new Map<string, string | null>();

/**
 * `pageKey` of a page URL, cached: a site has a few hundred pages, and parsing the same URL
 * for every page view and every ended session was a measurable part of both.
 */
function pageKeyOf(raw: string | null): string | null {
  if (raw === null) return null;
  let key = pageKeys.get(raw);
  if (key === undefined) {
    key = pageKey(parseUrl(raw), raw);
    if (pageKeys.size >= PAGE_KEY_CACHE_MAX) pageKeys.clear();
    pageKeys.set(raw, key);
  }
  return key;
}

/** The traffic class a session's rollups are kept under. */
function classOf(row: Pick<SessionRow, 'debug' | 'bot'>): TrafficClass {
  return row.debug === 1 ? CLS.debug : row.bot === 1 ? CLS.bot : CLS.people;
}

function asObject(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

function asString(v: unknown, max = 256): string | null {
  return typeof v === 'string' && v !== '' ? v.slice(0, max) : null;
}

function isStorageFull(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === 'SQLITE_FULL' || code === 'SQLITE_IOERR' || (typeof code === 'string' && code.startsWith('SQLITE_IOERR'));
}

/**
 * The session engine: turns tracker payloads into events, sessions and profiles, ends
 * sessions, and keeps the rollups in step, all in SQLite transactions.
 *
 * Writes use group commit: requests that arrive in the same turn of the event loop are
 * written in one transaction, and each is answered only after that transaction commits.
 *
 * Events, new sessions and profiles, ended sessions and rollups are written as they happen.
 * An active session's counters (last activity, events, page views, landing and exit page)
 * live in memory and reach its row in batches: `syncCounters()` runs before every admin
 * read, every sweep and at shutdown. The events are the record: after a crash, or a failed
 * transaction, the counters of the sessions concerned are rebuilt from them.
 */
export class SessionEngine {
  readonly db: DB;
  private readonly clock: Clock;
  private timeoutMs: number;
  private keyTypes: Set<string>;
  private readonly rollups: RollupWriter;
  private readonly listeners = new Set<(n: CommitNotice) => void>();

  private pending: PreparedRequest[] = [];
  private readonly walSync: WalSync | null;
  /** Commits whose answers wait for their fsync. */
  private answering = 0;
  private flushScheduled = false;
  private closed = false;
  private isPaused = false;

  private sources = new Map<string, boolean>();
  private readonly byKey = new Map<string, SessionState>();
  private readonly byPk = new Map<number, SessionState>();
  private profiles = new Map<string, ProfileState>();

  /** Active sessions whose counters changed since their row was last written. */
  private readonly dirtySessions = new Set<SessionState>();
  private dirtyWritten = false;
  /** Sessions whose row may be behind their committed events: rebuilt before the next write. */
  private readonly stale = new Set<number>();

  // Per-transaction scratch, reset by each write.
  private notice: CommitNotice = { events: [], started: [], ended: [] };
  private seenEventIds = new Set<string>();
  /** Profiles created in this transaction whose profile-created event is not written yet. */
  private unannounced = new Set<number>();

  private readonly q: {
    sourceAll: Statement;
    eventExists: Statement;
    insertEvent: Statement;
    continuationOf: Statement;
    sessionById: Statement;
    sessionByPk: Statement;
    insertSession: Statement;
    insertContext: Statement;
    updateSession: Statement;
    rebuildSession: Statement;
    runState: Statement;
    setRunState: Statement;
    endSession: Statement;
    profileById: Statement;
    profileIdByPk: Statement;
    insertProfile: Statement;
    profileVisit: Statement;
    pickExpired: Statement;
    endingEvents: Statement;
    endingUpdate: Statement;
    endingClear: Statement;
  };

  constructor(opts: EngineOptions) {
    this.db = opts.db;
    this.clock = opts.clock;
    this.timeoutMs = opts.sessionTimeoutMs;
    this.keyTypes = new Set(opts.keyEventTypes ?? DEFAULT_KEY_EVENT_TYPES);
    this.rollups = new RollupWriter(this.db);
    this.walSync = opts.durable === false ? null : new WalSync(`${this.db.name}-wal`);
    const db = this.db;
    // The chunk of sessions the sweeper is ending: a temp table, so it rolls back with the transaction.
    db.exec('CREATE TEMP TABLE IF NOT EXISTS ending (pk INTEGER PRIMARY KEY)');
    this.q = {
      sourceAll: db.prepare('SELECT id, enabled FROM sources'),
      eventExists: db.prepare('SELECT 1 FROM events WHERE id = ?').pluck(),
      insertEvent: db.prepare(`INSERT INTO events (id, type, time, session_pk, profile_pk, source_id, debug, system, page_url, properties, context)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      continuationOf: db.prepare('SELECT * FROM sessions WHERE previous_pk = ? ORDER BY pk DESC LIMIT 1'),
      sessionById: db.prepare('SELECT * FROM sessions WHERE id = ?'),
      sessionByPk: db.prepare('SELECT * FROM sessions WHERE pk = ?'),
      insertSession: db.prepare(`INSERT INTO sessions (id, client_id, previous_pk, profile_pk, source_id, status, debug, bot,
          started_at, last_at, visit_number, is_returning, device, browser, browser_version, os, os_version, language, tz,
          referrer_host, channel, utm_source, utm_medium, utm_campaign, utm_term, utm_content)
        VALUES (@id, @clientId, @previousPk, @profilePk, @sourceId, 0, @debug, @bot, @startedAt, @startedAt, @visitNumber, @returning,
          @device, @browser, @browserVersion, @os, @osVersion, @language, @tz, @referrerHost, @channel,
          @utmSource, @utmMedium, @utmCampaign, @utmTerm, @utmContent)`),
      insertContext: db.prepare('INSERT INTO session_context (session_pk, context) VALUES (?, ?)'),
      updateSession: db.prepare(`UPDATE sessions SET last_at = ?, events = ?, page_views = ?, key_events = ?,
        landing_page = ?, exit_page = ? WHERE pk = ?`),
      rebuildSession: db.prepare(REBUILD_SESSION_SQL),
      runState: db.prepare('SELECT clean FROM run_state WHERE id = 1').pluck(),
      setRunState: db.prepare('UPDATE run_state SET clean = ? WHERE id = 1'),
      endSession: db.prepare(`UPDATE sessions SET status = 1, last_at = ?, ended_at = ?, duration = ?, end_reason = ?,
        events = ?, page_views = ?, key_events = ?, landing_page = ?, exit_page = ? WHERE pk = ?`),
      profileById: db.prepare('SELECT pk, id, visit_count, debug FROM profiles WHERE id = ?'),
      profileIdByPk: db.prepare('SELECT id FROM profiles WHERE pk = ?').pluck(),
      insertProfile: db.prepare(`INSERT INTO profiles (id, created_at, updated_at, tz, debug) VALUES (?, ?, ?, ?, ?)`),
      // A visit is real traffic: the profile is no longer debug-only, and was last seen now.
      profileVisit: db.prepare(`UPDATE profiles SET visit_last = visit_current, visit_current = @now, visit_count = visit_count + 1,
        updated_at = @now, tz = coalesce(@tz, tz), debug = 0 WHERE pk = @pk`),
      pickExpired: db.prepare(PICK_EXPIRED_SQL),
      endingEvents: db.prepare(ENDING_EVENTS_SQL),
      endingUpdate: db.prepare(ENDING_UPDATE_SQL).raw(),
      endingClear: db.prepare('DELETE FROM temp.ending'),
    };
    this.reloadSources();
    this.recover();
  }

  /**
   * At start: if the last run did not stop cleanly (a crash, kill -9, power loss), the rows
   * of its active sessions may lag their events; rebuild them. Then mark this run as
   * running, so that a crash of it is recognised next time.
   */
  private recover(): void {
    this.db.transaction(() => {
      if (this.q.runState.get() !== 1) rebuildActiveSessions(this.db, [...this.keyTypes]);
      this.q.setRunState.run(0);
    })();
  }

  /** Rebuilds the rows of stale sessions from their events (inside a write transaction). */
  private rebuildStale(): void {
    const keyTypes = JSON.stringify([...this.keyTypes]);
    for (const pk of this.stale) this.q.rebuildSession.run({ pk, keyTypes });
  }

  // ---- configuration -------------------------------------------------------------------

  /** The engine's clock reading. */
  now(): number {
    return this.clock.now();
  }

  get sessionTimeoutMs(): number {
    return this.timeoutMs;
  }

  /** Takes effect at once: for the next event and the next sweep. */
  setSessionTimeout(ms: number): void {
    this.timeoutMs = ms;
  }

  setKeyEventTypes(types: readonly string[]): void {
    this.keyTypes = new Set(types);
  }

  /** While paused (the desktop app's "Pause collecting"), `/track` answers 503 and stores nothing. */
  get paused(): boolean {
    return this.isPaused;
  }

  setPaused(paused: boolean): void {
    this.isPaused = paused;
  }

  /** Re-reads which sources exist and are enabled (after the sources API changed them). */
  reloadSources(): void {
    const rows = this.q.sourceAll.all() as Array<{ id: string; enabled: number }>;
    this.sources = new Map(rows.map((r) => [r.id, r.enabled === 1]));
  }

  onCommit(listener: (n: CommitNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Number of sessions active right now that the engine holds in memory. */
  get cachedActiveSessions(): number {
    return this.byPk.size;
  }

  // ---- tracking ------------------------------------------------------------------------

  /**
   * Accepts a validated payload. Resolves after the events are committed; rejects with an
   * HttpError (401 unknown source, 422 an event too large, 503 storage full or closing).
   */
  track(payload: TrackPayload, meta: TrackMeta): Promise<TrackResponse> {
    if (this.closed) return Promise.reject(new HttpError(503, 'Footfall is shutting down; retry in a moment.'));
    if (this.isPaused) return Promise.reject(new HttpError(503, 'Collecting is paused in Footfall; resume it from the tray or menu.'));
    const sourceId = payload.source.id;
    const enabled = this.sources.get(sourceId);
    if (enabled === undefined) return Promise.reject(new HttpError(401, `source.id: unknown event source "${sourceId}".`));
    if (!enabled) return Promise.reject(new HttpError(401, `source.id: event source "${sourceId}" is disabled.`));

    const context = payload.context ?? {};
    const userAgent = browserContext(context).userAgent ?? meta.userAgent ?? '';
    // Events sent with the debug session's id are debug events too: that session belongs to
    // the debugger and never holds a visit.
    const payloadDebug = payload.options?.debugger === true || payload.session?.id === DEBUG_SESSION_ID;
    const payloadPage = asObject(context.page);
    const events: PreparedEvent[] = [];
    const list = payload.events ?? [];
    for (let i = 0; i < list.length; i++) {
      const ev = list[i]!;
      const ctx = ev.context ?? null;
      const properties = ev.properties === undefined ? '{}' : JSON.stringify(ev.properties);
      const ctxJson = ctx === null ? null : JSON.stringify(ctx);
      const size = properties.length + (ctxJson?.length ?? 0);
      if (size > LIMITS.eventJsonChars) {
        return Promise.reject(
          new HttpError(422, `events[${i}]: properties and context are ${size} characters of JSON, more than the ${LIMITS.eventJsonChars} allowed.`),
        );
      }
      const page = asObject(ctx?.page) ?? payloadPage;
      events.push({
        id: ev.id ?? '',
        clientId: ev.id !== undefined,
        type: ev.type,
        debug: payloadDebug || ev.options?.debugger === true,
        properties,
        context: ctxJson,
        pageUrl: asString(page?.url, 2048),
        page,
      });
    }
    return new Promise<TrackResponse>((resolve, reject) => {
      this.pending.push({
        sourceId,
        sessionId: payload.session?.id ?? null,
        profileId: payload.profile?.id ?? null,
        context,
        userAgent,
        at: meta.at ?? null,
        events,
        resolve,
        reject,
      });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Writes every pending request in one transaction and answers each after the commit. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const responses: TrackResponse[] = [];
    try {
      this.write(() => {
        for (const req of batch) responses.push(this.processRequest(req));
      });
    } catch (err) {
      const e = isStorageFull(err)
        ? new HttpError(503, 'Storage is full or failing: nothing from this request was stored. Free disk space and retry.')
        : err;
      for (const req of batch) req.reject(e);
      return;
    }
    if (this.walSync === null) {
      for (let i = 0; i < batch.length; i++) batch[i]!.resolve(responses[i]!);
      return;
    }
    // Answer once the log holding this commit is on disk (see WalSync).
    this.answering++;
    this.walSync.afterSync((err) => {
      this.answering--;
      if (err) {
        // Committed, but not known to be on disk: say so; a retry with the same event ids
        // stores nothing twice.
        const e = new HttpError(503, `Storage is failing (${err.message}): the events may not be safe on disk. Retry.`);
        for (const req of batch) req.reject(e);
        return;
      }
      for (let i = 0; i < batch.length; i++) batch[i]!.resolve(responses[i]!);
    });
  }

  /**
   * Runs `fn` in a write transaction with fresh per-transaction state, then tells
   * listeners what changed. On failure the in-memory caches are dropped, so nothing the
   * rolled-back transaction did survives in memory either.
   */
  private write<T>(fn: () => T): T {
    this.notice = { events: [], started: [], ended: [] };
    this.seenEventIds.clear();
    this.unannounced.clear();
    this.dirtyWritten = false;
    let result: T;
    try {
      result = this.db.transaction(() => {
        if (this.stale.size > 0) this.rebuildStale();
        const r = fn();
        this.rollups.flush();
        return r;
      })();
    } catch (err) {
      this.rollups.discard();
      // Memory may now hold counts of events that were never stored, and rows may lag
      // counts that were: forget the one, rebuild the other from the events.
      for (const st of this.dirtySessions) this.stale.add(st.pk);
      this.dirtySessions.clear();
      this.dropCaches();
      throw err;
    }
    this.stale.clear();
    if (this.dirtyWritten) this.dirtySessions.clear();
    const notice = this.notice;
    if (this.listeners.size > 0 && (notice.events.length > 0 || notice.started.length > 0 || notice.ended.length > 0)) {
      for (const l of this.listeners) l(notice);
    }
    return result;
  }

  private dropCaches(): void {
    this.byKey.clear();
    this.byPk.clear();
    this.profiles.clear();
  }

  private processRequest(req: PreparedRequest): TrackResponse {
    const now = req.at ?? this.clock.now();
    const warnings: string[] = [];
    const clientSessionId = req.sessionId ?? newId();
    const ua = parseUserAgent(req.userAgent);
    const eventIds: string[] = [];
    /** The payload's own profile, resolved when first needed (debug events, new visits). */
    let reqProfile: ProfileState | null = null;
    let answerProfile: ProfileState | null = null;
    let answerSession = clientSessionId;

    for (const ev of req.events) {
      if (ev.clientId) {
        eventIds.push(ev.id);
        if (this.seenEventIds.has(ev.id) || this.q.eventExists.get(ev.id) !== undefined) continue; // a retry: stored already
        this.seenEventIds.add(ev.id);
      } else {
        ev.id = newEventId(now);
        eventIds.push(ev.id);
      }
      let s: SessionState;
      let profile: ProfileState;
      if (ev.debug) {
        profile = reqProfile ??= this.profileFor(req.profileId, null, req, now, true);
        const found = this.activeSession(DEBUG_SESSION_ID, now);
        s = found?.state ?? this.startSession(DEBUG_SESSION_ID, profile, null, req, ev, ua, now);
        // A request of debug events only is answered with the debug session.
        if (answerProfile === null) {
          answerProfile = profile;
          answerSession = s.id;
        }
      } else {
        const found = this.activeSession(clientSessionId, now);
        if (found?.state) {
          s = found.state;
          profile = this.profileOf(s);
          if (req.profileId !== null && req.profileId !== s.profileId && warnings.length === 0) {
            warnings.push(`profile.id "${req.profileId}" is not the profile of session "${s.id}"; its events were kept with profile "${s.profileId}".`);
          }
        } else {
          const ended = found?.ended ?? null;
          profile = req.profileId === null && ended === null ? (reqProfile ??= this.profileFor(null, null, req, now, false)) : this.profileFor(req.profileId, ended, req, now, false);
          s = this.startSession(clientSessionId, profile, ended, req, ev, ua, now);
        }
        answerProfile = profile;
        answerSession = s.id;
      }
      this.announceProfile(profile, s, now);
      this.recordEvent(s, profile, ev, req.sourceId, now);
      // Never the debug session, even for a plain event that names it: it must stay open,
      // or the next debug event would start a second session with its fixed id.
      if (ev.type === 'logout' && !ev.debug && !s.debug) this.endState(s, 'logout', now);
    }
    answerProfile ??= req.profileId !== null ? this.findProfile(req.profileId) : null;
    return {
      profile: { id: answerProfile?.id ?? req.profileId ?? newId() },
      session: { id: answerSession },
      events: eventIds,
      ux: [],
      response: {},
      errors: [],
      warnings,
    };
  }

  /**
   * What a lookup key (a session id as a tracker sends it) points at: the active session,
   * or the ended one a new visit would continue, or nothing. A session idle past the
   * timeout is ended here, exactly as the sweeper would, even if the sweeper has not run.
   */
  private activeSession(key: string, now: number): { state: SessionState; ended?: undefined } | { state?: undefined; ended: SessionRow } | null {
    let state = this.byKey.get(key);
    if (!state) {
      const row = this.findSessionRow(key);
      if (row === null) return null;
      if (row.status !== 0) return { ended: row };
      state = this.byPk.get(row.pk) ?? this.stateFromRow(row);
      state.keys.push(key);
      this.byKey.set(key, state);
      this.byPk.set(row.pk, state);
    }
    if (!state.debug && now - state.lastAt > this.timeoutMs) {
      this.endState(state, 'timeout', now);
      return { ended: this.q.sessionByPk.get(state.pk) as SessionRow };
    }
    return { state };
  }

  /**
   * The session a tracker's session id names: the session with that id, or, when that one
   * ended, the newest visit continuing it (trackers keep their id for a while).
   */
  private findSessionRow(key: string): SessionRow | null {
    let row = (this.q.sessionById.get(key) as SessionRow | undefined) ?? null;
    while (row !== null && row.status !== 0) {
      const next = this.q.continuationOf.get(row.pk) as SessionRow | undefined;
      if (next === undefined) break;
      row = next;
    }
    return row;
  }

  private stateFromRow(row: SessionRow): SessionState {
    const profileId = (this.q.profileIdByPk.get(row.profile_pk) as string | undefined) ?? '';
    return {
      pk: row.pk,
      id: row.id,
      clientId: row.client_id,
      profilePk: row.profile_pk,
      profileId,
      sourceId: row.source_id,
      debug: row.debug === 1,
      cls: classOf(row),
      startedAt: row.started_at,
      lastAt: row.last_at,
      events: row.events,
      pageViews: row.page_views,
      keyEvents: row.key_events,
      landingPage: row.landing_page,
      exitPage: row.exit_page,
      landingKey: pageKeyOf(row.landing_page),
      exitKey: pageKeyOf(row.exit_page),
      keys: [],
    };
  }

  private findProfile(id: string): ProfileState | null {
    const hit = this.profiles.get(id);
    if (hit) return hit;
    const row = this.q.profileById.get(id) as { pk: number; id: string; visit_count: number; debug: number } | undefined;
    if (!row) return null;
    return this.cacheProfile({ pk: row.pk, id: row.id, visitCount: row.visit_count, debug: row.debug === 1 });
  }

  private cacheProfile(p: ProfileState): ProfileState {
    if (this.profiles.size >= PROFILE_CACHE_MAX) this.profiles.clear();
    this.profiles.set(p.id, p);
    return p;
  }

  private profileOf(s: SessionState): ProfileState {
    return this.findProfile(s.profileId) ?? { pk: s.profilePk, id: s.profileId, visitCount: 0, debug: false };
  }

  /**
   * The profile of a new visit: the one the payload names (created with that id if it is
   * new: Footfall adopts the ids a test site chooses), else the ended visit's profile (the
   * same visitor coming back), else a new profile.
   */
  private profileFor(id: string | null, ended: SessionRow | null, req: PreparedRequest, now: number, debug: boolean): ProfileState {
    if (id === null && ended !== null) {
      const known = this.q.profileIdByPk.get(ended.profile_pk) as string | undefined;
      if (known !== undefined) id = known;
    }
    if (id !== null) {
      const found = this.findProfile(id);
      if (found) return found;
    }
    const tz = asString(asObject(req.context.time)?.tz, 64);
    const newId_ = id ?? newId();
    const pk = Number(this.q.insertProfile.run(newId_, now, now, tz, debug ? 1 : 0).lastInsertRowid);
    this.unannounced.add(pk);
    return this.cacheProfile({ pk, id: newId_, visitCount: 0, debug });
  }

  /** Writes `profile-created` into the first session the new profile appears in. */
  private announceProfile(profile: ProfileState, s: SessionState, now: number): void {
    if (this.unannounced.delete(profile.pk)) {
      this.insertSystemEvent('profile-created', s.pk, profile.pk, s.sourceId, s.debug, now, { id: profile.id }, null);
    }
  }

  private startSession(
    key: string,
    profile: ProfileState,
    previous: SessionRow | null,
    req: PreparedRequest,
    first: PreparedEvent,
    ua: UserAgentInfo,
    now: number,
  ): SessionState {
    const debug = first.debug;
    const ctx = req.context;
    const url = parseUrl(first.pageUrl);
    const refHost = referrerHost(first.page, url);
    const utm = extractUtm(url, ctx.utm ?? first.page?.utm);
    const channel = classifyChannel(utm, refHost);
    const browser = browserContext(ctx);
    const tz = asString(asObject(ctx.time)?.tz, 64);
    const cls: TrafficClass = debug ? CLS.debug : ua.bot ? CLS.bot : CLS.people;
    const visitNumber = debug ? 0 : profile.visitCount + 1;
    const id = debug ? DEBUG_SESSION_ID : previous !== null ? this.continuationId(previous.client_id) : key;

    if (!debug) {
      this.q.profileVisit.run({ now, tz, pk: profile.pk });
      profile.visitCount = visitNumber;
      profile.debug = false;
    }
    const resolution = browser.screen ? `${browser.screen.width}x${browser.screen.height}` : null;
    const stored: Record<string, unknown> = { ...ctx };
    delete stored.page;
    stored.device = { brand: ua.deviceBrand, model: ua.deviceModel, resolution };
    if (browser.userAgent === null) stored.userAgent = req.userAgent;
    const info = {
      id,
      clientId: debug ? DEBUG_SESSION_ID : previous !== null ? previous.client_id : key,
      previousPk: previous?.pk ?? null,
      profilePk: profile.pk,
      sourceId: req.sourceId,
      debug: debug ? 1 : 0,
      bot: ua.bot ? 1 : 0,
      startedAt: now,
      visitNumber,
      returning: visitNumber > 1 ? 1 : 0,
      device: ua.device,
      browser: ua.browser,
      browserVersion: ua.browserVersion,
      os: ua.os,
      osVersion: ua.osVersion,
      language: browser.language,
      tz,
      referrerHost: refHost,
      channel,
      utmSource: utm.source,
      utmMedium: utm.medium,
      utmCampaign: utm.campaign,
      utmTerm: utm.term,
      utmContent: utm.content,
    };
    const pk = Number(this.q.insertSession.run(info).lastInsertRowid);
    this.q.insertContext.run(pk, JSON.stringify(stored).slice(0, 16_384));
    const state: SessionState = {
      pk,
      id,
      clientId: info.clientId,
      profilePk: profile.pk,
      profileId: profile.id,
      sourceId: req.sourceId,
      debug,
      cls,
      startedAt: now,
      lastAt: now,
      events: 0,
      pageViews: 0,
      keyEvents: 0,
      landingPage: null,
      exitPage: null,
      landingKey: null,
      exitKey: null,
      keys: [key],
    };
    this.byKey.set(key, state);
    this.byPk.set(pk, state);
    this.notice.started.push(pk);

    this.announceProfile(profile, state, now);
    if (!debug) {
      this.insertSystemEvent('visit-started', pk, profile.pk, req.sourceId, false, now, {
        visitNumber,
        returning: visitNumber > 1,
        previousSession: previous ? { id: previous.id } : null,
        channel,
      }, first.pageUrl);
      const r = this.rollups;
      r.addSession(now, cls, { sessions: 1, newProfiles: visitNumber === 1 ? 1 : 0 });
      r.addDim('browser', now, cls, ua.browser ?? 'Unknown');
      r.addDim('os', now, cls, ua.os ?? 'Unknown');
      r.addDim('device', now, cls, ua.device);
      r.addDim('channel', now, cls, channel);
      if (refHost) r.addDim('referrer', now, cls, refHost);
      if (utm.source) r.addDim('utm_source', now, cls, utm.source);
      if (utm.medium) r.addDim('utm_medium', now, cls, utm.medium);
      if (utm.campaign) r.addDim('utm_campaign', now, cls, utm.campaign);
      r.addDim('visit_number', now, cls, visitNumber >= 10 ? '10+' : String(visitNumber));
    }
    return state;
  }

  /** `ID~2`, `ID~3`, ...: the first free id of the visits continuing the tracker's id `clientId`. */
  private continuationId(clientId: string): string {
    for (let i = 2; ; i++) {
      const candidate = `${clientId}~${i}`;
      if (this.q.sessionById.get(candidate) === undefined) return candidate;
    }
  }

  private insertSystemEvent(
    type: (typeof SYSTEM_EVENT_TYPES)[number],
    sessionPk: number,
    profilePk: number,
    sourceId: string,
    debug: boolean,
    now: number,
    properties: Record<string, unknown>,
    pageUrl: string | null,
  ): void {
    const r = this.q.insertEvent.run(newEventId(now), type, now, sessionPk, profilePk, sourceId, debug ? 1 : 0, 1, pageUrl, JSON.stringify(properties), null);
    this.notice.events.push(Number(r.lastInsertRowid));
  }

  private recordEvent(s: SessionState, profile: ProfileState, ev: PreparedEvent, sourceId: string, now: number): void {
    const r = this.q.insertEvent.run(ev.id, ev.type, now, s.pk, profile.pk, sourceId, ev.debug ? 1 : 0, 0, ev.pageUrl, ev.properties, ev.context);
    this.notice.events.push(Number(r.lastInsertRowid));
    const isView = PAGE_VIEW_TYPES.has(ev.type);
    s.lastAt = now;
    s.events++;
    if (isView) {
      s.pageViews++;
      if (ev.pageUrl !== null) {
        const key = pageKeyOf(ev.pageUrl);
        if (s.landingPage === null) {
          s.landingPage = ev.pageUrl;
          s.landingKey = key;
          if (!s.debug && key !== null) this.rollups.addDim('landing', s.startedAt, s.cls, key);
        }
        s.exitPage = ev.pageUrl;
        s.exitKey = key;
        if (key !== null) this.rollups.addDim('page', now, s.cls, key);
      }
    }
    if (this.keyTypes.has(ev.type)) s.keyEvents++;
    this.dirtySessions.add(s);
    this.rollups.addDim('event_type', now, s.cls, ev.type);
  }

  /** Writes the counters of every dirty active session (inside a write transaction). */
  private writeDirty(): void {
    for (const s of this.dirtySessions) {
      if (this.byPk.get(s.pk) !== s) continue; // ended since: its row was written whole then
      this.q.updateSession.run(s.lastAt, s.events, s.pageViews, s.keyEvents, s.landingPage, s.exitPage, s.pk);
    }
    this.dirtyWritten = true;
  }

  /**
   * Brings the rows of active sessions up to date with memory (cheap when nothing changed).
   * Readers call it first, so every answer reflects every acknowledged event. Returns false
   * when the write failed (a full disk): the rows then hold what was committed, and are
   * brought up to date by the next write that succeeds.
   */
  syncCounters(): boolean {
    if (this.dirtySessions.size === 0 && this.stale.size === 0) return true;
    try {
      this.write(() => this.writeDirty());
      return true;
    } catch {
      return false;
    }
  }

  // ---- ending sessions ---------------------------------------------------------------

  /** Ends an active session held in memory (it leaves the cache). */
  private endState(s: SessionState, reason: EndReason, now: number): void {
    this.finish(s, reason, now);
    this.forget(s);
  }

  /** Takes a session's state out of memory (its row is up to date, or it ended). */
  private forget(s: SessionState): void {
    for (const k of s.keys) if (this.byKey.get(k) === s) this.byKey.delete(k);
    this.byPk.delete(s.pk);
  }

  private finish(
    s: Omit<SessionState, 'keys' | 'clientId' | 'profileId' | 'debug' | 'landingKey'>,
    reason: EndReason,
    now: number,
  ): void {
    const duration = durationSeconds(s.startedAt, s.lastAt);
    this.q.endSession.run(s.lastAt, s.lastAt, duration, reason, s.events, s.pageViews, s.keyEvents, s.landingPage, s.exitPage, s.pk);
    const engaged = isEngaged(s.pageViews, duration, s.keyEvents);
    // The same properties, in the same order, as ENDING_EVENTS_SQL writes for the sweeper.
    this.insertSystemEvent('visit-ended', s.pk, s.profilePk, s.sourceId, false, now, {
      reason,
      duration,
      events: s.events,
      pageViews: s.pageViews,
      keyEvents: s.keyEvents,
      engaged,
    }, s.exitPage);
    this.notice.ended.push(s.pk);
    this.countEnded(s.startedAt, s.cls, duration, engaged, s.pageViews, s.exitKey);
  }

  /** The rollups of an ended session: the sweeper's chunks and `finish` both count through here. */
  private countEnded(startedAt: number, cls: TrafficClass, duration: number, engaged: boolean, pageViews: number, exitKey: string | null): void {
    const r = this.rollups;
    r.addSession(startedAt, cls, { ended: 1, engaged: engaged ? 1 : 0, durationSum: duration, pageViews });
    r.addDim('duration', startedAt, cls, durationBucket(duration));
    if (exitKey !== null) r.addDim('exit', startedAt, cls, exitKey);
  }

  private finishRow(row: EndingRow, reason: EndReason, now: number): void {
    const cached = this.byPk.get(row.pk);
    if (cached) {
      this.endState(cached, reason, now);
      return;
    }
    this.finish(
      {
        pk: row.pk,
        id: row.id,
        profilePk: row.profile_pk,
        sourceId: row.source_id,
        cls: classOf(row),
        startedAt: row.started_at,
        lastAt: row.last_at,
        events: row.events,
        pageViews: row.page_views,
        keyEvents: row.key_events,
        landingPage: row.landing_page,
        exitPage: row.exit_page,
        exitKey: pageKeyOf(row.exit_page),
      },
      reason,
      now,
    );
  }

  /**
   * Ends a session at once (`POST /api/sessions/:id/end`). Returns false when there is no
   * such session; true when it is ended (now, or already before).
   */
  endSessionById(id: string, reason: EndReason = 'api'): 'ended' | 'already-ended' | 'not-found' {
    const row = this.q.sessionById.get(id) as SessionRow | undefined;
    if (!row) return 'not-found';
    if (row.status !== 0) return 'already-ended';
    this.write(() => this.finishRow(row, reason, this.clock.now()));
    return 'ended';
  }

  /**
   * Ends up to `limit` sessions idle longer than the timeout, in one transaction, with
   * set-based statements over the chunk (see ENDING_EVENTS_SQL). Returns how many it ended
   * (fewer than `limit` means it caught up).
   */
  sweepChunk(limit: number): number {
    const now = this.clock.now();
    return this.write(() => {
      // Idleness is judged on the rows: bring them up to date with memory first.
      this.writeDirty();
      const q = this.q;
      const n = q.pickExpired.run(now - this.timeoutMs, limit).changes;
      if (n === 0) return 0;
      const last = Number(q.endingEvents.run({ now, reason: 'timeout' satisfies EndReason, idPrefix: eventIdBatchPrefix(now) }).lastInsertRowid);
      // One INSERT ... SELECT appends its rows with consecutive keys.
      for (let pk = last - n + 1; pk <= last; pk++) this.notice.events.push(pk);
      // The UPDATE hands back what the rollups need of each row it ended.
      for (const [pk, startedAt, lastAt, pageViews, keyEvents, exitPage, debug, bot] of q.endingUpdate.all('timeout' satisfies EndReason) as EndedRow[]) {
        const duration = durationSeconds(startedAt, lastAt);
        this.countEnded(startedAt, classOf({ debug, bot }), duration, isEngaged(pageViews, duration, keyEvents), pageViews, pageKeyOf(exitPage));
        this.notice.ended.push(pk);
        // An ended session leaves memory: a later event with its id continues it as a new visit.
        const cached = this.byPk.get(pk);
        if (cached) this.forget(cached);
      }
      q.endingClear.run();
      return n;
    });
  }

  /**
   * Lets go of active sessions idle for 20 s whose rows are up to date (they are read
   * back from the database if they come back), so memory holds the sessions in use, not
   * every session of the last half hour.
   */
  trimCache(now: number): number {
    let dropped = 0;
    for (const st of this.byPk.values()) {
      if (now - st.lastAt < CACHE_IDLE_MS || this.dirtySessions.has(st)) continue;
      this.forget(st);
      dropped++;
    }
    return dropped;
  }

  // ---- deleting data ------------------------------------------------------------------

  /**
   * Deletes everything debug traffic left: the debug session and its events, debug events
   * anywhere, profiles that only debug traffic made, and the debug rollups.
   */
  deleteDebugData(): { events: number; sessions: number; profiles: number } {
    return this.write(() => {
      const db = this.db;
      const events = db.prepare('DELETE FROM events WHERE debug = 1 OR session_pk IN (SELECT pk FROM sessions WHERE debug = 1)').run().changes;
      db.prepare('DELETE FROM session_context WHERE session_pk IN (SELECT pk FROM sessions WHERE debug = 1)').run();
      const sessions = db.prepare('DELETE FROM sessions WHERE debug = 1').run().changes;
      const profiles = db
        .prepare('DELETE FROM profiles WHERE debug = 1 AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.profile_pk = profiles.pk)')
        .run().changes;
      db.prepare('DELETE FROM agg_dims WHERE cls = ?').run(CLS.debug);
      db.prepare('DELETE FROM agg_sessions WHERE cls = ?').run(CLS.debug);
      for (const [pk, st] of this.byPk) {
        if (st.debug) {
          for (const k of st.keys) this.byKey.delete(k);
          this.byPk.delete(pk);
          this.dirtySessions.delete(st);
        }
      }
      this.profiles.clear();
      return { events, sessions, profiles };
    });
  }

  /**
   * Retention: deletes up to `limit` sessions that ended before `cutoff` (ms), with all
   * their events; once none are left, the rollup buckets before the cutoff too. Returns
   * how many sessions went (fewer than `limit` means it caught up). Active sessions and
   * profiles stay (a profile's visit count is its history).
   */
  deleteOlderThan(cutoff: number, limit: number): number {
    return this.write(() => {
      const db = this.db;
      // started_at <= ended_at, so the range on the started index bounds the search.
      const pks = db
        .prepare('SELECT pk FROM sessions WHERE started_at < ? AND status = 1 AND ended_at < ? LIMIT ?')
        .pluck()
        .all(cutoff, cutoff, limit) as number[];
      const delEvents = db.prepare('DELETE FROM events WHERE session_pk = ?');
      const delContext = db.prepare('DELETE FROM session_context WHERE session_pk = ?');
      const delSession = db.prepare('DELETE FROM sessions WHERE pk = ?');
      for (const pk of pks) {
        delEvents.run(pk);
        delContext.run(pk);
        delSession.run(pk);
      }
      if (pks.length < limit) {
        const h = Math.floor(cutoff / 3_600_000);
        const d = Math.floor(cutoff / 86_400_000);
        db.prepare('DELETE FROM agg_dims WHERE (g = 0 AND t < ?) OR (g = 1 AND t < ?)').run(h, d);
        db.prepare('DELETE FROM agg_sessions WHERE (g = 0 AND t < ?) OR (g = 1 AND t < ?)').run(h, d);
      }
      return pks.length;
    });
  }

  // ---- shutdown ----------------------------------------------------------------------

  /** Stops taking requests, writes those already accepted and every counter, and marks the stop clean. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.pending.length > 0 || this.flushScheduled) {
      await new Promise<void>((r) => setImmediate(r));
    }
    this.write(() => {
      this.writeDirty();
      this.q.setRunState.run(1);
    });
    while (this.answering > 0) await new Promise<void>((r) => setImmediate(r));
    this.walSync?.close();
  }
}
