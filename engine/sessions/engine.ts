import type { Clock } from '../clock';
import type { DB } from '../db/database';
import { WalSync } from '../db/durable';
import { freePages, giveSpaceBack } from '../db/vacuum';
import { DomainError, isStorageFull } from '../errors';
import { SourceStore } from '../store/sources';
import type { EndReason } from '../../shared/api';
import { DEFAULT_KEY_EVENT_TYPES } from '../../shared/rules';
import type { TrackPayload, TrackResponse } from '../../shared/track';
import { ActiveSessions } from './active';
import { rebuildActiveSessions } from './counters';
import { Ending } from './ending';
import { Profiles } from './profiles';
import { prepareRequest, type PreparedRequest, type TrackMeta } from './requests';
import { NO_PATTERNS, type TrafficPatterns } from './classify';
import { runUpgrades } from './reclassify';
import { Retention } from './retention';
import { RollupWriter } from './rollups';
import { Scratch, type CommitNotice } from './scratch';
import type { EngineSettings } from './settings';
import type { CompiledPlan } from '../plan/check';
import { prepareStatements, type Statements } from './statements';
import { Tracking } from './tracking';
import { Visits } from './visits';

export type { CommitNotice } from './scratch';
export type { TrackMeta } from './requests';

export interface EngineOptions {
  db: DB;
  clock: Clock;
  /** Inactivity that ends a session, in milliseconds. */
  sessionTimeoutMs: number;
  keyEventTypes?: readonly string[];
  /** The user's own user-agent patterns for automation and bots (Settings). */
  trafficPatterns?: TrafficPatterns;
  /**
   * Answer only once the write-ahead log is on disk (default). The seeder, which writes a
   * history it can write again, turns it off.
   */
  durable?: boolean;
}

/**
 * The session engine: turns tracker payloads into events, sessions and profiles, ends
 * sessions, and keeps the rollups in step, all in SQLite transactions. This class is the
 * commit loop; each part it hands the transaction to lives in its own file (see
 * engine/README.md).
 *
 * Writes use group commit: requests that arrive in the same turn of the event loop are
 * written in one transaction, and each is answered only after that transaction commits
 * (and, when durable, after the log holding it is on disk).
 *
 * Events, new sessions and profiles, ended sessions and rollups are written as they happen.
 * An active session's counters live in memory and reach its row in batches (active.ts):
 * `syncCounters()` runs before every read (engine/queries/index.ts), every sweep and at
 * shutdown.
 */
export class SessionEngine {
  readonly db: DB;
  /** The event sources, and which of them may send. */
  readonly sources: SourceStore;
  private readonly clock: Clock;
  private readonly settings: EngineSettings;
  private readonly q: Statements;
  private readonly tx: Scratch;
  private readonly active: ActiveSessions;
  private readonly profiles: Profiles;
  private readonly tracking: Tracking;
  private readonly ending: Ending;
  private readonly retention: Retention;
  private readonly listeners = new Set<(n: CommitNotice) => void>();

  private pending: PreparedRequest[] = [];
  private readonly walSync: WalSync | null;
  /** Commits whose answers wait for their fsync. */
  private answering = 0;
  private flushScheduled = false;
  private closed = false;
  private isPaused = false;

  constructor(opts: EngineOptions) {
    const db = (this.db = opts.db);
    this.clock = opts.clock;
    this.settings = { timeoutMs: opts.sessionTimeoutMs, keyTypes: new Set(opts.keyEventTypes ?? DEFAULT_KEY_EVENT_TYPES), patterns: opts.trafficPatterns ?? NO_PATTERNS, plan: null };
    this.walSync = opts.durable === false ? null : new WalSync(`${db.name}-wal`);
    this.sources = new SourceStore(db);
    const q = (this.q = prepareStatements(db));
    this.tx = new Scratch(new RollupWriter(q));
    this.active = new ActiveSessions(q);
    this.profiles = new Profiles(q);
    this.ending = new Ending(q, this.active);
    this.tracking = new Tracking(q, this.clock, this.settings, this.active, this.profiles, new Visits(q, this.active, this.settings), this.ending);
    this.retention = new Retention(q, this.active, this.profiles);
    this.recover();
    runUpgrades(db);
  }

