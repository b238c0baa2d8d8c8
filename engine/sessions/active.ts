import { CLS, type SessionRow, type TrafficClass } from '../db/rows';
import { pageKeyOf } from './enrich';
import type { Scratch } from './scratch';
import type { Statements } from './statements';

/** An active session as the engine keeps it in memory: the only copy that is up to date. */
export interface SessionState {
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

/** The traffic class a session's rollups are kept under. */
export function classOf(row: Pick<SessionRow, 'debug' | 'bot'>): TrafficClass {
  return row.debug === 1 ? CLS.debug : row.bot === 1 ? CLS.bot : CLS.people;
}

/** Idle time after which an active session's state may leave memory (see trim). */
const CACHE_IDLE_MS = 20_000;

/**
 * The active sessions in memory, found by lookup key (a session id as a tracker sends it)
 * and by pk. Their counters (last activity, events, page views, landing and exit page)
 * change with every event and reach the rows in batches (`writeDirty`): before every read,
 * every sweep and at shutdown. The events are the record: after a failed transaction the
 * rows of the sessions concerned are rebuilt from them before the next write.
 */
export class ActiveSessions {
  private readonly byKey = new Map<string, SessionState>();
  private readonly byPk = new Map<number, SessionState>();
  /** Sessions whose counters changed since their row was last written. */
  private readonly dirty = new Set<SessionState>();
  /** Sessions whose row may be behind their committed events: rebuilt before the next write. */
  private readonly stale = new Set<number>();

  constructor(private readonly q: Statements) {}

  /** How many are held in memory. */
  get size(): number {
    return this.byPk.size;
  }

  /** Some row lags memory or its events: a write would bring it up to date. */
  get behind(): boolean {
    return this.dirty.size > 0 || this.stale.size > 0;
  }

  withKey(key: string): SessionState | undefined {
    return this.byKey.get(key);
  }

  withPk(pk: number): SessionState | undefined {
    return this.byPk.get(pk);
  }

  /** Holds `state` in memory, found by `key` (and its pk) from now on. */
  remember(state: SessionState, key: string): void {
    state.keys.push(key);
    this.byKey.set(key, state);
    this.byPk.set(state.pk, state);
  }

  /** An active session as its row says (not held in memory until `remember`ed). */
  fromRow(row: SessionRow): SessionState {
    const profileId = this.q.profileIdByPk.get(row.profile_pk) ?? '';
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

  /** Takes a session's state out of memory (its row is up to date, or it ended). */
  forget(s: SessionState): void {
    for (const k of s.keys) if (this.byKey.get(k) === s) this.byKey.delete(k);
    this.byPk.delete(s.pk);
  }

  /** The session's counters changed: its row is behind until the next `writeDirty`. */
  changed(s: SessionState): void {
    this.dirty.add(s);
  }

  /** Writes the counters of every changed session to its row (inside a write transaction). */
  writeDirty(tx: Scratch): void {
    for (const s of this.dirty) {
      if (this.byPk.get(s.pk) !== s) continue; // ended since: its row was written whole then
      this.q.updateSession.run(s.lastAt, s.events, s.pageViews, s.keyEvents, s.landingPage, s.exitPage, s.pk);
    }
    tx.dirtyWritten = true;
  }

  /** Rebuilds the rows of stale sessions from their events (first thing in a write transaction). */
  rebuildStale(keyTypes: ReadonlySet<string>): void {
    if (this.stale.size === 0) return;
    const json = JSON.stringify([...keyTypes]);
    for (const pk of this.stale) this.q.rebuildSession.run({ pk, keyTypes: json });
  }

  /** The write committed: stale rows were rebuilt, and changed ones written if it wrote them. */
  committed(tx: Scratch): void {
    this.stale.clear();
    if (tx.dirtyWritten) this.dirty.clear();
  }

  /**
   * The write rolled back: memory may now hold counts of events that were never stored, and
   * rows may lag counts that were. Forget the one, rebuild the other from the events.
   */
  rolledBack(): void {
    for (const s of this.dirty) this.stale.add(s.pk);
    this.dirty.clear();
    this.byKey.clear();
    this.byPk.clear();
  }

  /**
   * Lets go of sessions idle for 20 s whose rows are up to date (they are read back from
   * the database if they come back), so memory holds the sessions in use, not every
   * session of the last half hour.
   */
  trim(now: number): number {
    let dropped = 0;
    for (const s of this.byPk.values()) {
      if (now - s.lastAt < CACHE_IDLE_MS || this.dirty.has(s)) continue;
      this.forget(s);
      dropped++;
    }
    return dropped;
  }

  /** Lets go of the debug session (its rows are being deleted). */
  forgetDebug(): void {
    for (const s of this.byPk.values()) {
      if (!s.debug) continue;
      this.forget(s);
      this.dirty.delete(s);
    }
  }
}
