import type { SessionRow } from '../db/rows';
import { newId } from '../util/ids';
import type { SessionState } from './active';
import { asObject, asString } from './enrich';
import type { Scratch } from './scratch';
import type { Statements } from './statements';

export interface ProfileState {
  pk: number;
  id: string;
  visitCount: number;
  debug: boolean;
}

const PROFILE_CACHE_MAX = 50_000;

/** The profiles the engine has seen lately, by id (a cache of the profiles table). */
export class Profiles {
  private readonly byId = new Map<string, ProfileState>();

  constructor(private readonly q: Statements) {}

  find(id: string): ProfileState | null {
    const hit = this.byId.get(id);
    if (hit) return hit;
    const row = this.q.profileById.get(id);
    if (!row) return null;
    return this.remember({ pk: row.pk, id: row.id, visitCount: row.visit_count, debug: row.debug === 1 });
  }

  /** The profile of an active session. */
  of(s: SessionState): ProfileState {
    return this.find(s.profileId) ?? { pk: s.profilePk, id: s.profileId, visitCount: 0, debug: false };
  }

  /**
   * The profile of a new visit: the one the payload names (created with that id if it is
   * new: Footfall adopts the ids a test site chooses), else the ended visit's profile (the
   * same visitor coming back), else a new profile. A new one is announced by the visit
   * (`tx.unannounced`).
   */
  forVisit(tx: Scratch, id: string | null, ended: SessionRow | null, context: Record<string, unknown>, now: number, debug: boolean): ProfileState {
    if (id === null && ended !== null) {
      const known = this.q.profileIdByPk.get(ended.profile_pk);
      if (known !== undefined) id = known;
    }
    if (id !== null) {
      const found = this.find(id);
      if (found) return found;
    }
    const tz = asString(asObject(context.time)?.tz, 64);
    const newId_ = id ?? newId();
    const pk = Number(this.q.insertProfile.run(newId_, now, now, tz, debug ? 1 : 0).lastInsertRowid);
    tx.unannounced.add(pk);
    return this.remember({ pk, id: newId_, visitCount: 0, debug });
  }

  /** Forgets every profile (a rolled-back write may have made some; debug data was deleted). */
  clear(): void {
    this.byId.clear();
  }

  private remember(p: ProfileState): ProfileState {
    if (this.byId.size >= PROFILE_CACHE_MAX) this.byId.clear();
    this.byId.set(p.id, p);
    return p;
  }
}
