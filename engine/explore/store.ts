import type { Statement } from 'better-sqlite3';
import type { DB } from '../db/database';
import { ExploreData } from './data';
import { Ingest } from './ingest';
import { PAGE_VIEW_TYPES } from '../../shared/rules';
import { decodeInto, encodeEvents, encodeSessions, type SegmentKind } from './segments';

export interface ExploreStoreOptions {
  /** Events per written segment (at least; a segment ends at a read batch). */
  segmentEvents?: number;
  /** Sessions per written segment. */
  segmentSessions?: number;
  /** Longest stretch of work before giving the event loop back, ms. */
  sliceMs?: number;
}

const BATCH = 4096;
/** Rows of a range read again at once (see readRange): a few milliseconds of them. */
const RANGE_BATCH = 256;
const KIND: Record<SegmentKind, number> = { events: 0, sessions: 1 };
const yieldLoop = () => new Promise<void>((r) => setImmediate(r));

export class StoreClosedError extends Error {
  override readonly name = 'StoreClosedError';
}

/** Where one kind of row stands: read up to `pk`; segments cover up to `sealedPk`. */
interface Progress {
  pk: number;
  sealedPk: number;
  /** First slot (sessions) or index (events) not in a segment. */
  sealedAt: number;
  /** Table rows read since `sealedPk` (system events included). */
  rows: number;
  /** The last segment, when it is smaller than a full one: the next seal rewrites it with what follows. */
  small: { lo: number; at: number; rows: number } | null;
}

const fresh = (): Progress => ({ pk: 0, sealedPk: 0, sealedAt: 0, rows: 0, small: null });

/**
 * Explore's copy of every session and event, in memory (ExploreData), kept in step with the
 * tables and persisted in segments. `current()` catches up with every row committed before
 * it was called, in slices that give the event loop back, so the collector keeps answering
 * while a large backlog is read. Nothing here runs on the collector's path: rows are read
 * when explore is asked, or when the collector is idle (`startIdle`).
 */
export class ExploreStore {
  private data: ExploreData | null = null;
  private readonly ingest: Ingest;
  private readonly opts: Required<ExploreStoreOptions>;
  private events = fresh();
  private sessions = fresh();
  /** total_changes() when the data was last caught up: unchanged means nothing to read. */
  private changesSeen = -1;
  private pending: Promise<ExploreData> | null = null;
  /** A load from the segments is under way (the data is being built, not yet caught up). */
  private loading = false;
  /** Told when the data is dropped to be loaded again (see `onDrop`). */
  private readonly dropListeners = new Set<() => void>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly q: {
    changes: Statement;
    touched: Statement;
    untouch: Statement;
    segments: Statement;
    segmentData: Statement;
    insertSegment: Statement;
    deleteSegment: Statement;
    dropOverlapping: Statement;
    maxPk: Record<SegmentKind, Statement>;
  };

  constructor(
    private readonly db: DB,
    opts: ExploreStoreOptions = {},
  ) {
    this.opts = { segmentEvents: 16_384, segmentSessions: 2048, sliceMs: 12, ...opts };
    this.ingest = new Ingest(db);
    this.q = {
      changes: db.prepare('SELECT total_changes()').pluck(),
      touched: db.prepare('SELECT events_lo, sessions_lo, events_hi, sessions_hi FROM explore_state WHERE id = 1').raw(),
      untouch: db.prepare('UPDATE explore_state SET events_lo = NULL, events_hi = NULL, sessions_lo = NULL, sessions_hi = NULL WHERE id = 1'),
      dropOverlapping: db.prepare('DELETE FROM explore_segments WHERE kind = ? AND hi >= ? AND lo < ?'),
      segments: db.prepare('SELECT lo, hi, rows, items FROM explore_segments WHERE kind = ? ORDER BY lo'),
      segmentData: db.prepare('SELECT data FROM explore_segments WHERE kind = ? AND lo = ?').pluck(),
      insertSegment: db.prepare('INSERT OR REPLACE INTO explore_segments (kind, lo, hi, rows, items, data) VALUES (?, ?, ?, ?, ?, ?)'),
      deleteSegment: db.prepare('DELETE FROM explore_segments WHERE kind = ? AND lo = ?'),
      maxPk: {
        events: db.prepare('SELECT coalesce(max(pk), 0) FROM events').pluck(),
        sessions: db.prepare('SELECT coalesce(max(pk), 0) FROM sessions').pluck(),
      },
    };
  }

  /**
   * Whether `current()` would answer from the columns already in memory (after a catch-up of
   * what was committed since), rather than load them first: loaded, no load under way, and no
   * rows deleted under them since. What the unfiltered overview asks before counting its
   * distinct visitors here instead of in SQL (queries/explore.ts `visitors`).
   */
  inMemory(): boolean {
    if (this.data === null || this.loading || this.closed) return false;
    const [evLo, sLo] = this.q.touched.get() as Array<number | null>;
    return evLo === null && sLo === null;
  }