  /**
   * At start: if the last run did not stop cleanly (a crash, kill -9, power loss), the rows
   * of its active sessions may lag their events; rebuild them. Then mark this run as
   * running, so that a crash of it is recognised next time.
   */
  private recover(): void {
    this.db.transaction(() => {
      if (this.q.runState.get() !== 1) rebuildActiveSessions(this.db, [...this.settings.keyTypes]);
      this.q.setRunState.run(0);
    })();
  }

  // ---- configuration -------------------------------------------------------------------

  /** The engine's clock reading. */
  now(): number {
    return this.clock.now();
  }

  get sessionTimeoutMs(): number {
    return this.settings.timeoutMs;
  }

  /** Takes effect at once: for the next event and the next sweep. */
  setSessionTimeout(ms: number): void {
    this.settings.timeoutMs = ms;
  }

  setKeyEventTypes(types: readonly string[]): void {
    this.settings.keyTypes = new Set(types);
  }

  /** For visits that start from now on; a visit keeps the class it started with. */
  setTrafficPatterns(patterns: TrafficPatterns): void {
    this.settings.patterns = patterns;
  }

  /** The tracking plan events are checked against from the next request on (null: none). */
  setPlan(plan: CompiledPlan | null): void {
    this.settings.plan = plan;
  }

  /** While paused (the desktop app's "Pause collecting"), `/track` is refused and stores nothing. */
  get paused(): boolean {
    return this.isPaused;
  }

  setPaused(paused: boolean): void {
    this.isPaused = paused;
  }

