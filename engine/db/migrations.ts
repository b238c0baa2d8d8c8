import { createHash } from 'node:crypto';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

// Bundled at build time, so the built app needs no .sql files beside it.
const files = import.meta.glob<string>('./migrations/*.sql', { query: '?raw', import: 'default', eager: true });

/** The numbered migrations shipped with this build, in order. */
export const MIGRATIONS: readonly Migration[] = Object.entries(files)
  .map(([path, sql]) => {
    const name = path.slice(path.lastIndexOf('/') + 1);
    const match = /^(\d+)_/.exec(name);
    if (!match) throw new Error(`Migration file ${name} must start with a number, like 003_name.sql`);
    return { version: Number(match[1]), name, sql, checksum: createHash('sha256').update(sql).digest('hex').slice(0, 16) };
  })
  .sort((a, b) => a.version - b.version);
