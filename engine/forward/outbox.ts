import type { Statement } from 'better-sqlite3';
import type { DB } from '../db/database';
import type { ForwardMarkRow } from '../db/rows';

/**
 * One committed event as an upstream is sent it, with the pks its rows join on: a row as
 * SQLite hands it (an array, read by position through `E`), not an object, which would cost
 * the event loop twice as much per event (measured: ~5 against ~2.5 µs).
 */
export type OutboxEvent = [
  pk: number,
  id: string,
  type: string,
  time: number,
  sessionPk: number,
  /** Null only where the session was deleted since (its events are going too). */
  sessionId: string | null,
  profileId: string | null,
  sourceId: string,
  debug: number,
  /** Its traffic class (CLS), its session's. */
  traffic: number,
  system: number,
  pageUrl: string | null,
  properties: string,
  context: string | null,
];

/** The position of each field of an OutboxEvent. */
export const E = { pk: 0, id: 1, type: 2, time: 3, sessionPk: 4, sessionId: 5, profileId: 6, sourceId: 7, debug: 8, traffic: 9, system: 10, pageUrl: 11, properties: 12, context: 13 } as const;

/** A session's row as the ClickHouse table keeps it. */
export interface OutboxSession {
  pk: number;
  id: string;
  profileId: string;
  sourceId: string;
  status: number;
  debug: number;
  traffic: number;
  startedAt: number;
  lastAt: number;
  endedAt: number | null;
  duration: number | null;
  endReason: string | null;
  events: number;
  pageViews: number;
  visitNumber: number;
  landingPage: string | null;
  exitPage: string | null;
  channel: string;
  referrerHost: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  device: string;
  browser: string | null;
  os: string | null;
}

/** Where an upstream stands: events up to `mark` accepted; `gen` as read with it (see confirm). */
export interface Position {
  mark: number;
  gen: number;
}

const PENDING_COUNTED = 100_000;

// Lowers every mark to the newest pk left, and bumps gen, whenever the newest event is
// deleted (see migration 010). Row by row: SQLite has no statement triggers.
const TRIGGER = `CREATE TRIGGER IF NOT EXISTS forward_marks_follow_deletes AFTER DELETE ON event_rows
  WHEN OLD.pk > coalesce((SELECT max(pk) FROM event_rows), 0)
  BEGIN UPDATE forward_marks SET mark = min(mark, coalesce((SELECT max(pk) FROM event_rows), 0)), gen = gen + 1; END`;

/**
 * The durable outbox: the events table itself, read in commit (pk) order after each
 * upstream's mark, and the marks, advanced only once an upstream accepted a batch. Costs
 * the commit path nothing: nothing is written per event, and without upstreams not even
 * the trigger exists.
 */
export class Outbox {
  private readonly q: {
    mark: Statement<[string], ForwardMarkRow>;
    open: Statement<[string]>;
    forget: Statement<[string]>;
    marks: Statement<[], number>;
    read: Statement<[number, number], OutboxEvent>;
    confirm: Statement<{ upstream: string; to: number; n: number; now: number; mark: number; gen: number }>;
    touch: Statement<[number, string]>;
    pending: Statement<[number, number], number>;
    newest: Statement<[], number | null>;
    sessions: Statement<[string], OutboxSession>;
    context: Statement<[number], string>;
  };

