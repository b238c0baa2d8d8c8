// What the shell holds, one of each, shared by its modules (index.ts wires them to Electron).
import { fileURLToPath } from 'node:url';
import type { BrowserWindow, Tray } from 'electron';
import type { Footfall } from '../../engine/app';
import type { Config } from '../../engine/config';
import type { CountQueries } from '../../engine/queries/counts';
import type { DesktopArgs } from './args';
import type { StartupProblem } from './startup';

// Beside the build (out/main/../../resources): the repo's resources/ in development, the
// asar's copy when packaged, whatever folder Electron was started with.
export const RESOURCES = fileURLToPath(new URL('../../resources', import.meta.url));

/** Everything the shell holds; one of each. */
export const state = {
  args: null as DesktopArgs | null,
  config: null as Config | null,
  ff: null as Footfall | null,
  counts: null as CountQueries | null,
  unsubscribe: null as (() => void) | null,
  /** The engine start under way, so a quit during it can wait for it and then stop it. */
  starting: null as Promise<StartupProblem | null> | null,
  problem: null as StartupProblem | null,
  startupPageUrl: null as string | null,
  appOrigin: null as string | null,
  win: null as BrowserWindow | null,
  tray: null as Tray | null,
  trayTimer: null as NodeJS.Timeout | null,
  trayTick: null as NodeJS.Timeout | null,
  switching: false,
  quitting: false,
  stopped: false,
};

export const log = (msg: string): void => console.error(msg);