  /**
   * Calls `listener` whenever the data is dropped to be loaded again (rows were deleted under
   * it): whoever keeps something computed from the old data lets go of it there, or the old
   * columns stay in memory beside the new ones (~190 MB each at ten million events).
   */
  onDrop(listener: () => void): void {
    this.dropListeners.add(listener);
  }

  /** The data, caught up with every row committed before the call. */
  current(): Promise<ExploreData> {
    if (this.closed) return Promise.reject(new StoreClosedError('explore stopped'));
    this.pending ??= this.refresh().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  /**
   * Loads the data at the first moment `idle()` says the collector is quiet (checked every
   * second), then catches up and writes what it read every `seconds` while it is quiet, so
   * that a restart has little to read from the tables. Not at once at start-up: the load
   * would share the loop with the sweeper's catch-up and the collector's first requests (a
   * query that comes first loads what it needs itself).
   */
  startIdle(idle: () => boolean, seconds = 30, onError: (err: unknown) => void = () => {}): void {
    const tick = () => {
      if (idle() && this.pending === null) {
        void this.current().then(
          () => this.flush(),
          (err: unknown) => {
            if (!(err instanceof StoreClosedError)) onError(err);
          },
        );
      }
    };
    this.timer = setInterval(() => {
      if (this.data === null) return tick();
      if (this.timer) clearInterval(this.timer);
      this.timer = setInterval(tick, seconds * 1000);
      this.timer.unref();
    }, 1000);
    this.timer.unref();
  }

  /** Writes everything read so far into segments (at idle moments and at shutdown). */
  flush(): void {
    if (this.data === null || this.pending !== null) return;
    this.seal(this.data, 'sessions');
    this.seal(this.data, 'events');
  }

  /** Writes what was read, and stops: a catch-up still under way ends at its next slice. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.flush();
    this.closed = true;
  }

  /** Gives the event loop back between slices of work. */
  private async pause(): Promise<void> {
    await yieldLoop();
    if (this.closed) throw new StoreClosedError('explore stopped');
  }

  /** Gives the loop back if the stretch of work started at `t0` has used its time; returns when the current stretch started. */
  private async slice(t0: number): Promise<number> {
    if (performance.now() - t0 <= this.opts.sliceMs) return t0;
    await this.pause();
    return performance.now();
  }

  private async refresh(): Promise<ExploreData> {
    if (this.data !== null && this.q.changes.get() === this.changesSeen) return this.data;
    if (this.dropTouched()) {
      this.data = null;
      for (const listener of this.dropListeners) listener();
      // Dropping the segments was a transaction of its own: the loop back before the load.
      await this.pause();
    }
    if (this.data === null) {
      this.loading = true;
      try {
        await this.load();
      } finally {
        this.loading = false;
      }
    }
    const data = this.data!;
    await this.catchUp(data);
    this.changesSeen = this.q.changes.get() as number;
    return data;
  }

  /**
   * After rows were deleted (or changed): drops the segments overlapping them, so the next
   * load reads those ranges from the tables again. Returns whether anything was touched.
   */
  private dropTouched(): boolean {
    const [evLo, sLo, evHi, sHi] = this.q.touched.get() as Array<number | null>;
    if (evLo === null && sLo === null) return false;
    this.db.transaction(() => {
      // Segments hold (lo, hi]: one overlaps [a, b] when hi >= a and lo < b.
      if (evLo !== null) this.q.dropOverlapping.run(KIND.events, evLo, evHi);
      if (sLo !== null) this.q.dropOverlapping.run(KIND.sessions, sLo, sHi);
      this.q.untouch.run();
    })();
    return true;
  }

  /** Builds the data from the segments, reading from the tables the ranges no segment holds. */
  private async load(): Promise<void> {
    const data = new ExploreData(PAGE_VIEW_TYPES);
    this.data = data;
    this.events = fresh();
    this.sessions = fresh();
    const full = { events: this.opts.segmentEvents, sessions: this.opts.segmentSessions };
    let t0 = performance.now();
    for (const kind of ['sessions', 'events'] as const) {
      const p = this[kind];
      const segments = this.q.segments.all(KIND[kind]) as Array<{ lo: number; hi: number; rows: number; items: number }>;
      // Room for the segments' rows and the table's rows after them, so loading grows
      // nothing, and as much again for what comes after: room never written is never
      // resident, while growing copies every column (old and new resident at once).
      const room = 2 * (segments.reduce((a, s) => a + s.items, 0) + Math.max(0, (this.q.maxPk[kind].get() as number) - (segments.at(-1)?.hi ?? 0)));
      // Room is made a kind of column at a time, with the loop given back between when the
      // time is used: V8 answers each ~100 MB of new columns with a collection (~10-13 ms a
      // call at ten million events), and in one task with the reads around them they held
      // the loop 45-110 ms while explore read again what retention had touched.
      t0 = await this.slice(t0);
      if (kind === 'events') {
        data.growEvents(room);
        t0 = await this.slice(t0);
        data.growProps(Math.ceil(room * 1.25));
      } else data.growSessions(room);
      t0 = await this.slice(t0);
      for (const s of segments) {
        if (s.lo < p.pk) continue; // overlaps what is read already (never written so)
        if (s.lo > p.pk) {
          await this.readRange(data, kind, p.pk, s.lo);
          t0 = performance.now();
        }
        const at = this.count(kind);
        try {
          decodeInto(data, this.q.segmentData.get(KIND[kind], s.lo) as Buffer<ArrayBuffer>);
          p.pk = p.sealedPk = s.hi;
          p.sealedAt = this.count(kind);
          p.small = s.items < full[kind] ? { lo: s.lo, at, rows: s.rows } : null;
        } catch {
          // A format this version does not read: read the rows again.
          this.q.deleteSegment.run(KIND[kind], s.lo);
          await this.readRange(data, kind, s.lo, s.hi);
        }
        t0 = await this.slice(t0);
      }
      // Every session before any event, so each event finds its session.
      if (kind === 'sessions') while (this.readSessions(data) > 0) await this.pause();
    }
  }

  private count(kind: SegmentKind): number {
    return kind === 'events' ? this.data!.nEvents : this.data!.nSessions;
  }

  /**
   * Reads the rows of (lo, hi] from the table and writes them as a segment, a batch at a
   * time, giving the event loop back every `sliceMs`: after retention deleted a month, the
   * range of the segments it touched is read again, and in one statement the rows still
   * there held the loop ~270 ms (1 M events).
   */
  private async readRange(data: ExploreData, kind: SegmentKind, lo: number, hi: number): Promise<void> {
    const at = this.count(kind);
    let rows = 0;
    let t0 = performance.now();
    for (let from = lo; from < hi; ) {
      const r = kind === 'events' ? this.ingest.eventsIn(data, from, hi, RANGE_BATCH) : this.ingest.sessionsIn(data, from, hi, RANGE_BATCH);
      rows += r.rows;
      if (r.rows < RANGE_BATCH) break;
      from = r.lastPk;
      t0 = await this.slice(t0);
    }
    this.write(kind, lo, hi, rows, at);
    const p = this[kind];
    p.pk = p.sealedPk = hi;
    p.sealedAt = this.count(kind);
    p.rows = 0;
    p.small = null;
  }

  /** Rows read at once: a batch ends where a segment may end, so segments come near their size. */
  private batch(kind: SegmentKind): number {
    return Math.max(1, Math.min(BATCH, kind === 'events' ? this.opts.segmentEvents : this.opts.segmentSessions));
  }

  private readSessions(data: ExploreData): number {
    const r = this.ingest.sessionsAfter(data, this.sessions.pk, this.batch('sessions'));
    this.sessions.pk = r.lastPk;
    this.sessions.rows += r.rows;
    if (data.nSessions - this.sessions.sealedAt >= this.opts.segmentSessions) this.seal(data, 'sessions');
    return r.rows === this.batch('sessions') ? r.rows : 0;
  }

  /** Reads new sessions and events, a batch at a time, then the active sessions again. */
  private async catchUp(data: ExploreData): Promise<void> {
    let t0 = performance.now();
    for (;;) {
      while (this.readSessions(data) > 0) t0 = await this.slice(t0);
      const r = this.ingest.eventsAfter(data, this.events.pk, this.batch('events'));
      this.events.pk = r.lastPk;
      this.events.rows += r.rows;
      if (data.nEvents - this.events.sealedAt >= this.opts.segmentEvents) this.seal(data, 'events');
      if (r.rows < this.batch('events')) break;
      t0 = await this.slice(t0);
    }
    await this.ingest.refreshActive(data, (t0) => this.slice(t0));
  }

  /**
   * Writes what was read since the last segment of `kind` as a new one; when the last one
   * is smaller than a full segment, rewrites it with what follows instead, so restarts and
   * idle moments do not leave a trail of small segments.
   */
  private seal(data: ExploreData, kind: SegmentKind): void {
    const p = this[kind];
    if (p.pk === p.sealedPk) return;
    const n = this.count(kind);
    const from = p.small ?? { lo: p.sealedPk, at: p.sealedAt, rows: 0 };
    this.write(kind, from.lo, p.pk, from.rows + p.rows, from.at);
    const full = kind === 'events' ? this.opts.segmentEvents : this.opts.segmentSessions;
    p.small = n - from.at < full ? { lo: from.lo, at: from.at, rows: from.rows + p.rows } : null;
    p.sealedPk = p.pk;
    p.sealedAt = n;
    p.rows = 0;
  }

  private write(kind: SegmentKind, lo: number, hi: number, rows: number, from: number): void {
    const data = this.data!;
    const to = this.count(kind);
    const blob = kind === 'events' ? encodeEvents(data, from, to) : encodeSessions(data, from, to);
    try {
      this.q.insertSegment.run(KIND[kind], lo, hi, rows, to - from, blob);
    } catch {
      // A cache: if it cannot be written (a full disk), the rows are read again next start.
    }
  }
}
