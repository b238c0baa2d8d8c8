import type { RollupWriter } from './rollups';

/** What the engine tells listeners after each commit: rows that are new or changed. */
export interface CommitNotice {
  /** Primary keys of events written, in order. */
  events: number[];
  /** Sessions started. */
  started: number[];
  /** Sessions ended. */
  ended: number[];
}

/**
 * What one write transaction collects as it goes. The engine resets it at the start of each
 * write and hands it to every part that writes (`tx`); what it holds is only good until that
 * transaction commits or rolls back.
 */
export class Scratch {
  /** Rows written, for the listeners: a new object each time, since a listener may keep it. */
  notice: CommitNotice = { events: [], started: [], ended: [] };
  /** Event ids from clients written so far (a batch may carry one id twice). */
  readonly seenEventIds = new Set<string>();
  /** Profiles created so far whose profile-created event is not written yet. */
  readonly unannounced = new Set<number>();
  /** The counters of every changed active session were written (so none is behind any more). */
  dirtyWritten = false;

  /** The rollup changes, written as upserts just before the commit. */
  constructor(readonly rollups: RollupWriter) {}

  reset(): void {
    this.notice = { events: [], started: [], ended: [] };
    this.seenEventIds.clear();
    this.unannounced.clear();
    this.dirtyWritten = false;
  }
}
