import { closeSync, existsSync, mkdirSync, openSync, readSync, accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { StartupError } from '../errors';
import { MIGRATIONS, type Migration } from './migrations';
import type { SchemaMigrationRow } from './rows';

export type DB = Database.Database;

export const DB_FILE = 'footfall.db';
/**
 * Held by the Footfall that uses the folder, for as long as it runs: a second one is refused.
 * The database itself stays open to readers in other processes (sqlite3, Datasette, DB
 * Browser); the lock is an operating-system lock (SQLite's own, on this small file), which
 * the system lets go when the process ends in any way, kill -9 included.
 */
export const LOCK_FILE = 'footfall.lock';
const SQLITE_HEADER = 'SQLite format 3\0';

export interface OpenOptions {
  /** Hold the folder's lock so a second Footfall on the same folder is refused (default true). */
  exclusive?: boolean;
  /** Use the given migrations instead of the shipped ones (tests of the migration check). */
  migrations?: readonly Migration[];
}

/** Refuses, without touching it, a file that exists but is not a SQLite database. */
function checkHeader(file: string): void {
  if (!existsSync(file)) return;
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(16);
    const n = readSync(fd, buf, 0, 16, 0);
    if (n === 0) return; // an empty file is a new database
    if (n < 16 || buf.toString('latin1') !== SQLITE_HEADER) {
      throw new StartupError(
        `${file} is not a SQLite database (it was left untouched). Move it away or start Footfall with another --data-dir.`,
      );
    }
  } finally {
    closeSync(fd);
  }
}

function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new StartupError(`The data folder ${dir} is not writable (${code}). Fix its permissions or choose another with --data-dir.`);
  }
}

/**
 * Opens (creating if needed) the database in `dataDir`, applies pending migrations and
 * refuses a database that is newer than this build or out of step with its migrations.
 */
