import type { DB } from '../db/database';
import type { SettingRow } from '../db/rows';

/** Settings the dashboard can change at run time, kept in the database. */
export interface StoredSettings {
  sessionTimeout?: number;
  sweepInterval?: number;
  retentionDays?: number;
  keyEventTypes?: string[];
  trafficPatterns?: { automation: string[]; bot: string[] };
  /** Upstream URLs added in the dashboard (credentials included: the settings table stays on this machine). */
  forward?: string[];
}

export function readSettings(db: DB): StoredSettings {
  const rows = db.prepare('SELECT key, value FROM settings').all() as SettingRow[];
  const out: Record<string, unknown> = {};
  for (const r of rows) {
    try {
      out[r.key] = JSON.parse(r.value);
    } catch {
      // A value this version cannot read is ignored; the default applies.
    }
  }
  return out as StoredSettings;
}

export function writeSettings(db: DB, s: StoredSettings): void {
  const put = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  db.transaction(() => {
    for (const [k, v] of Object.entries(s)) if (v !== undefined) put.run(k, JSON.stringify(v));
  })();
}