  constructor(private readonly db: DB) {
    this.q = {
      mark: db.prepare('SELECT * FROM forward_marks WHERE upstream = ?'),
      open: db.prepare('INSERT INTO forward_marks (upstream) VALUES (?) ON CONFLICT (upstream) DO NOTHING'),
      forget: db.prepare('DELETE FROM forward_marks WHERE upstream = ?'),
      marks: db.prepare<[], number>('SELECT count(*) FROM forward_marks').pluck(),
      // Columns in the order of OutboxEvent.
      read: db
        .prepare<[number, number], OutboxEvent>(`SELECT e.pk, e.id, e.type, e.time, e.session_pk, s.id, p.id, e.source_id, e.debug, e.traffic, e.system, e.page_url, e.properties, e.context
          FROM events e LEFT JOIN sessions s ON s.pk = e.session_pk LEFT JOIN profiles p ON p.pk = e.profile_pk
          WHERE e.pk > ? ORDER BY e.pk LIMIT ?`)
        .raw(true),
      confirm: db.prepare(`UPDATE forward_marks SET mark = :to, forwarded = forwarded + :n, last_ok_at = :now
        WHERE upstream = :upstream AND mark = :mark AND gen = :gen`),
      touch: db.prepare('UPDATE forward_marks SET last_ok_at = ? WHERE upstream = ?'),
      pending: db.prepare<[number, number], number>('SELECT count(*) FROM (SELECT 1 FROM events WHERE pk > ? LIMIT ?)').pluck(),
      newest: db.prepare<[], number | null>('SELECT max(pk) FROM events').pluck(),
      // One query for a chunk's sessions: a query each cost as much as reading the chunk's events.
      sessions: db.prepare(`SELECT s.pk, s.id, p.id AS profileId, s.source_id AS sourceId, s.status, s.debug, s.traffic,
          s.started_at AS startedAt, s.last_at AS lastAt, s.ended_at AS endedAt, s.duration, s.end_reason AS endReason,
          s.events, s.page_views AS pageViews, s.visit_number AS visitNumber, s.landing_page AS landingPage, s.exit_page AS exitPage,
          s.channel, s.referrer_host AS referrerHost, s.utm_source AS utmSource, s.utm_medium AS utmMedium, s.utm_campaign AS utmCampaign,
          s.device, s.browser, s.os
        FROM sessions s JOIN profiles p ON p.pk = s.profile_pk WHERE s.pk IN (SELECT value FROM json_each(?))`),
      context: db.prepare<[number], string>('SELECT context FROM session_context WHERE session_pk = ?').pluck(),
    };
  }

  /** Starts keeping a mark for `upstream` (from the first event stored, for a new one). */
  open(upstream: string): void {
    this.db.transaction(() => {
      this.q.open.run(upstream);
      this.db.exec(TRIGGER);
    })();
  }

  /** Forgets `upstream` (added again, it starts from the first event); the last one takes the trigger with it. */
  forget(upstream: string): void {
    this.db.transaction(() => {
      this.q.forget.run(upstream);
      if (this.q.marks.get() === 0) this.db.exec('DROP TRIGGER IF EXISTS forward_marks_follow_deletes');
    })();
  }

  position(upstream: string): Position {
    const row = this.q.mark.get(upstream);
    if (!row) throw new Error(`no forwarding mark for ${upstream}`);
    return { mark: row.mark, gen: row.gen };
  }

  /** Up to `limit` committed events after pk `after`, in commit order. */
  read(after: number, limit: number): OutboxEvent[] {
    // Outside a transaction a read sees only what was committed; the engine's writes are
    // synchronous, so no caller can be inside one of them.
    if (this.db.inTransaction) throw new Error('the outbox is read outside write transactions only');
    return this.q.read.all(after, limit);
  }

  /**
   * The upstream accepted the `n` events after `from` up to pk `to`: the mark moves there,
   * unless a deletion lowered the newest pk since `from` was read (gen moved on). Then the
   * events after the lowered mark are read and sent again, because a new event may have
   * taken a pk this batch had. Answers whether the mark moved.
   */
  confirm(upstream: string, from: Position, to: number, n: number, now: number): boolean {
    const moved = this.q.confirm.run({ upstream, to, n, now, mark: from.mark, gen: from.gen }).changes === 1;
    if (!moved) this.q.touch.run(now, upstream);
    return moved;
  }

  status(upstream: string): { forwarded: number; pending: number; lastOkAt: number | null } {
    const row = this.q.mark.get(upstream);
    return { forwarded: row?.forwarded ?? 0, pending: this.pending(row?.mark ?? 0), lastOkAt: row?.last_ok_at ?? null };
  }

  /**
   * Events after `mark`: counted up to PENDING_COUNTED (a few ms), beyond that the newest pk
   * less the mark, exact unless events after the mark were deleted. The dashboard asks every
   * few seconds, and a backlog of millions must not hold the event loop each time.
   */
  private pending(mark: number): number {
    const counted = this.q.pending.get(mark, PENDING_COUNTED + 1) ?? 0;
    return counted <= PENDING_COUNTED ? counted : Math.max(counted, (this.q.newest.get() ?? 0) - mark);
  }

  /** The sessions' rows as they stand now (a deleted one is left out). */
  sessions(pks: ReadonlySet<number>): OutboxSession[] {
    return pks.size === 0 ? [] : this.q.sessions.all(JSON.stringify([...pks]));
  }

  /** A session's stored context (browser, screen, device, ...) as JSON, or null. */
  context(sessionPk: number): string | null {
    return this.q.context.get(sessionPk) ?? null;
  }
}
