import type { RunResult, Statement } from 'better-sqlite3';
import type { DB } from '../db/database';
import { CLS, type AggDimRow, type AggSessionRow, type ProfileRow, type SessionFigures, type SessionRow, type TrafficClass } from '../db/rows';
import type { EndReason } from '../../shared/api';
import { isEngagedSql, sessionDurationMsSql, sessionDurationSql } from '../../shared/rules';
import { REBUILD_SESSION_SQL } from './counters';
import { EventStrings } from './strings';

// ---- ending expired sessions in SQL --------------------------------------------------
// The sweeper ends sessions a chunk at a time with a handful of set-based statements over
// the chunk (temp.ending) instead of two statements per session: the per-statement cost of
// a row update and an event insert from JavaScript was half of the sweep's time. The event's
// SQL follows the rules `Ending.end` applies to a single session in JavaScript (a test
// compares the two); the rollups are counted in JavaScript for both, from the rows the
// UPDATE returns. `CROSS JOIN` pins the join order (SQLite never reorders it): the chunk
// first, each session by its key; left to the planner, with no statistics on the temp
// table, it may scan every session instead.

const DURATION_MS_SQL = sessionDurationMsSql('s');
/** sessionDuration in seconds, written as JSON.stringify writes it (20, not 20.0). */
const DURATION_JSON_SQL = `CASE WHEN ${DURATION_MS_SQL} % 1000 = 0 THEN ${DURATION_MS_SQL} / 1000 ELSE ${DURATION_MS_SQL} / 1000.0 END`;
/** The chunk of expired sessions a sweep step ends: the longest idle first. */
export const PICK_EXPIRED_SQL = `INSERT INTO temp.ending (pk)
  SELECT pk FROM sessions WHERE status = 0 AND debug = 0 AND last_at < ? ORDER BY last_at LIMIT ?`;
/**
 * The chunk's visit-ended events, with the properties `Ending.end` writes (numbers from the
 * rows, as it does). Their ids are UUIDv7s: a fresh prefix per chunk and the session's key
 * (one visit-ended event per session).
 */
export const ENDING_EVENTS_SQL = `INSERT INTO event_rows (id, type_ref, time, session_pk, profile_pk, source_ref, debug, system, page_ref, page_url, properties, traffic)
  SELECT @idPrefix || printf('%012x', s.pk), @typeRef, @now, s.pk, s.profile_pk,
    (SELECT id FROM event_strings WHERE value = s.source_id), 0, 1,
    (SELECT id FROM event_strings WHERE value = s.exit_page),
    CASE WHEN NOT EXISTS (SELECT 1 FROM event_strings WHERE value = s.exit_page) THEN s.exit_page END,
    json_object('reason', @reason, 'duration', ${DURATION_JSON_SQL}, 'events', s.events, 'pageViews', s.page_views,
      'keyEvents', s.key_events, 'engaged', json(CASE WHEN ${isEngagedSql('s')} THEN 'true' ELSE 'false' END)), s.traffic
  FROM temp.ending e CROSS JOIN sessions s ON s.pk = e.pk`;
/**
 * The chunk's source ids, for `EventStrings` to make sure of before ENDING_EVENTS_SQL looks
 * them up (nearly always there: each came with an event). An exit page without a key is
 * stored inline, as the collector stores a page URL seen once.
 */
export const ENDING_STRINGS_SQL = `SELECT DISTINCT s.source_id FROM temp.ending e CROSS JOIN sessions s ON s.pk = e.pk`;
export const ENDING_UPDATE_SQL = `UPDATE sessions AS s SET status = 1, ended_at = last_at, duration = ${sessionDurationSql('s')}, end_reason = ?
  WHERE pk IN (SELECT pk FROM temp.ending)
  RETURNING pk, started_at, last_at, page_views, key_events, exit_page, traffic`;

/** What ENDING_UPDATE_SQL returns of each session it ended (raw rows). */
export type EndedRow = [pk: number, startedAt: number, lastAt: number, pageViews: number, keyEvents: number, exitPage: string | null, traffic: TrafficClass];

