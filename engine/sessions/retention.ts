import { DAY_MS, HOUR_MS } from '../../shared/rules';
import type { ActiveSessions } from './active';
import type { Profiles } from './profiles';
import type { Statements } from './statements';

/** Deleting data: what retention lets go of, and what debug traffic left. Each runs inside a write transaction. */
export class Retention {
  constructor(
    private readonly q: Statements,
    private readonly active: ActiveSessions,
    private readonly profiles: Profiles,
  ) {}

  /**
   * Deletes sessions that ended before `cutoff` (ms), with all their events, until about
   * `limit` units of work are done: a unit is an event or a session row (a session's cost is
   * its events, from a handful to hundreds, so counting sessions would let one slice run ten
   * times as long as the next). Returns the units done (fewer than `limit` means it caught
   * up, unless `overdue()` said to stop, which it asks after each session). Active sessions
   * and profiles stay (a profile's visit count is its history). The rollups go after, with
   * deleteRollupsBefore.
   */
  deleteOlderThan(cutoff: number, limit: number, overdue: () => boolean = () => false): number {
    const q = this.q;
    const sessions: Array<[pk: number, events: number]> = [];
    let planned = 0;
    // Read only as many sessions as the budget of units takes (the iterator stops there).
    for (const row of q.endedBefore.iterate(cutoff, cutoff)) {
      sessions.push(row);
      planned += row[1] + 1;
      if (planned >= limit) break;
    }
    let units = 0;
    for (const [pk, events] of sessions) {
      q.deleteSessionValidation.run(pk);
      q.deleteSessionEvents.run(pk);
      q.deleteSessionContext.run(pk);
      q.deleteSession.run(pk);
      units += events + 1;
      if (overdue()) break;
    }
    return units;
  }

  /**
   * Deletes up to about `limit` rollup rows of the buckets before `cutoff` (hours for the
   * hourly rows, days for the daily); returns how many went (fewer than `limit`: none left).
   */
  deleteRollupsBefore(cutoff: number, limit: number): number {
    const q = this.q;
    const hour = Math.floor(cutoff / HOUR_MS);
    const day = Math.floor(cutoff / DAY_MS);
    // agg_sessions has a row per bucket and class (a month of hours: a few thousand rows), a batch at a time too.
    let n = q.deleteAggSessionsBatch.run(0, hour, limit).changes;
    if (n < limit) n += q.deleteAggSessionsBatch.run(1, day, limit - n).changes;
    for (let dim = q.firstAggDim.get() ?? null; dim !== null && n < limit; dim = q.nextAggDim.get(dim) ?? null) {
      n += q.deleteAggDimsBatch.run(dim, 0, hour, limit - n).changes;
      if (n < limit) n += q.deleteAggDimsBatch.run(dim, 1, day, limit - n).changes;
    }
    return n;
  }

  /**
   * Deletes every event, session, profile and rollup (`POST /api/reset`, between test runs),
   * and forgets them in memory. Sources, settings and the rejected log are not its business.
   */
  deleteEverything(): { events: number; sessions: number; profiles: number } {
    const q = this.q;
    q.deleteAllValidation.run();
    const events = q.deleteAllEvents.run().changes;
    q.deleteAllContext.run();
    const sessions = q.deleteAllSessions.run().changes;
    const profiles = q.deleteAllProfiles.run().changes;
    q.deleteAllAggDims.run();
    q.deleteAllAggSessions.run();
    this.active.clear();
    this.profiles.clear();
    return { events, sessions, profiles };
  }

  /**
   * Deletes everything debug traffic left: the debug session and its events, debug events
   * anywhere, profiles that only debug traffic made, and the debug rollups.
   */
  deleteDebugData(): { events: number; sessions: number; profiles: number } {
    const q = this.q;
    q.deleteDebugValidation.run();
    const events = q.deleteDebugEvents.run().changes;
    q.deleteDebugContext.run();
    const sessions = q.deleteDebugSessions.run().changes;
    const profiles = q.deleteDebugProfiles.run().changes;
    q.deleteDebugAggDims.run();
    q.deleteDebugAggSessions.run();
    this.active.forgetDebug();
    this.profiles.clear();
    return { events, sessions, profiles };
  }
}
