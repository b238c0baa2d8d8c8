import type { DB } from './database';

/** SQLite's `PRAGMA auto_vacuum` value for INCREMENTAL. */
export const AUTO_VACUUM_INCREMENTAL = 2;

/**
 * Below this many free pages (2 MB of 8 KB pages) the space is left for the next inserts to
 * reuse: moving pages to give back a few megabytes would only churn the file.
 */
export const GIVE_BACK_MIN_PAGES = 256;

/**
 * Converts a database made before Footfall gave space back (auto_vacuum NONE) to incremental
 * auto-vacuum, once: SQLite can only change the setting by rewriting the whole file (VACUUM),
 * which also returns every free page at once. Returns how long it took (ms), or null when the
 * database needed nothing. The rewrite holds the start: 10-14 s for 1 M events (490 MB) on a
 * busy 2-core machine, so minutes at 10 M. It needs about the file's size twice more on disk
 * meanwhile (the copy in the temp folder, then the log); when it fails (a full disk, another
 * program reading) the database stays as it was, and the next start tries again.
 */
export function convertToIncrementalVacuum(db: DB, log: (m: string) => void): number | null {
  if ((db.pragma('auto_vacuum', { simple: true }) as number) === AUTO_VACUUM_INCREMENTAL) return null;
  const pages = db.pragma('page_count', { simple: true }) as number;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const mb = Math.round((pages * pageSize) / 1e6);
  log(`Converting the database (${mb} MB) once so that deleted data gives its disk space back; this takes a while on a large one.`);
  const t0 = performance.now();
  const tempStore = db.pragma('temp_store', { simple: true }) as number;
  try {
    db.pragma('auto_vacuum = INCREMENTAL');
    // The copy VACUUM builds goes to a temp file, not to memory (a copy of the whole database).
    db.pragma('temp_store = FILE');
    db.exec('VACUUM');
    // The rewrite went through the log: copy it in and cut the log back to nothing.
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch (err) {
    log(`The database could not be converted (${(err as Error).message}); it works as before, and the next start tries again.`);
    return null;
  } finally {
    db.pragma(`temp_store = ${tempStore}`);
  }
  const ms = performance.now() - t0;
  const after = Math.round(((db.pragma('page_count', { simple: true }) as number) * pageSize) / 1e6);
  log(`Converted the database in ${(ms / 1000).toFixed(1)} s (${mb} MB -> ${after} MB).`);
  return ms;
}

/** Pages one `incremental_vacuum` statement moves: small, so that `overdue` is asked often. */
const VACUUM_STEP = 16;

/**
 * Gives up to `pages` free pages back to the file system (`PRAGMA incremental_vacuum`: moves
 * pages from the end of the file into free ones and truncates), in one transaction, a few
 * pages a statement, stopping early once `overdue()`. Returns how many it gave back (fewer
 * than `pages` and not overdue: none are left, or the database does not give space back).
 */
export function giveSpaceBack(db: DB, pages: number, overdue: () => boolean = () => false): number {
  const before = freePages(db);
  if (before === 0) return 0;
  return db.transaction(() => {
    let left = Math.min(before, Math.max(1, Math.floor(pages)));
    while (left > 0) {
      const n = Math.min(VACUUM_STEP, left);
      const free = freePages(db);
      db.exec(`PRAGMA incremental_vacuum(${n})`);
      const moved = free - freePages(db);
      left -= n;
      // Nothing moved: the database does not give space back (auto_vacuum NONE).
      if (moved === 0 || overdue()) break;
    }
    return before - freePages(db);
  })();
}

/** Free pages in the file (what giveSpaceBack can return). */
export function freePages(db: DB): number {
  return db.pragma('freelist_count', { simple: true }) as number;
}
