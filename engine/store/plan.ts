import type { DB } from '../db/database';

/** The tracking plan kept in the database (the `tracking_plan` table, migration 011): its JSON text as saved. */
export class PlanStore {
  constructor(private readonly db: DB) {}

  read(): { text: string; updatedAt: number } | null {
    const r = this.db.prepare('SELECT plan, updated_at FROM tracking_plan WHERE id = 1').get() as { plan: string; updated_at: number } | undefined;
    return r === undefined ? null : { text: r.plan, updatedAt: r.updated_at };
  }

  write(text: string, now: number): void {
    this.db
      .prepare('INSERT INTO tracking_plan (id, plan, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET plan = excluded.plan, updated_at = excluded.updated_at')
      .run(text, now);
  }
}
