import type { Clock } from '../clock';
import type { SessionRow } from '../db/rows';
import { newEventId, newId } from '../util/ids';
import { DEBUG_SESSION_ID } from '../../shared/rules';
import type { TrackResponse } from '../../shared/track';
import type { ActiveSessions, SessionState } from './active';
import type { Ending } from './ending';
import { parseUserAgent } from './enrich';
import type { ProfileState, Profiles } from './profiles';
import type { PreparedRequest } from './requests';
import type { Scratch } from './scratch';
import type { EngineSettings } from './settings';
import type { Statements } from './statements';
import type { Visits } from './visits';

/** What a session id points at: the active session, or the ended one a new visit would continue. */
type Found = { state: SessionState; ended?: undefined } | { state?: undefined; ended: SessionRow };

/**
 * Writes one tracked request inside the current transaction: for each event, the visit it
 * belongs to (the active one, a new one, a continuation of an ended one, or the debug
 * session), then the event itself; and the answer the tracker gets.
 */
export class Tracking {
  constructor(
    private readonly q: Statements,
    private readonly clock: Clock,
    private readonly settings: EngineSettings,
    private readonly active: ActiveSessions,
    private readonly profiles: Profiles,
    private readonly visits: Visits,
    private readonly ending: Ending,
  ) {}

  write(tx: Scratch, req: PreparedRequest): TrackResponse {
    const now = req.at ?? this.clock.now();
    const warnings: string[] = [];
    const clientSessionId = req.sessionId ?? newId();
    const ua = parseUserAgent(req.userAgent);
    const eventIds: string[] = [];
    /** The payload's own profile, resolved when first needed (debug events, new visits). */
    let reqProfile: ProfileState | null = null;
    let answerProfile: ProfileState | null = null;
    let answerSession = clientSessionId;

    /** What the events themselves were told (their type trimmed, ...), after the request's own. */
    const eventWarnings: string[] = [];
    const list = req.events;
    for (let i = 0; i < list.length; i++) {
      const ev = list[i]!;
      if (ev.clientId) {
        eventIds.push(ev.id);
        if (tx.seenEventIds.has(ev.id) || this.q.eventExists.get(ev.id) !== undefined) {
          // A retry: stored already, and not again.
          eventWarnings.push(`events[${i}].id: "${ev.id}" is stored already (a retry?); it was not stored again.`);
          continue;
        }
        tx.seenEventIds.add(ev.id);
      } else {
        ev.id = newEventId(now);
        eventIds.push(ev.id);
      }
      let s: SessionState;
      let profile: ProfileState;
      if (ev.debug) {
        profile = reqProfile ??= this.profiles.forVisit(tx, req.profileId, null, req.context, now, true);
        const found = this.lookup(tx, DEBUG_SESSION_ID, now);
        s = found?.state ?? this.visits.start(tx, DEBUG_SESSION_ID, profile, null, req, ev, ua, now);
        // A request of debug events only is answered with the debug session.
        if (answerProfile === null) {
          answerProfile = profile;
          answerSession = s.id;
        }
      } else {
        const found = this.lookup(tx, clientSessionId, now);
        if (found?.state) {
          s = found.state;
          profile = this.profiles.of(s);
          if (req.profileId !== null && req.profileId !== s.profileId && warnings.length === 0) {
            warnings.push(`profile.id "${req.profileId}" is not the profile of session "${s.id}"; its events were kept with profile "${s.profileId}".`);
          }
        } else {
          const ended = found?.ended ?? null;
          profile =
            req.profileId === null && ended === null
              ? (reqProfile ??= this.profiles.forVisit(tx, null, null, req.context, now, false))
              : this.profiles.forVisit(tx, req.profileId, ended, req.context, now, false);
          s = this.visits.start(tx, clientSessionId, profile, ended, req, ev, ua, now);
        }
        answerProfile = profile;
        answerSession = s.id;
      }
      this.visits.announce(tx, profile, s, now);
      if (ev.warnings !== null) eventWarnings.push(...ev.warnings);
      // Each stored event keeps what was said about the request and about it.
      const told = warnings.length === 0 && req.warnings.length === 0 && ev.warnings === null ? null : JSON.stringify([...warnings, ...req.warnings, ...(ev.warnings ?? [])]);
      this.visits.record(tx, s, profile, ev, req.sourceId, now, told);
      if (ev.planWarning !== null) eventWarnings.push(ev.planWarning);
      // Never the debug session, even for a plain event that names it: it must stay open,
      // or the next debug event would start a second session with its fixed id.
      if (ev.type === 'logout' && !ev.debug && !s.debug) this.ending.end(tx, s, 'logout', now);
    }
    answerProfile ??= req.profileId !== null ? this.profiles.find(req.profileId) : null;
    return {
      profile: { id: answerProfile?.id ?? req.profileId ?? newId() },
      session: { id: answerSession },
      events: eventIds,
      ux: [],
      response: {},
      errors: [],
      warnings: [...warnings, ...req.warnings, ...eventWarnings],
    };
  }

  /**
   * What a lookup key (a session id as a tracker sends it) points at: the active session,
   * or the ended one a new visit would continue, or nothing. A session idle past the
   * timeout is ended here, exactly as the sweeper would, even if the sweeper has not run.
   */
  private lookup(tx: Scratch, key: string, now: number): Found | null {
    let state = this.active.withKey(key);
    if (!state) {
      const row = this.findSessionRow(key);
      if (row === null) return null;
      if (row.status !== 0) return { ended: row };
      state = this.active.withPk(row.pk) ?? this.active.fromRow(row);
      this.active.remember(state, key);
    }
    if (!state.debug && now - state.lastAt > this.settings.timeoutMs) {
      this.ending.end(tx, state, 'timeout', now);
      return { ended: this.q.sessionByPk.get(state.pk)! };
    }
    return { state };
  }

  /**
   * The session a tracker's session id names: the session with that id, or, when that one
   * ended, the newest visit continuing it (trackers keep their id for a while).
   */
  private findSessionRow(key: string): SessionRow | null {
    let row = this.q.sessionById.get(key) ?? null;
    while (row !== null && row.status !== 0) {
      const next = this.q.continuationOf.get(row.pk);
      if (next === undefined) break;
      row = next;
    }
    return row;
  }
}
