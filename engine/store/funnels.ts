import type { DB } from '../db/database';
import type { FunnelStep, SavedFunnel } from '../../shared/explore';

/** Funnels the dashboard saved by name (the `funnels` table, migration 008). */

interface FunnelRow {
  name: string;
  steps: string;
  updated_at: number;
}

function funnelView(r: FunnelRow): SavedFunnel {
  return { name: r.name, steps: JSON.parse(r.steps) as FunnelStep[], updatedAt: new Date(r.updated_at).toISOString() };
}

/** Every read and write of the saved funnels. */
export class FunnelStore {
  constructor(private readonly db: DB) {}

  list(): SavedFunnel[] {
    return (this.db.prepare('SELECT name, steps, updated_at FROM funnels ORDER BY name').all() as FunnelRow[]).map(funnelView);
  }

  /** Saves (or replaces) the funnel `name`. */
  save(name: string, steps: readonly FunnelStep[], now: number): SavedFunnel {
    const clean = steps.map((s) => (s.page === undefined || s.page === '' ? { type: s.type } : { type: s.type, page: s.page }));
    this.db
      .prepare('INSERT INTO funnels (name, steps, updated_at) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET steps = excluded.steps, updated_at = excluded.updated_at')
      .run(name, JSON.stringify(clean), now);
    return { name, steps: clean, updatedAt: new Date(now).toISOString() };
  }

  /** Deletes the funnel `name`; false when there is none. */
  delete(name: string): boolean {
    return this.db.prepare('DELETE FROM funnels WHERE name = ?').run(name).changes > 0;
  }
}
