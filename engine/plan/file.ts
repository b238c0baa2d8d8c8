import { readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Follows a file kept in the user's repository (`--plan FILE`): each change is read once it
 * has settled. The folder is watched, not the file, since editors and `git checkout` replace
 * a file (a new inode the old watch never sees); a slow poll of its size and time catches
 * what watching misses (network folders, some containers).
 */
export class FollowedFile {
  private watcher: FSWatcher | null = null;
  private poll: NodeJS.Timeout | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private stamp: string;

  constructor(
    readonly path: string,
    /** Called with the file's text after each change (or with the error reading it). */
    private readonly changed: (text: string | Error) => void,
    private readonly opts: { debounceMs?: number; pollMs?: number } = {},
  ) {
    this.stamp = this.stat();
  }

  /** Reads the file now (at start: a failure is the caller's to report). */
  read(): string {
    this.stamp = this.stat();
    return readFileSync(this.path, 'utf8');
  }

  start(): void {
    try {
      const name = basename(this.path);
      this.watcher = watch(dirname(this.path), (_event, file) => {
        if (file === null || file === name) this.schedule();
      });
      this.watcher.on('error', () => this.stopWatching());
    } catch {
      // No watching here: the poll alone follows the file.
    }
    this.poll = setInterval(() => {
      if (this.stat() !== this.stamp) this.schedule();
    }, this.opts.pollMs ?? 2000);
    this.poll.unref();
  }

  stop(): void {
    this.stopWatching();
    if (this.poll !== null) clearInterval(this.poll);
    if (this.debounce !== null) clearTimeout(this.debounce);
    this.poll = this.debounce = null;
  }

  private stopWatching(): void {
    this.watcher?.close();
    this.watcher = null;
  }

  /** An editor's save is several events (truncate, write, rename): read once they stop. */
  private schedule(): void {
    if (this.debounce !== null) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = null;
      let text: string | Error;
      try {
        text = this.read();
      } catch (err) {
        text = err as Error;
      }
      this.changed(text);
    }, this.opts.debounceMs ?? 100);
    this.debounce.unref();
  }

  /** What the poll compares: size, time and inode, or why the file cannot be seen. */
  private stat(): string {
    try {
      const s = statSync(this.path);
      return `${s.size}:${s.mtimeMs}:${s.ino}`;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code ?? 'error';
    }
  }
}
