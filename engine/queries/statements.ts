import type { Statement } from 'better-sqlite3';
import type { DB } from '../db/database';

/**
 * Prepared statements keyed by their SQL. List queries assemble their SQL only from fixed
 * fragments picked by allow-listed filter names (values are always bound parameters), so
 * the number of distinct texts is small and each is prepared once.
 */
export class StatementCache {
  private readonly cache = new Map<string, Statement>();
  constructor(private readonly db: DB) {}
  get(sql: string): Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }
}
