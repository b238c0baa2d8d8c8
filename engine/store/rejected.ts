import type { Statement } from 'better-sqlite3';
import type { DB } from '../db/database';
import type { RejectedRow } from '../db/rows';
import { decodeCursor, encodeCursor } from '../queries/cursor';
import type { Page, RejectedView } from '../../shared/api';

/** How many refused requests are kept (the newest), and how much of each body. */
export const REJECTED_LIMITS = { rows: 10_000, bodyBytes: 64 * 1024 } as const;

export interface Rejection {
  time: number;
  status: number;
  detail: string;
  sourceId: string | null;
  origin: string | null;
  userAgent: string | null;
  /** The body as it came, or null when it was refused before it was read. */
  body: string | null;
}

/** `text` cut to at most `bytes` bytes of UTF-8, never in the middle of a character. */
export function cutUtf8(text: string, bytes: number): { text: string; cut: boolean } {
  if (text.length * 3 <= bytes || Buffer.byteLength(text) <= bytes) return { text, cut: false };
  let out = Buffer.from(text).subarray(0, bytes).toString('utf8');
  // A character cut in two decodes as U+FFFD at the end.
  if (out.endsWith('\uFFFD') && !text.startsWith(out)) out = out.slice(0, -1);
  return { text: out, cut: true };
}

/**
 * The refused `/track` requests (400, 401, 413, 415, 422), kept apart from the data so a
 * tester can see why a page's events never arrived: the newest REJECTED_LIMITS.rows, bodies
 * cut at REJECTED_LIMITS.bodyBytes. Each is written in its own small transaction, never in
 * the engine's: a refused request changes no event, session, profile or figure.
 */
export class RejectedLog {
  private readonly insert: Statement<[RejectedRowInsert]>;
  private readonly trim: Statement<[number]>;
  private readonly page: Statement<[number, number], RejectedRow>;
  private readonly clearAll: Statement<[]>;
  private readonly countAll: Statement<[], number>;
  private readonly keep: number;

  constructor(db: DB, opts: { rows?: number } = {}) {
    this.keep = opts.rows ?? REJECTED_LIMITS.rows;
    this.insert = db.prepare<[RejectedRowInsert]>(`INSERT INTO rejected (time, status, detail, source_id, origin, user_agent, body, truncated)
      VALUES (@time, @status, @detail, @sourceId, @origin, @userAgent, @body, @truncated)`);
    // Keys only grow: everything below the newest `keep` goes (one row a request, once full).
    this.trim = db.prepare<[number]>('DELETE FROM rejected WHERE pk <= ?');
    this.page = db.prepare<[number, number], RejectedRow>('SELECT * FROM rejected WHERE pk < ? ORDER BY pk DESC LIMIT ?');
    this.clearAll = db.prepare('DELETE FROM rejected');
    this.countAll = db.prepare<[], number>('SELECT count(*) FROM rejected').pluck();
  }

  record(r: Rejection): void {
    const body = r.body === null ? null : cutUtf8(r.body, REJECTED_LIMITS.bodyBytes);
    const pk = Number(this.insert.run({ ...r, body: body?.text ?? null, truncated: body?.cut ? 1 : 0 }).lastInsertRowid);
    if (pk > this.keep) this.trim.run(pk - this.keep);
  }

  /** Newest first, paged like every list (`next` is the cursor of the following page). */
  list(limit: number, cursor: string | undefined): Page<RejectedView> {
    const before = cursor === undefined ? Number.MAX_SAFE_INTEGER : decodeCursor(cursor)[1];
    const rows = this.page.all(before, limit + 1);
    const last = rows[limit - 1];
    return { items: rows.slice(0, limit).map(rejectedView), next: rows.length > limit && last ? encodeCursor([last.pk, last.pk]) : null };
  }

  count(): number {
    return this.countAll.get() ?? 0;
  }

  /** Empties the log; answers how many it held. */
  clear(): number {
    return this.clearAll.run().changes;
  }
}

type RejectedRowInsert = Omit<Rejection, 'body'> & { body: string | null; truncated: number };

function rejectedView(r: RejectedRow): RejectedView {
  return {
    id: String(r.pk),
    time: new Date(r.time).toISOString(),
    status: r.status,
    detail: r.detail,
    source: r.source_id === null ? null : { id: r.source_id },
    origin: r.origin,
    userAgent: r.user_agent,
    body: r.body,
    truncated: r.truncated === 1,
  };
}
