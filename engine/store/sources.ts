import { randomUUID } from 'node:crypto';
import type { DB } from '../db/database';
import type { SourceRow } from '../db/rows';
import { DomainError } from '../errors';

export function ensureDefaultSource(db: DB, now: number): SourceRow {
  const found = db.prepare('SELECT * FROM sources WHERE is_default = 1').get() as SourceRow | undefined;
  if (found) return found;
  const row: SourceRow = { id: randomUUID(), name: 'Default source', enabled: 1, is_default: 1, created_at: now };
  db.prepare('INSERT INTO sources (id, name, enabled, is_default, created_at) VALUES (@id, @name, @enabled, @is_default, @created_at)').run(row);
  return row;
}

/**
 * The event sources: every write to the sources table goes through here, and so does the
 * question the collector asks of each request (may this source send?), answered from a map
 * in memory that each write here keeps in step.
 */
export class SourceStore {
  private enabled = new Map<string, boolean>();
  private readonly q;

  constructor(db: DB) {
    this.q = {
      all: db.prepare<[], Pick<SourceRow, 'id' | 'enabled'>>('SELECT id, enabled FROM sources'),
      byId: db.prepare<[string], Pick<SourceRow, 'is_default'>>('SELECT is_default FROM sources WHERE id = ?'),
      insert: db.prepare<[id: string, name: string, enabled: number, createdAt: number]>(
        'INSERT INTO sources (id, name, enabled, is_default, created_at) VALUES (?, ?, ?, 0, ?)',
      ),
      update: db.prepare<[name: string | null, enabled: number | null, id: string]>(
        'UPDATE sources SET name = coalesce(?, name), enabled = coalesce(?, enabled) WHERE id = ?',
      ),
      remove: db.prepare<[string]>('DELETE FROM sources WHERE id = ?'),
    };
    this.reload();
  }

  /** Whether source `id` may send events: true, false when it is disabled, undefined when there is none. */
  isEnabled(id: string): boolean | undefined {
    return this.enabled.get(id);
  }

  create(input: { id?: string | undefined; name: string; enabled?: boolean | undefined }, now: number): string {
    const id = input.id ?? randomUUID();
    if (this.q.byId.get(id)) throw new DomainError('conflict', `id: a source "${id}" exists already.`);
    this.q.insert.run(id, input.name, input.enabled === false ? 0 : 1, now);
    this.reload();
    return id;
  }

  update(id: string, patch: { name?: string | undefined; enabled?: boolean | undefined }): void {
    const r = this.q.update.run(patch.name ?? null, patch.enabled === undefined ? null : patch.enabled ? 1 : 0, id);
    if (r.changes === 0) throw new DomainError('not-found', `No event source "${id}".`);
    this.reload();
  }

  /** Deletes a source; its events stay (they keep the source id). The default source stays. */
  remove(id: string): void {
    const row = this.q.byId.get(id);
    if (!row) throw new DomainError('not-found', `No event source "${id}".`);
    if (row.is_default === 1) throw new DomainError('conflict', `Source "${id}" is the default source and cannot be deleted; disable it instead.`);
    this.q.remove.run(id);
    this.reload();
  }

  private reload(): void {
    this.enabled = new Map(this.q.all.all().map((r) => [r.id, r.enabled === 1]));
  }
}
