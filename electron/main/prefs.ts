import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validPort } from './args';

/** What the desktop app remembers between starts, beside the database (the engine's own settings live in it). */
export interface DesktopPrefs {
  /** The port the user chose when the default was taken. */
  port: number | null;
}

export const PREFS_FILE = 'desktop.json';

/** Reads the prefs; a missing or damaged file gives the defaults (it only holds conveniences). */
export function readPrefs(dir: string): DesktopPrefs {
  try {
    const raw = JSON.parse(readFileSync(join(dir, PREFS_FILE), 'utf8')) as unknown;
    const port = raw !== null && typeof raw === 'object' && 'port' in raw ? validPort(raw.port) : null;
    return { port };
  } catch {
    return { port: null };
  }
}

/** Writes the prefs whole (write, then rename: a crash leaves the old file or the new one). */
export function writePrefs(dir: string, prefs: DesktopPrefs): void {
  const file = join(dir, PREFS_FILE);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(prefs, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
