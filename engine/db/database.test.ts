import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync, chmodSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StartupError } from '../errors';
import Database from 'better-sqlite3';
import { DB_FILE, LOCK_FILE, openDatabase, walCheckpointPages } from './database';
import { MIGRATIONS } from './migrations';

const require = createRequire(import.meta.url);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'footfall-db-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const expectStartupError = (fn: () => unknown, pattern: RegExp) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StartupError);
    expect((err as Error).message).toMatch(pattern);
    return;
  }
  throw new Error('expected a StartupError');
};

describe('openDatabase', () => {
  it('creates the schema in WAL mode and records every migration', () => {
    const db = openDatabase(dir);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    // NORMAL: commits do not wait for the disk; the collector answers after its own fsync
    // of the log (durable.ts), which is what FULL would do inside the commit.
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    const applied = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    expect(applied).toEqual(MIGRATIONS.map((m) => m.version));
    expect(MIGRATIONS.length).toBeGreaterThanOrEqual(2);
    db.close();
    // Opening again applies nothing twice.
    const again = openDatabase(dir);
    expect(again.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(MIGRATIONS.length);
    again.close();
  });

  it('makes new databases with 8 KB pages, keeps the page size of one that exists, and checkpoints every 4 MB of either', () => {
    const db = openDatabase(dir);
    expect(db.pragma('page_size', { simple: true })).toBe(8192);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(512);
    db.close();
    // A database from before (SQLite's default 4 KB pages, already in WAL mode).
    const older = mkdtempSync(join(tmpdir(), 'footfall-db-4k-'));
    try {
      const raw = new Database(join(older, DB_FILE));
      raw.pragma('journal_mode = WAL');
      raw.close();
      const opened = openDatabase(older);
      expect(opened.pragma('page_size', { simple: true })).toBe(4096);
      expect(opened.pragma('wal_autocheckpoint', { simple: true })).toBe(1024);
      expect(opened.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(MIGRATIONS.length);
      opened.close();
    } finally {
      rmSync(older, { recursive: true, force: true });
    }
    expect(walCheckpointPages(4096) * 4096).toBe(4 * 1024 * 1024);
  });

  it('refuses a database written by a newer Footfall, leaving it untouched', () => {
    const db = openDatabase(dir);
    db.prepare("INSERT INTO schema_migrations VALUES (999, '999_future.sql', 'x', 0)").run();
    db.close();
    const before = readFileSync(join(dir, DB_FILE));
    expectStartupError(() => openDatabase(dir), /newer Footfall.*999_future\.sql/);
    expect(readFileSync(join(dir, DB_FILE)).equals(before)).toBe(true);
  });

  it('refuses a database whose migration history differs from the shipped files', () => {
    const db = openDatabase(dir);
    db.prepare("UPDATE schema_migrations SET checksum = 'changed' WHERE version = 1").run();
    db.close();
    expectStartupError(() => openDatabase(dir), /out of step.*001_init\.sql/);
  });

  it('applies a new migration to an older database', () => {
    const first = MIGRATIONS.slice(0, 1);
    openDatabase(dir, { migrations: first }).close();
    const db = openDatabase(dir);
    expect(db.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(MIGRATIONS.length);
    db.close();
  });

  it('refuses a file that is not SQLite, and never overwrites it', () => {
    const file = join(dir, DB_FILE);
    writeFileSync(file, 'these are my notes, not a database\n'.repeat(20));
    expectStartupError(() => openDatabase(dir), /not a SQLite database.*untouched/);
    expect(readFileSync(file, 'utf8')).toContain('my notes');
  });

  it('refuses a damaged database, and leaves it as it was', () => {
    openDatabase(dir).close();
    const file = join(dir, DB_FILE);
    const bytes = readFileSync(file);
    // Keep the header, wreck the schema page.
    for (let i = 100; i < 4096; i++) bytes[i] = 0xff;
    writeFileSync(file, bytes);
    expectStartupError(() => openDatabase(dir), /damaged|Cannot use/);
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('refuses a second opener of the same folder while the first holds it', () => {
    const db = openDatabase(dir);
    expectStartupError(() => openDatabase(dir), /in use by another Footfall/);
    db.close();
    openDatabase(dir).close();
  });

  it('lets another process read the database while it is open, and refuses it the folder', () => {
    const db = openDatabase(dir);
    db.exec("INSERT INTO settings (key, value) VALUES ('probe', '\"written\"')");
    // sqlite3, Datasette or DB Browser: a read-only connection from another process.
    const reader = spawnSync(process.execPath, ['-e', `
      const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
      const r = new Database(process.argv[1], { readonly: true, fileMustExist: true });
      console.log(r.prepare("SELECT value FROM settings WHERE key = 'probe'").pluck().get());
    `, join(dir, DB_FILE)], { encoding: 'utf8' });
    expect(reader.stderr).toBe('');
    expect(reader.stdout.trim()).toBe('"written"');
    // Another Footfall (another process) is refused while this one runs.
    const second = spawnSync(process.execPath, ['-e', `
      const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
      const l = new Database(process.argv[1], { timeout: 100 });
      l.pragma('locking_mode = EXCLUSIVE');
      try { l.exec('BEGIN EXCLUSIVE; COMMIT'); console.log('taken'); } catch (e) { console.log(e.code); }
    `, join(dir, LOCK_FILE)], { encoding: 'utf8' });
    expect(second.stdout.trim()).toBe('SQLITE_BUSY');
    db.close();
  });

  it.skipIf(process.getuid?.() === 0)('says so when the data folder is not writable', () => {
    const ro = join(dir, 'ro');
    writeFileSync(join(dir, 'x'), '');
    chmodSync(dir, 0o500);
    try {
      expectStartupError(() => openDatabase(ro), /not writable.*--data-dir/);
    } finally {
      chmodSync(dir, 0o700);
    }
  });

  it('says so when the data folder cannot be created', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    expectStartupError(() => openDatabase(join(file, 'sub')), /not writable.*--data-dir/);
  });
});