/** A new session row, bound by name to `insertSession`. */
export interface NewSession {
  id: string;
  clientId: string;
  previousPk: number | null;
  profilePk: number;
  sourceId: string;
  debug: number;
  bot: number;
  traffic: TrafficClass;
  startedAt: number;
  visitNumber: number;
  returning: number;
  device: string;
  browser: string | null;
  browserVersion: string | null;
  os: string | null;
  osVersion: string | null;
  language: string | null;
  tz: string | null;
  referrerHost: string | null;
  channel: string;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  utmTerm: string | null;
  utmContent: string | null;
}

/** One agg_sessions bucket being counted up, bound by name to `upsertAggSession`. */
export type SessionBucket = Pick<AggSessionRow, 'g' | 't' | 'cls'> & SessionFigures;
/** One agg_dims bucket being counted up, bound by position to `upsertAggDim` (passed as one array). */
export type DimBucket = [dim: AggDimRow['dim'], g: number, t: number, cls: number, value: string, n: number];

type EventInsert = [
  id: string,
  type: string,
  time: number,
  sessionPk: number,
  profilePk: number,
  sourceId: string,
  debug: number,
  system: number,
  pageUrl: string | null,
  properties: string,
  context: string | null,
  traffic: TrafficClass,
  warnings: string | null,
];

/** The same row as event_rows holds it. */
type EventRowInsert = [
  id: string,
  typeRef: number,
  time: number,
  sessionPk: number,
  profilePk: number,
  sourceRef: number,
  debug: number,
  system: number,
  pageRef: number | null,
  pageUrl: string | null,
  properties: string,
  contextRef: number | null,
  context: string | null,
  traffic: TrafficClass,
  warnings: string | null,
];

type Run<P extends unknown[]> = Statement<P>;

/** `insertEvent`: an event row by its values, the strings among them stored as their keys (strings.ts). */
export interface EventInsertRun {
  run(...row: EventInsert): RunResult;
}

/**
 * Every statement the session engine writes with (and the reads it makes of its own rows),
 * prepared once when it starts: the write side's mirror of engine/queries/. (Declared, not
 * inferred: better-sqlite3's statement type cannot be named in an inferred one.)
 */
export interface Statements {
  eventExists: Statement<[id: string], number>;
  strings: EventStrings;
  insertEvent: EventInsertRun;
  insertValidation: Run<[eventPk: number, status: number, errors: string | null]>;
  sessionById: Statement<[id: string], SessionRow>;
  sessionByPk: Statement<[pk: number], SessionRow>;
  continuationOf: Statement<[pk: number], SessionRow>;
  insertSession: Run<[NewSession]>;
  /** A session's context, stored as its key (strings.ts). */
  insertContext: { run(sessionPk: number, context: string): RunResult };
  updateSession: Run<[lastAt: number, events: number, pageViews: number, keyEvents: number, landingPage: string | null, exitPage: string | null, pk: number]>;
  rebuildSession: Run<[{ pk: number; keyTypes: string }]>;
  endSession: Run<[lastAt: number, endedAt: number, duration: number, reason: EndReason, events: number, pageViews: number, keyEvents: number, landingPage: string | null, exitPage: string | null, pk: number]>;
  pickExpired: Run<[idleBefore: number, limit: number]>;
  endingStrings: Statement<[], string>;
  endingEvents: Run<[{ now: number; reason: EndReason; idPrefix: string; typeRef: number }]>;
  endingUpdate: Statement<[reason: EndReason], EndedRow>;
  endingClear: Run<[]>;
  profileById: Statement<[id: string], Pick<ProfileRow, 'pk' | 'id' | 'visit_count' | 'debug'>>;
  profileIdByPk: Statement<[pk: number], string>;
  insertProfile: Run<[id: string, createdAt: number, updatedAt: number, tz: string | null, debug: number]>;
  profileVisit: Run<[{ now: number; tz: string | null; pk: number }]>;
  upsertAggDim: Run<[DimBucket]>;
  upsertAggSession: Run<[SessionBucket]>;
  runState: Statement<[], number>;
  setRunState: Run<[clean: number]>;
  endedBefore: Statement<[cutoff: number, cutoff: number], [pk: number, events: number]>;
  deleteSessionValidation: Run<[pk: number]>;
  deleteSessionEvents: Run<[pk: number]>;
  deleteSessionContext: Run<[pk: number]>;
  deleteSession: Run<[pk: number]>;
  firstAggDim: Statement<[], string | null>;
  nextAggDim: Statement<[after: string], string | null>;
  deleteAggDimsBatch: Run<[dim: string, g: number, before: number, limit: number]>;
  deleteAggSessionsBatch: Run<[g: number, before: number, limit: number]>;
  deleteDebugValidation: Run<[]>;
  deleteDebugEvents: Run<[]>;
  deleteDebugContext: Run<[]>;
  deleteDebugSessions: Run<[]>;
  deleteDebugProfiles: Run<[]>;
  deleteDebugAggDims: Run<[]>;
  deleteDebugAggSessions: Run<[]>;
  deleteAllValidation: Run<[]>;
  deleteAllEvents: Run<[]>;
  deleteAllContext: Run<[]>;
  deleteAllSessions: Run<[]>;
  deleteAllProfiles: Run<[]>;
  deleteAllAggDims: Run<[]>;
  deleteAllAggSessions: Run<[]>;
}