export function openDatabase(dataDir: string, opts: OpenOptions = {}): DB {
  prepareDataDir(dataDir);
  const file = join(dataDir, DB_FILE);
  checkHeader(file);
  let db: DB;
  try {
    // Wait briefly for a lock: a Footfall that is just closing lets go within milliseconds;
    // a second running instance never does, and is reported at once after this.
    db = new Database(file, { timeout: 500 });
  } catch (err) {
    throw new StartupError(`Cannot open ${file}: ${(err as Error).message}. Check the data folder or choose another with --data-dir.`);
  }
  try {
    configure(db, file, opts.exclusive ?? true ? join(dataDir, LOCK_FILE) : null);
    migrate(db, file, opts.migrations ?? MIGRATIONS);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Pages of write-ahead log after which it is copied into the database: 4 MB of them. */
export function walCheckpointPages(pageSize: number): number {
  return Math.round((4 * 1024 * 1024) / pageSize);
}

/**
 * Takes the folder's lock before anything else is read or written. The lock file is attached
 * to the connection, so the lock lasts exactly as long as the connection (closing the
 * database lets go of it). In EXCLUSIVE locking mode SQLite keeps the lock of the first
 * write to a database until the connection closes: one small write takes it, and nothing of
 * Footfall's writes there again.
 */
function lockFolder(db: DB, lockFile: string): void {
  db.prepare('ATTACH DATABASE ? AS folder_lock').run(lockFile);
  // No journal file beside it.
  db.pragma('folder_lock.journal_mode = MEMORY');
  db.pragma('folder_lock.locking_mode = EXCLUSIVE');
  db.exec('CREATE TABLE IF NOT EXISTS folder_lock.holder (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, since INTEGER NOT NULL)');
  db.prepare('INSERT OR REPLACE INTO folder_lock.holder (id, pid, since) VALUES (1, ?, ?)').run(process.pid, Date.now());
}

function configure(db: DB, file: string, lockFile: string | null): void {
  try {
    if (lockFile !== null) lockFolder(db, lockFile);
    // A new database gets 8 KB pages (SQLite's default is 4 KB): about half the log frames
    // and B-tree levels for the same rows. Measured with the benchmark: ending 100,000
    // sessions ~10 % faster with shorter checkpoints, dashboard queries p50 1.7 -> 1.4 ms,
    // the collector unchanged. A database that exists keeps its page size (a WAL database
    // cannot change it), and works the same.
    db.pragma('page_size = 8192');
    // A new database gives the pages of deleted rows back to the file system (retention, a
    // reset): the sweeper runs `incremental_vacuum` in small slices after deleting
    // (engine/db/vacuum.ts). It must be set before the first table; an older database is
    // converted once at start (convertToIncrementalVacuum). Only on a new, empty file: on one
    // that exists the pragma writes its header even when nothing changes.
    if ((db.pragma('main.page_count', { simple: true }) as number) === 0) db.pragma('main.auto_vacuum = INCREMENTAL');
    // No locking_mode = EXCLUSIVE: other processes may read while Footfall runs (the
    // folder's lock keeps a second Footfall out). `main.`: unqualified, journal_mode would
    // also change the attached lock file.
    db.pragma('main.journal_mode = WAL');
    // Every acknowledged event must survive a crash and a power cut. A commit appends to the
    // write-ahead log; the collector answers only after an fsync of the log that started
    // after the commit (engine/db/durable.ts), run off the event loop and shared by every
    // commit waiting for it. Checkpoints sync the log and the database file themselves.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = OFF');
    db.pragma('cache_size = -32000'); // 32 MB
    db.pragma('temp_store = MEMORY');
    // Copy the log into the database every 4 MB (SQLite's default with 4 KB pages). One
    // checkpoint holds the event loop (measured 8-10 ms here; 11-24 ms at 8 MB), and one
    // can land inside a sweeper slice right before a collector commit: with 8 MB the
    // longest stall under the sweep benchmark reached 53 ms once, with 4 MB 23-27 ms. The
    // collector paid ~5 % of throughput for it. The setting counts pages.
    db.pragma(`wal_autocheckpoint = ${walCheckpointPages(db.pragma('page_size', { simple: true }) as number)}`);
    // Reading the schema catches a damaged header or schema at once; a full quick_check
    // would read every page (seconds on a large database) and is left to `PRAGMA integrity_check`.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (err) {
    const msg = (err as Error).message;
    if (/locked|busy/i.test(msg)) {
      throw new StartupError(`${file} is in use by another Footfall. Quit it first, or start this one with another --data-dir.`);
    }
    if (/malformed|not a database|corrupt|quick_check/i.test(msg)) {
      throw new StartupError(`${file} is damaged (${msg}); it was left untouched. Restore a backup, or start Footfall with another --data-dir.`);
    }
    throw new StartupError(`Cannot use ${file}: ${msg}.`);
  }
}

function migrate(db: DB, file: string, migrations: readonly Migration[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`);
  const applied = db.prepare('SELECT version, name, checksum FROM schema_migrations ORDER BY version').all() as Array<
    Pick<SchemaMigrationRow, 'version' | 'name' | 'checksum'>
  >;
  const known = new Map(migrations.map((m) => [m.version, m]));
  for (const row of applied) {
    const m = known.get(row.version);
    if (!m) {
      throw new StartupError(
        `${file} was written by a newer Footfall (it has migration ${row.name}, which this version does not know). Update Footfall, or use another --data-dir.`,
      );
    }
    if (m.checksum !== row.checksum) {
      throw new StartupError(
        `${file} is out of step with this Footfall: migration ${m.name} was applied with different contents. Use the Footfall that made it, or another --data-dir.`,
      );
    }
  }
  const done = new Set(applied.map((r) => r.version));
  const pending = migrations.filter((m) => !done.has(m.version));
  const record = db.prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)');
  for (const m of pending) {
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, m.checksum, Date.now());
    })();
  }
}
