import type { Clock } from './clock';
import type { SessionEngine } from './sessions/engine';
import type { Sweeper } from './sessions/sweeper';
import type { Queries } from './queries';
import type { RejectedLog } from './store/rejected';
import type { FunnelStore } from './store/funnels';
import type { SourceStore } from './store/sources';
import type { Forwarding } from './forward/forwarding';
import type { PlanKeeper } from './plan/keeper';
import type { SettingsView } from '../shared/api';

/** What the HTTP layer needs from the running engine. */
export interface AppContext {
  clock: Clock;
  engine: SessionEngine;
  sweeper: Sweeper;
  /** Every read; each brings the rows up to date first. */
  queries: Queries;
  /** Every write to the event sources (the engine's view of them follows). */
  sources: SourceStore;
  /** The refused /track requests, kept apart from the data. */
  rejected: RejectedLog;
  /** The upstreams every committed event goes on to, and their state. */
  forwarding: Forwarding;
  /** The funnels the dashboard saved by name. */
  funnels: FunnelStore;
  /** The tracking plan in force, and where it comes from. */
  plan: PlanKeeper;
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
  updateSettings(patch: Partial<Omit<SettingsView, 'dataDir' | 'fromFlags'>>): SettingsView;
  log(msg: string): void;
}
