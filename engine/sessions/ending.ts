import type { SessionRow, TrafficClass } from '../db/rows';
import { eventIdBatchPrefix } from '../util/ids';
import type { EndReason } from '../../shared/api';
import { durationBucket, isEngaged, sessionDuration } from '../../shared/rules';
import type { ActiveSessions, SessionState } from './active';
import { pageKeyOf } from './enrich';
import type { RollupWriter } from './rollups';
import type { Scratch } from './scratch';
import type { Statements } from './statements';
import { writeSystemEvent } from './visits';

/**
 * Ending visits. One visit at a time (`end`: logout, the API, a visit found idle past the
 * timeout when its next event comes) or a chunk of expired ones at once (`sweepChunk`: the
 * sweeper, in set-based SQL that writes what `end` writes; a test compares the two). Both
 * then go through `ended`: rollups, commit notice, leaving memory.
 */
export class Ending {
  constructor(
    private readonly q: Statements,
    private readonly active: ActiveSessions,
  ) {}

  /** Ends a visit: its row, its visit-ended event, and what every ending leaves (`ended`). */
  end(tx: Scratch, s: SessionState, reason: EndReason, now: number): void {
    const duration = sessionDuration(s.startedAt, s.lastAt);
    this.q.endSession.run(s.lastAt, s.lastAt, duration, reason, s.events, s.pageViews, s.keyEvents, s.landingPage, s.exitPage, s.pk);
    const engaged = isEngaged(s.pageViews, duration, s.keyEvents);
    // The same properties, in the same order, as ENDING_EVENTS_SQL writes for the sweeper.
    writeSystemEvent(this.q, tx, 'visit-ended', s.pk, s.profilePk, s.sourceId, s.cls, now, {
      reason,
      duration,
      events: s.events,
      pageViews: s.pageViews,
      keyEvents: s.keyEvents,
      engaged,
    }, s.exitPage);
    this.ended(tx, s.pk, s.startedAt, s.cls, duration, engaged, s.pageViews, s.exitKey);
  }

  /** Ends the active session of `row`: from memory when it is held there (memory is ahead of the row). */
  endRow(tx: Scratch, row: SessionRow, reason: EndReason, now: number): void {
    this.end(tx, this.active.withPk(row.pk) ?? this.active.fromRow(row), reason, now);
  }

  /**
   * Ends up to `limit` sessions last active before `idleBefore`, with set-based statements
   * over the chunk (see ENDING_EVENTS_SQL): the sweeper's timeouts, and `POST
   * /api/sessions/end` (reason `api`). Returns how many it ended (fewer than `limit` means
   * it caught up).
   */
  sweepChunk(tx: Scratch, now: number, idleBefore: number, limit: number, reason: EndReason = 'timeout'): number {
    const q = this.q;
    // Idleness is judged on the rows: bring them up to date with memory first.
    this.active.writeDirty(tx);
    const n = q.pickExpired.run(idleBefore, limit).changes;
    if (n === 0) return 0;
    // The rows' strings by key: the lookups in SQL then always find them (see ENDING_EVENTS_SQL).
    for (const sourceId of q.endingStrings.all()) q.strings.id(sourceId);
    const typeRef = q.strings.id('visit-ended');
    const last = Number(q.endingEvents.run({ now, reason, idPrefix: eventIdBatchPrefix(now), typeRef }).lastInsertRowid);
    // One INSERT ... SELECT appends its rows with consecutive keys.
    for (let pk = last - n + 1; pk <= last; pk++) tx.notice.events.push(pk);
    // The UPDATE hands back what the rollups need of each row it ended.
    for (const [pk, startedAt, lastAt, pageViews, keyEvents, exitPage, traffic] of q.endingUpdate.all(reason)) {
      const duration = sessionDuration(startedAt, lastAt);
      this.ended(tx, pk, startedAt, traffic, duration, isEngaged(pageViews, duration, keyEvents), pageViews, pageKeyOf(exitPage));
    }
    q.endingClear.run();
    return n;
  }

  /**
   * What every ended visit leaves, however it was ended: its rollups, its place in the
   * commit notice, and its state out of memory (a later event with its id continues it as
   * a new visit).
   */
  private ended(tx: Scratch, pk: number, startedAt: number, cls: TrafficClass, duration: number, engaged: boolean, pageViews: number, exitKey: string | null): void {
    countEnding(tx.rollups, startedAt, cls, duration, engaged, pageViews, exitKey);
    tx.notice.ended.push(pk);
    const cached = this.active.withPk(pk);
    if (cached) this.active.forget(cached);
  }
}

/** What an ended visit adds to the rollups (`n` -1 takes it out again: reclassify.ts). */
export function countEnding(r: RollupWriter, startedAt: number, cls: TrafficClass, duration: number, engaged: boolean, pageViews: number, exitKey: string | null, n = 1): void {
  r.addSession(startedAt, cls, { ended: n, engaged: engaged ? n : 0, durationSum: duration * n, pageViews: pageViews * n });
  r.addDim('duration', startedAt, cls, durationBucket(duration), n);
  if (exitKey !== null) r.addDim('exit', startedAt, cls, exitKey, n);
}
