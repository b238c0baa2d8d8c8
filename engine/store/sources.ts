import { randomUUID } from 'node:crypto';
import type { DB } from '../db/database';
import type { SourceRow } from '../db/rows';
import { DomainError } from '../errors';

/** Writes to the sources table. Callers reload the engine's source map afterwards. */

export function ensureDefaultSource(db: DB, now: number): SourceRow {
  const found = db.prepare('SELECT * FROM sources WHERE is_default = 1').get() as SourceRow | undefined;
  if (found) return found;
  const row: SourceRow = { id: randomUUID(), name: 'Default source', enabled: 1, is_default: 1, created_at: now };
  db.prepare('INSERT INTO sources (id, name, enabled, is_default, created_at) VALUES (@id, @name, @enabled, @is_default, @created_at)').run(row);
  return row;
}

export function createSource(db: DB, input: { id?: string | undefined; name: string; enabled?: boolean | undefined }, now: number): string {
  const id = input.id ?? randomUUID();
  const exists = db.prepare('SELECT 1 FROM sources WHERE id = ?').get(id);
  if (exists) throw new DomainError('conflict', `id: a source "${id}" exists already.`);
  db.prepare('INSERT INTO sources (id, name, enabled, is_default, created_at) VALUES (?, ?, ?, 0, ?)').run(id, input.name, input.enabled === false ? 0 : 1, now);
  return id;
}

export function updateSource(db: DB, id: string, patch: { name?: string | undefined; enabled?: boolean | undefined }): void {
  const r = db
    .prepare('UPDATE sources SET name = coalesce(?, name), enabled = coalesce(?, enabled) WHERE id = ?')
    .run(patch.name ?? null, patch.enabled === undefined ? null : patch.enabled ? 1 : 0, id);
  if (r.changes === 0) throw new DomainError('not-found', `No event source "${id}".`);
}

/** Deletes a source; its events stay (they keep the source id). The default source stays. */
export function deleteSource(db: DB, id: string): void {
  const row = db.prepare('SELECT is_default FROM sources WHERE id = ?').get(id) as { is_default: number } | undefined;
  if (!row) throw new DomainError('not-found', `No event source "${id}".`);
  if (row.is_default === 1) throw new DomainError('conflict', `Source "${id}" is the default source and cannot be deleted; disable it instead.`);
  db.prepare('DELETE FROM sources WHERE id = ?').run(id);
}