  onCommit(listener: (n: CommitNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once everything committed so far is on disk (what forwarding waits for before it sends). */
  whenDurable(): Promise<void> {
    const w = this.walSync;
    return w === null ? Promise.resolve() : new Promise((resolve, reject) => w.afterSync((err) => (err ? reject(err) : resolve())));
  }

  /** Number of sessions active right now that the engine holds in memory. */
  get cachedActiveSessions(): number {
    return this.active.size;
  }

  // ---- the commit loop -----------------------------------------------------------------

  /**
   * Accepts a validated payload. Resolves after the events are committed; rejects with a
   * DomainError (an unknown or disabled source, an event too large, paused, closing, storage
   * full or failing).
   */
  track(payload: TrackPayload, meta: TrackMeta): Promise<TrackResponse> {
    // A refusal thrown in here rejects the promise, with nothing queued.
    return new Promise<TrackResponse>((resolve, reject) => {
      if (this.closed) throw new DomainError('closing', 'Footfall is shutting down; retry in a moment.');
      if (this.isPaused) throw new DomainError('paused', 'Collecting is paused in Footfall; resume it from the tray or menu.');
      const sourceId = payload.source.id;
      const enabled = this.sources.isEnabled(sourceId);
      if (enabled === undefined) throw new DomainError('unknown-source', `source.id: unknown event source "${sourceId}".`);
      if (!enabled) throw new DomainError('disabled-source', `source.id: event source "${sourceId}" is disabled.`);
      this.pending.push(prepareRequest(payload, meta, this.settings.plan, resolve, reject));
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
      this.write((tx) => {
        for (const req of batch) responses.push(this.tracking.write(tx, req));
      });
    } catch (err) {
      const e = isStorageFull(err)
        ? new DomainError('storage-full', 'Storage is full or failing: nothing from this request was stored. Free disk space and retry.')
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
        const e = new DomainError('storage-failing', `Storage is failing (${err.message}): the events may not be safe on disk. Retry.`);
        for (const req of batch) req.reject(e);
        return;
      }
      for (let i = 0; i < batch.length; i++) batch[i]!.resolve(responses[i]!);
    });
  }

  /**
   * Runs `fn` in a write transaction with fresh scratch, then tells listeners what changed.
   * On failure the in-memory caches are dropped, so nothing the rolled-back transaction did
   * survives in memory either.
   */
  private write<T>(fn: (tx: Scratch) => T): T {
    const tx = this.tx;
    tx.reset();
    let result: T;
    try {
      result = this.db.transaction(() => {
        this.active.rebuildStale(this.settings.keyTypes);
        const r = fn(tx);
        tx.rollups.flush();
        return r;
      })();
    } catch (err) {
      this.q.strings.rolledBack();
      tx.rollups.discard();
      this.active.rolledBack();
      this.profiles.clear();
      throw err;
    }
    this.q.strings.committed();
    this.active.committed(tx);
    const notice = tx.notice;
    if (this.listeners.size > 0 && (notice.events.length > 0 || notice.started.length > 0 || notice.ended.length > 0)) {
      for (const l of this.listeners) l(notice);
    }
    return result;
  }

  /**
   * Brings the rows of active sessions up to date with memory (cheap when nothing changed).
   * Every read calls it first, so every answer reflects every acknowledged event. Returns
   * false when the write failed (a full disk): the rows then hold what was committed, and
   * are brought up to date by the next write that succeeds.
   */
  syncCounters(): boolean {
    if (!this.active.behind) return true;
    try {
      this.write((tx) => this.active.writeDirty(tx));
      return true;
    } catch {
      return false;
    }
  }

  // ---- ending sessions and deleting data -----------------------------------------------

  /** Ends a session at once (`POST /api/sessions/:id/end`): `already-ended` when it had ended before. */
  endSessionById(id: string, reason: EndReason = 'api'): 'ended' | 'already-ended' | 'not-found' {
    const row = this.q.sessionById.get(id);
    if (!row) return 'not-found';
    if (row.status !== 0) return 'already-ended';
    this.write((tx) => this.ending.endRow(tx, row, reason, this.clock.now()));
    return 'ended';
  }

  /**
   * Ends up to `limit` sessions idle longer than the timeout, in one transaction. Returns
   * how many it ended (fewer than `limit` means it caught up).
   */
  sweepChunk(limit: number): number {
    const now = this.clock.now();
    return this.write((tx) => this.ending.sweepChunk(tx, now, now - this.settings.timeoutMs, limit));
  }

  /**
   * Ends every active session idle for at least `idleMs` (0: every one) at once, reason
   * `api`, by the sweeper's path, a chunk to a transaction (`POST /api/sessions/end`: a test
   * sees `visit-ended` now instead of after the timeout). The event loop is given back
   * between chunks, so the collector keeps answering. Resolves to how many it ended.
   */
  async endIdleSessions(idleMs: number, chunk = 1000): Promise<number> {
    const now = this.clock.now();
    let ended = 0;
    for (;;) {
      const n = this.write((tx) => this.ending.sweepChunk(tx, now, now - idleMs + 1, chunk, 'api'));
      ended += n;
      if (n < chunk) return ended;
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  /** Lets go of idle active sessions whose rows are up to date (see ActiveSessions.trim). */
  trimCache(now: number): number {
    return this.active.trim(now);
  }

  /** Deletes every event, session, profile and figure (`POST /api/reset`; see Retention.deleteEverything). */
  deleteEverything(): { events: number; sessions: number; profiles: number } {
    return this.write(() => this.retention.deleteEverything());
  }

  /** Deletes everything debug traffic left (see Retention.deleteDebugData). */
  deleteDebugData(): { events: number; sessions: number; profiles: number } {
    return this.write(() => this.retention.deleteDebugData());
  }

  /** Retention: deletes sessions that ended before `cutoff`, about `limit` events and sessions (see Retention.deleteOlderThan). */
  deleteOlderThan(cutoff: number, limit: number, overdue?: () => boolean): number {
    return this.write(() => this.retention.deleteOlderThan(cutoff, limit, overdue));
  }

  /** Retention, after the sessions: up to about `limit` rollup rows before `cutoff` (see Retention.deleteRollupsBefore). */
  deleteRollupsBefore(cutoff: number, limit: number): number {
    return this.write(() => this.retention.deleteRollupsBefore(cutoff, limit));
  }

  /**
   * After deletions: gives up to `pages` free pages of the file back to the file system, in
   * one transaction of its own, stopping early once `overdue()` (see giveSpaceBack); returns how many.
   */
  giveSpaceBack(pages: number, overdue?: () => boolean): number {
    return giveSpaceBack(this.db, pages, overdue);
  }

  /** Free pages in the database file: what giveSpaceBack could give back. */
  freePages(): number {
    return freePages(this.db);
  }

  // ---- shutdown ----------------------------------------------------------------------

  /** Stops taking requests, writes those already accepted and every counter, and marks the stop clean. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.pending.length > 0 || this.flushScheduled) {
      await new Promise<void>((r) => setImmediate(r));
    }
    this.write((tx) => {
      this.active.writeDirty(tx);
      this.q.setRunState.run(1);
    });
    while (this.answering > 0) await new Promise<void>((r) => setImmediate(r));
    this.walSync?.close();
  }
}
