import { closeSync, fsync, openSync } from 'node:fs';

/**
 * Makes commits durable without holding the event loop: the database runs with
 * `synchronous = NORMAL` (a commit appends to the write-ahead log without waiting for the
 * disk), and whoever must not answer before the disk has the data asks `afterSync(cb)`:
 * the log is fsynced on libuv's thread pool and `cb` runs once an fsync that started after
 * the request has finished. Commits that arrive while one fsync runs share the next one:
 * group commit for the disk as well as for the transaction.
 *
 * Equivalent, for what is acknowledged, to `synchronous = FULL` (which syncs the log inside
 * every commit, on the event loop): nothing is answered before the log holding it is on disk.
 */
export class WalSync {
  private fd: number | null = null;
  private running = false;
  private waiting: Array<(err: Error | null) => void> = [];

  constructor(
    private readonly walFile: string,
    // Injectable so tests can hold or fail the disk.
    private readonly sync: (fd: number, cb: (err: Error | null) => void) => void = fsync,
  ) {}

  /** Calls `cb` once everything committed before this call is on disk (or the sync failed). */
  afterSync(cb: (err: Error | null) => void): void {
    this.waiting.push(cb);
    if (!this.running) this.start();
  }

  private start(): void {
    const batch = this.waiting;
    this.waiting = [];
    this.running = true;
    let fd: number;
    try {
      // The log file lives as long as the database is open, so one descriptor serves.
      fd = this.fd ??= openSync(this.walFile, 'r+');
    } catch (err) {
      this.finish(batch, err as Error);
      return;
    }
    this.sync(fd, (err) => this.finish(batch, err));
  }

  private finish(batch: Array<(err: Error | null) => void>, err: Error | null): void {
    this.running = false;
    for (const cb of batch) cb(err);
    if (this.waiting.length > 0) this.start();
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
