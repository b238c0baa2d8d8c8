import type { DB } from './db/database';
import type { Clock } from './clock';
import type { SessionEngine } from './sessions/engine';
import type { Sweeper } from './sessions/sweeper';
import type { ListQueries } from './queries/lists';
import type { ExploreQueries } from './queries/explore';
import type { SettingsView } from '../shared/api';

/** What the HTTP layer needs from the running engine. */
export interface AppContext {
  db: DB;
  clock: Clock;
  engine: SessionEngine;
  sweeper: Sweeper;
  queries: ListQueries;
  /** Filtered figures, funnels, paths, retention (engine/explore). */
  explore: ExploreQueries;
  host: string;
  port: number;
  dataDir: string;
  token: string;
  defaultSourceId: string;
  version: string;
  /** Folder of the built dashboard, or null where it is not built (unit tests). */
  rendererDir: string | null;
  /** The built browser tracker (`liliput.min.js`), or null where it is not built. */
  trackerFile: string | null;
  settings(): SettingsView;
  updateSettings(patch: Partial<Omit<SettingsView, 'dataDir'>>): SettingsView;
  log(msg: string): void;
}
