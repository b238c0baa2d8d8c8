import type { DB } from '../db/database';
import { VALIDATION_CODE, type RevalidateView } from '../../shared/plan';
import type { CompiledPlan } from './check';
import { scanEvents } from './scan';

/**
 * `POST /api/plan/revalidate`: checks the stored events of a range again, against the plan in
 * force as each step runs (after a change of the plan, or to check what came before it). A
 * step is one transaction, its verdicts replacing the old ones; without a plan the verdicts
 * are removed (validation null again). Events arriving meanwhile are checked as they come.
 */
export async function revalidate(db: DB, plan: () => CompiledPlan | null, range: { from?: number | undefined; to?: number | undefined }): Promise<RevalidateView> {
  const put = db.prepare<[number, number, string | null]>('INSERT OR REPLACE INTO event_validation (event_pk, status, errors) VALUES (?, ?, ?)');
  const drop = db.prepare<[number]>('DELETE FROM event_validation WHERE event_pk = ?');
  const counts: RevalidateView = { checked: 0, valid: 0, invalid: 0, unplanned: 0 };
  const step = db.transaction((rows: ReadonlyArray<readonly [number, string, string]>) => {
    const p = plan();
    for (const [pk, type, properties] of rows) {
      counts.checked++;
      if (p === null) {
        drop.run(pk);
        continue;
      }
      const v = p.check(type, parse(properties));
      put.run(pk, v.status, v.errorsJson);
      if (v.status === VALIDATION_CODE.valid) counts.valid++;
      else if (v.status === VALIDATION_CODE.invalid) counts.invalid++;
      else counts.unplanned++;
    }
  });
  await scanEvents(db, range, 'asc', (rows) => {
    step(rows);
    return true;
  });
  return counts;
}

/** Stored properties are the JSON of an object; anything else (a damaged row) is checked as `{}`. */
export function parse(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
