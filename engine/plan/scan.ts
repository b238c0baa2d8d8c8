import type { DB } from '../db/database';

/** One tracked event as the draft and the revalidation read it. */
export type ScannedEvent = [pk: number, type: string, properties: string];

/** Rows a step looks at: a pk window, however few of them the range holds, so no step reads much. */
const WINDOW = 4000;

/**
 * Tracked events (Footfall's own left out) with `from <= time < to`, a pk window at a time,
 * oldest first or newest first, giving the event loop back between windows as the sweeper
 * does: the collector keeps answering while a million events are read. Stops when `visit`
 * answers false.
 */
export async function scanEvents(
  db: DB,
  range: { from?: number | undefined; to?: number | undefined },
  order: 'asc' | 'desc',
  visit: (rows: ScannedEvent[]) => boolean,
): Promise<void> {
  const bounds = db.prepare('SELECT min(pk) AS lo, max(pk) AS hi FROM events').get() as { lo: number | null; hi: number | null };
  if (bounds.lo === null || bounds.hi === null) return;
  const read = db
    .prepare<[number, number, number, number], ScannedEvent>(
      `SELECT pk, type, properties FROM events WHERE pk >= ? AND pk < ? AND system = 0 AND time >= ? AND time < ? ORDER BY pk ${order === 'asc' ? 'ASC' : 'DESC'}`,
    )
    .raw();
  const from = range.from ?? 0;
  const to = range.to ?? Number.MAX_SAFE_INTEGER;
  const { lo, hi } = bounds;
  for (let i = 0; lo + i * WINDOW <= hi; i++) {
    const start = order === 'asc' ? lo + i * WINDOW : Math.max(lo, hi + 1 - (i + 1) * WINDOW);
    const end = order === 'asc' ? start + WINDOW : hi + 1 - i * WINDOW;
    const rows = read.all(start, end, from, to);
    if (rows.length > 0 && !visit(rows)) return;
    await new Promise<void>((r) => setImmediate(r));
  }
}
