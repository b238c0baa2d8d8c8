import type { Statement } from 'better-sqlite3';
import type { DB } from '../db/database';

/**
 * Most values are in this many of the newest strings; more are kept in memory only up to
 * this: past it the oldest go, and a miss costs one lookup of the UNIQUE index. Values
 * longer than CACHED_CHARS are not kept (a session context may be tens of KB): the cache
 * stays within ~40 MB even then.
 */
const MAX_CACHED = 20_000;
const CACHED_CHARS = 2048;
/**
 * Page URLs and contexts remembered as seen once (idIfRepeated), ~4 MB at most; longer ones
 * than KEYED_CHARS always stay inline.
 */
const MAX_SEEN_ONCE = 4096;
const KEYED_CHARS = 1024;

/**
 * The keys of `event_strings` (migration 012), for the write side: an event's type, source
 * id, page URL and context, and a session's context, are stored as these keys. A value seen before is resolved from a
 * Map, without SQL; a miss looks it up in the table and inserts it if it is new, inside the
 * caller's transaction.
 *
 * A key the transaction inserted exists only if it commits: the engine calls `committed()`
 * or `rolledBack()` after every write transaction, and a rollback forgets the keys the
 * transaction inserted (SQLite would hand their numbers out again, to other values). The
 * table only grows, so every other key in the Map stays true.
 */
export class EventStrings {
  private readonly ids = new Map<string, number>();
  /** Values seen once without a key (idIfRepeated): the second sight gives one. */
  private readonly seenOnce = new Set<string>();
  /** Values this transaction inserted: not known to exist until it commits. */
  private readonly added: string[] = [];
  private readonly find: Statement<[value: string], number>;
  private readonly insert: Statement<[value: string]>;

  constructor(db: DB) {
    this.find = db.prepare<[string], number>('SELECT id FROM event_strings WHERE value = ?').pluck();
    this.insert = db.prepare<[string]>('INSERT INTO event_strings (value) VALUES (?)');
    const newest = db
      .prepare<[number, number], [number, string]>('SELECT id, value FROM event_strings WHERE length(value) <= ? ORDER BY id DESC LIMIT ?')
      .raw()
      .all(CACHED_CHARS, MAX_CACHED);
    for (let i = newest.length - 1; i >= 0; i--) this.ids.set(newest[i]![1], newest[i]![0]);
  }

  /** The key of `value`, inserted if it is new. */
  id(value: string): number {
    const known = this.ids.get(value);
    if (known !== undefined) return known;
    let id = this.find.get(value);
    if (id === undefined) {
      id = Number(this.insert.run(value).lastInsertRowid);
      this.added.push(value);
    }
    if (value.length <= CACHED_CHARS) {
      if (this.ids.size >= MAX_CACHED) this.ids.delete(this.ids.keys().next().value!);
      this.ids.set(value, id);
    }
    return id;
  }

  /** The key of `value`, or null for none. */
  idOrNull(value: string | null): number | null {
    return value === null ? null : this.id(value);
  }

  /**
   * The key of `value` if it has one or was seen once lately (it gets one then); null if it
   * is new: the caller stores it inline. For page URLs and contexts, which may never repeat
   * (a tracker's context carries the page's own clock, a URL a click id): a value seen once
   * costs the Map lookups and nothing in SQL, where a key for it would cost a lookup, a row
   * and an index entry as long as the value, each time (measured: the collector's CPU per
   * request doubled on the benchmark's payloads, whose contexts are all distinct).
   */
  idIfRepeated(value: string | null): number | null {
    if (value === null || value.length > KEYED_CHARS) return null;
    const known = this.ids.get(value);
    if (known !== undefined) return known;
    if (!this.seenOnce.delete(value)) {
      if (this.seenOnce.size >= MAX_SEEN_ONCE) this.seenOnce.clear();
      this.seenOnce.add(value);
      return null;
    }
    return this.id(value);
  }

  /** The transaction committed: what it inserted exists. */
  committed(): void {
    this.added.length = 0;
  }

  /** The transaction rolled back: what it inserted does not exist, and its keys may go to other values. */
  rolledBack(): void {
    for (const v of this.added) this.ids.delete(v);
    this.added.length = 0;
  }

  /** How many values are cached (tests). */
  get size(): number {
    return this.ids.size;
  }
}
