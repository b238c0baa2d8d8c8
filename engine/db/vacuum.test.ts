import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestFootfall } from '../testing';
import { DB_FILE, openDatabase } from './database';
import { AUTO_VACUUM_INCREMENTAL, convertToIncrementalVacuum, freePages, giveSpaceBack } from './vacuum';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'footfall-vacuum-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Fills a table of the database with about `mb` megabytes, then deletes all but a tenth of it. */
function fillAndDelete(db: Database.Database, mb: number): void {
  db.exec('CREATE TABLE IF NOT EXISTS filler (x BLOB)');
  const ins = db.prepare('INSERT INTO filler (x) VALUES (randomblob(1000))');
  db.transaction(() => {
    for (let i = 0; i < mb * 1000; i++) ins.run();
  })();
  db.exec('DELETE FROM filler WHERE rowid % 10 <> 0');
}

describe('giving space back', () => {
  it('makes new databases with incremental auto-vacuum', () => {
    const db = openDatabase(dir);
    expect(db.pragma('auto_vacuum', { simple: true })).toBe(AUTO_VACUUM_INCREMENTAL);
    db.close();
  });

  it('gives free pages back a few at a time, stopping when told to or when none are left', () => {
    const db = openDatabase(dir);
    try {
      fillAndDelete(db, 4);
      const free = freePages(db);
      const pages = db.pragma('page_count', { simple: true }) as number;
      expect(free).toBeGreaterThan(300);
      expect(giveSpaceBack(db, 100)).toBe(100);
      expect(db.pragma('page_count', { simple: true })).toBe(pages - 100);
      // Told it is overdue after its first statement: it stops there, well short of the limit.
      const cut = giveSpaceBack(db, 1000, () => true);
      expect(cut).toBeGreaterThan(0);
      expect(cut).toBeLessThan(100);
      // The rest, then nothing.
      expect(giveSpaceBack(db, 100_000)).toBe(free - 100 - cut);
      expect(freePages(db)).toBe(0);
      expect(giveSpaceBack(db, 100)).toBe(0);
    } finally {
      db.close();
    }
  });

  it('converts a database made without auto-vacuum once, keeping its rows and giving its free pages back', () => {
    // A database as an older Footfall made it: the schema, no auto-vacuum, free pages inside.
    const raw = new Database(join(dir, DB_FILE));
    raw.pragma('journal_mode = WAL');
    fillAndDelete(raw, 4);
    raw.close();
    const db = openDatabase(dir);
    try {
      expect(db.pragma('auto_vacuum', { simple: true })).toBe(0);
      const rows = db.prepare('SELECT count(*) FROM filler').pluck().get();
      const pages = db.pragma('page_count', { simple: true }) as number;
      // Without the conversion nothing is given back.
      expect(giveSpaceBack(db, 1000)).toBe(0);
      const lines: string[] = [];
      expect(convertToIncrementalVacuum(db, (m) => lines.push(m))).toBeGreaterThanOrEqual(0);
      expect(lines.join('\n')).toMatch(/Converting the database[\s\S]*Converted the database in/);
      expect(db.pragma('auto_vacuum', { simple: true })).toBe(AUTO_VACUUM_INCREMENTAL);
      expect(db.prepare('SELECT count(*) FROM filler').pluck().get()).toBe(rows);
      expect(db.pragma('page_count', { simple: true })).toBeLessThan(pages / 2);
      // Once: the next start has nothing to do.
      expect(convertToIncrementalVacuum(db, (m) => lines.push(m))).toBeNull();
    } finally {
      db.close();
    }
  });

  it('converts an older database when Footfall starts on it, saying so', async () => {
    const raw = new Database(join(dir, DB_FILE));
    raw.pragma('journal_mode = WAL');
    fillAndDelete(raw, 1);
    raw.close();
    const lines: string[] = [];
    const t = await startTestFootfall({ dir, log: (m) => lines.push(m) });
    try {
      expect(t.ff.db.pragma('auto_vacuum', { simple: true })).toBe(AUTO_VACUUM_INCREMENTAL);
      expect(lines.some((l) => l.startsWith('Converted the database in'))).toBe(true);
    } finally {
      await t.close();
    }
  });
});