export function prepareStatements(db: DB): Statements {
  // The chunk of sessions the sweeper is ending: a temp table, so it rolls back with the transaction.
  db.exec('CREATE TEMP TABLE IF NOT EXISTS ending (pk INTEGER PRIMARY KEY)');
  const strings = new EventStrings(db);
  const insertRow = db.prepare<EventRowInsert>(`INSERT INTO event_rows (id, type_ref, time, session_pk, profile_pk, source_ref, debug, system, page_ref, page_url, properties, context_ref, context, traffic, warnings)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertContextRef = db.prepare<[sessionPk: number, contextRef: number]>('INSERT INTO session_context_refs (session_pk, context_ref) VALUES (?, ?)');
  return {
    // ---- events (the rows; `events` is their view, migration 012)
    eventExists: db.prepare<[string], number>('SELECT 1 FROM event_rows WHERE id = ?').pluck(),
    strings,
    insertEvent: {
      run: (id, type, time, sessionPk, profilePk, sourceId, debug, system, pageUrl, properties, context, traffic, warnings) => {
        const pageRef = strings.idIfRepeated(pageUrl);
        const contextRef = strings.idIfRepeated(context);
        return insertRow.run(id, strings.id(type), time, sessionPk, profilePk, strings.id(sourceId), debug, system,
          pageRef, pageRef === null ? pageUrl : null, properties, contextRef, contextRef === null ? context : null, traffic, warnings);
      },
    },
    // An event's verdict against the tracking plan (engine/plan/check.ts), beside it.
    insertValidation: db.prepare<[number, number, string | null]>('INSERT OR REPLACE INTO event_validation (event_pk, status, errors) VALUES (?, ?, ?)'),

    // ---- sessions
    sessionById: db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id = ?'),
    sessionByPk: db.prepare<[number], SessionRow>('SELECT * FROM sessions WHERE pk = ?'),
    continuationOf: db.prepare<[number], SessionRow>('SELECT * FROM sessions WHERE previous_pk = ? ORDER BY pk DESC LIMIT 1'),
    insertSession: db.prepare<[NewSession]>(`INSERT INTO sessions (id, client_id, previous_pk, profile_pk, source_id, status, debug, bot, traffic,
        started_at, last_at, visit_number, is_returning, device, browser, browser_version, os, os_version, language, tz,
        referrer_host, channel, utm_source, utm_medium, utm_campaign, utm_term, utm_content)
      VALUES (@id, @clientId, @previousPk, @profilePk, @sourceId, 0, @debug, @bot, @traffic, @startedAt, @startedAt, @visitNumber, @returning,
        @device, @browser, @browserVersion, @os, @osVersion, @language, @tz, @referrerHost, @channel,
        @utmSource, @utmMedium, @utmCampaign, @utmTerm, @utmContent)`),
    insertContext: { run: (sessionPk, context) => insertContextRef.run(sessionPk, strings.id(context)) },
    updateSession: db.prepare<[lastAt: number, events: number, pageViews: number, keyEvents: number, landingPage: string | null, exitPage: string | null, pk: number]>(
      `UPDATE sessions SET last_at = ?, events = ?, page_views = ?, key_events = ?, landing_page = ?, exit_page = ? WHERE pk = ?`,
    ),
    rebuildSession: db.prepare<[{ pk: number; keyTypes: string }]>(REBUILD_SESSION_SQL),
    endSession: db.prepare<
      [lastAt: number, endedAt: number, duration: number, reason: EndReason, events: number, pageViews: number, keyEvents: number, landingPage: string | null, exitPage: string | null, pk: number]
    >(`UPDATE sessions SET status = 1, last_at = ?, ended_at = ?, duration = ?, end_reason = ?,
      events = ?, page_views = ?, key_events = ?, landing_page = ?, exit_page = ? WHERE pk = ?`),

    // ---- the sweeper's chunk (see above)
    pickExpired: db.prepare<[idleBefore: number, limit: number]>(PICK_EXPIRED_SQL),
    endingStrings: db.prepare<[], string>(ENDING_STRINGS_SQL).pluck(),
    endingEvents: db.prepare<[{ now: number; reason: EndReason; idPrefix: string; typeRef: number }]>(ENDING_EVENTS_SQL),
    endingUpdate: db.prepare<[reason: EndReason], EndedRow>(ENDING_UPDATE_SQL).raw(),
    endingClear: db.prepare('DELETE FROM temp.ending'),

    // ---- profiles
    profileById: db.prepare<[string], Pick<ProfileRow, 'pk' | 'id' | 'visit_count' | 'debug'>>('SELECT pk, id, visit_count, debug FROM profiles WHERE id = ?'),
    profileIdByPk: db.prepare<[number], string>('SELECT id FROM profiles WHERE pk = ?').pluck(),
    insertProfile: db.prepare<[id: string, createdAt: number, updatedAt: number, tz: string | null, debug: number]>(
      'INSERT INTO profiles (id, created_at, updated_at, tz, debug) VALUES (?, ?, ?, ?, ?)',
    ),
    // A visit is real traffic: the profile is no longer debug-only, and was last seen now.
    profileVisit: db.prepare<[{ now: number; tz: string | null; pk: number }]>(`UPDATE profiles SET visit_last = visit_current, visit_current = @now,
      visit_count = visit_count + 1, updated_at = @now, tz = coalesce(@tz, tz), debug = 0 WHERE pk = @pk`),

    // ---- rollups (see rollups.ts)
    upsertAggDim: db.prepare<[DimBucket]>('INSERT INTO agg_dims (dim, g, t, cls, value, n) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n'),
    upsertAggSession: db.prepare<[SessionBucket]>(`INSERT INTO agg_sessions (g, t, cls, sessions, new_profiles, ended, engaged, duration_sum, page_views)
      VALUES (@g, @t, @cls, @sessions, @newProfiles, @ended, @engaged, @durationSum, @pageViews)
      ON CONFLICT DO UPDATE SET sessions = sessions + excluded.sessions, new_profiles = new_profiles + excluded.new_profiles,
        ended = ended + excluded.ended, engaged = engaged + excluded.engaged,
        duration_sum = duration_sum + excluded.duration_sum, page_views = page_views + excluded.page_views`),

    // ---- a clean stop (see SessionEngine.recover)
    runState: db.prepare<[], number>('SELECT clean FROM run_state WHERE id = 1').pluck(),
    setRunState: db.prepare<[clean: number]>('UPDATE run_state SET clean = ? WHERE id = 1'),

    // ---- retention (retention.ts)
    // started_at <= ended_at, so the range on the started index bounds the search.
    // The oldest first, with its events (what deleting it costs), read lazily (retention.ts).
    endedBefore: db
      .prepare<[cutoff: number, cutoff: number], [pk: number, events: number]>('SELECT pk, events FROM sessions WHERE started_at < ? AND status = 1 AND ended_at < ?')
      .raw(),
    // Verdicts go before their events, while the events still say which they are.
    deleteSessionValidation: db.prepare<[number]>('DELETE FROM event_validation WHERE event_pk IN (SELECT pk FROM event_rows WHERE session_pk = ?)'),
    deleteSessionEvents: db.prepare<[number]>('DELETE FROM event_rows WHERE session_pk = ?'),
    deleteSessionContext: db.prepare<[number]>('DELETE FROM session_context_refs WHERE session_pk = ?'),
    deleteSession: db.prepare<[number]>('DELETE FROM sessions WHERE pk = ?'),
    // agg_dims is keyed (dim, g, t, ...): a bucket range is found per dimension along the key,
    // a batch at a time, where one DELETE over both granularities read the whole table (1.7 M
    // rows at 10 M events: a quarter of a second in one transaction).
    firstAggDim: db.prepare<[], string | null>('SELECT min(dim) FROM agg_dims').pluck(),
    nextAggDim: db.prepare<[string], string | null>('SELECT min(dim) FROM agg_dims WHERE dim > ?').pluck(),
    deleteAggDimsBatch: db.prepare<[dim: string, g: number, before: number, limit: number]>(
      'DELETE FROM agg_dims WHERE (dim, g, t, cls, value) IN (SELECT dim, g, t, cls, value FROM agg_dims WHERE dim = ? AND g = ? AND t < ? LIMIT ?)',
    ),
    deleteAggSessionsBatch: db.prepare<[g: number, before: number, limit: number]>(
      'DELETE FROM agg_sessions WHERE (g, t, cls) IN (SELECT g, t, cls FROM agg_sessions WHERE g = ? AND t < ? LIMIT ?)',
    ),

    // ---- debug data (retention.ts)
    deleteDebugValidation: db.prepare('DELETE FROM event_validation WHERE event_pk IN (SELECT pk FROM event_rows WHERE debug = 1 OR session_pk IN (SELECT pk FROM sessions WHERE debug = 1))'),
    deleteDebugEvents: db.prepare('DELETE FROM event_rows WHERE debug = 1 OR session_pk IN (SELECT pk FROM sessions WHERE debug = 1)'),
    deleteDebugContext: db.prepare('DELETE FROM session_context_refs WHERE session_pk IN (SELECT pk FROM sessions WHERE debug = 1)'),
    deleteDebugSessions: db.prepare('DELETE FROM sessions WHERE debug = 1'),
    deleteDebugProfiles: db.prepare('DELETE FROM profiles WHERE debug = 1 AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.profile_pk = profiles.pk)'),
    deleteDebugAggDims: db.prepare(`DELETE FROM agg_dims WHERE cls = ${CLS.debug}`),
    deleteDebugAggSessions: db.prepare(`DELETE FROM agg_sessions WHERE cls = ${CLS.debug}`),

    // ---- everything (retention.ts, `POST /api/reset`)
    deleteAllValidation: db.prepare('DELETE FROM event_validation'),
    deleteAllEvents: db.prepare('DELETE FROM event_rows'),
    deleteAllContext: db.prepare('DELETE FROM session_context_refs'),
    deleteAllSessions: db.prepare('DELETE FROM sessions'),
    deleteAllProfiles: db.prepare('DELETE FROM profiles'),
    deleteAllAggDims: db.prepare('DELETE FROM agg_dims'),
    deleteAllAggSessions: db.prepare('DELETE FROM agg_sessions'),
  };
}
