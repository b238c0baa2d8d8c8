// The Electron shell: one Footfall per data folder, its engine in this process, one window on
// the engine's own dashboard (window.ts), a tray, an application menu. The decisions live in
// the plain modules beside this file (tested without Electron); this file and window.ts only
// wire them to Electron, around the one state they share (state.ts).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, clipboard, dialog, ipcMain, Menu, nativeImage, shell, Tray, type MenuItemConstructorOptions } from 'electron';
import { Footfall } from '../../engine/app';
import type { Config } from '../../engine/config';
import { BRIDGE_CHANNELS, type UsePortResult } from '../../shared/bridge';
import { tracardiSnippet } from '../../shared/snippets';
import { engineConfig, readDesktopArgs, validPort } from './args';
import { secondInstanceMessage } from './instance';
import { appMenu, trayMenu, trayTooltip, type CollectorStatus, type MenuAction, type MenuItemModel } from './menus';
import { findFreePort, isPortFree } from './ports';
import { readPrefs, writePrefs } from './prefs';
import { createStopper, exitCode } from './shutdown';
import { describeStartupFailure, shortReason, type StartupProblem } from './startup';
import { log, RESOURCES, state } from './state';
import { isTrusted, reveal, secureSession, showDashboard, showStartupPage } from './window';

const RENDERER_DIR = fileURLToPath(new URL('../renderer', import.meta.url));
const STOP_TIMEOUT_MS = 15_000;
const TRAY_REFRESH_MS = 1_000;
const TRAY_TICK_MS = 30_000;

// ---- the engine ---------------------------------------------------------------------------

function status(): CollectorStatus {
  const { ff, config, problem } = state;
  if (ff !== null) {
    let eventsToday: number | null = null;
    try {
      eventsToday = state.counts?.countEventsToday(Date.now()) ?? null;
    } catch (err) {
      log(`Footfall: could not count today's events: ${(err as Error).message}`);
    }
    return { state: 'listening', url: ff.url, port: ff.port, paused: ff.engine.paused, eventsToday };
  }
  const port = config?.port ?? 0;
  return problem !== null ? { state: 'stopped', port, reason: shortReason(problem) } : { state: 'starting', port };
}

/** Starts the engine on `port`; on failure keeps the problem for the window and the tray. */
function startEngine(port: number): Promise<StartupProblem | null> {
  const starting = tryStart(port).finally(() => {
    if (state.starting === starting) state.starting = null;
  });
  state.starting = starting;
  return starting;
}

async function tryStart(port: number): Promise<StartupProblem | null> {
  const config: Config = { ...state.config!, port };
  state.config = config;
  state.problem = null;
  try {
    const t0 = performance.now();
    const ff = await Footfall.start(config, { rendererDir: RENDERER_DIR, log });
    state.ff = ff;
    state.counts = ff.queries.counts;
    state.appOrigin = new URL(ff.url).origin;
    state.unsubscribe = ff.engine.onCommit(() => scheduleTrayRefresh());
    console.log(`Footfall collector listening on ${ff.url}`);
    console.log(`Dashboard: ${ff.dashboardUrl}`);
    console.log(`Default event source: ${ff.defaultSourceId}`);
    console.log(`Data folder: ${config.dataDir} (desktop app, ready in ${Math.round(performance.now() - t0)} ms)`);
    return null;
  } catch (err) {
    const portFree = port === 0 || (await isPortFree(config.host, port));
    const suggestedPort = portFree ? null : await findFreePort(config.host, port);
    const problem = describeStartupFailure(err, { host: config.host, port, portFree, suggestedPort });
    console.error(`Footfall: ${problem.title}: ${problem.message}`);
    state.problem = problem;
    return problem;
  } finally {
    refreshMenus();
  }
}

async function stopEngine(): Promise<void> {
  const ff = state.ff;
  state.unsubscribe?.();
  state.unsubscribe = null;
  state.ff = null;
  state.counts = null;
  state.appOrigin = null;
  if (ff !== null) await ff.stop();
}

/** The bridge's `usePort`: from the "port in use" page, or the dashboard's settings. */
async function usePort(requested: unknown): Promise<UsePortResult> {
  const port = validPort(requested);
  const host = state.config!.host;
  if (port === null) return { ok: false, message: 'Choose a port number from 1 to 65535.', suggestedPort: null };
  if (state.ff !== null && state.ff.port === port) return { ok: true, port };
  if (state.switching) return { ok: false, message: 'Footfall is already changing its port; wait a moment.', suggestedPort: null };
  state.switching = true;
  try {
    if (!(await isPortFree(host, port))) {
      return { ok: false, message: `Port ${port} on ${host} is in use too.`, suggestedPort: await findFreePort(host, port) };
    }
    await stopEngine();
    const problem = await startEngine(port);
    if (problem !== null) {
      setImmediate(() => void showStartupPage(problem));
      return { ok: false, message: problem.message, suggestedPort: problem.suggestedPort };
    }
    writePrefs(app.getPath('userData'), { port });
    // Answer first: the page that asked is replaced by the dashboard right after.
    setImmediate(() => void showDashboard());
    return { ok: true, port };
  } finally {
    state.switching = false;
  }
}


function registerBridge(): void {
  ipcMain.handle(BRIDGE_CHANNELS.usePort, (e, port: unknown) => {
    if (!isTrusted(e)) throw new Error('Footfall refused a bridge call from an unknown page.');
    return usePort(port);
  });
  ipcMain.on(BRIDGE_CHANNELS.quit, (e) => {
    if (isTrusted(e)) app.quit();
  });
}

// ---- tray and menus -----------------------------------------------------------------------

function runAction(action: MenuAction): void {
  switch (action) {
    case 'copy-snippet':
      if (state.ff !== null) clipboard.writeText(tracardiSnippet(state.ff.url, state.ff.defaultSourceId));
      return;
    case 'open-dashboard':
      reveal();
      return;
    case 'toggle-pause':
      if (state.ff !== null) state.ff.engine.setPaused(!state.ff.engine.paused);
      refreshMenus();
      return;
    case 'open-data-folder':
      void shell.openPath(state.config?.dataDir ?? app.getPath('userData'));
      return;
    case 'about':
      app.showAboutPanel();
      return;
    case 'quit':
      app.quit();
      return;
  }
}

function toElectron(items: MenuItemModel[]): MenuItemConstructorOptions[] {
  return items.map((m) => {
    const o: MenuItemConstructorOptions = {};
    if (m.label !== undefined) o.label = m.label;
    if (m.type !== undefined) o.type = m.type;
    if (m.checked !== undefined) o.checked = m.checked;
    if (m.enabled !== undefined) o.enabled = m.enabled;
    if (m.accelerator !== undefined) o.accelerator = m.accelerator;
    if (m.role !== undefined) o.role = m.role as NonNullable<MenuItemConstructorOptions['role']>;
    if (m.submenu !== undefined) o.submenu = toElectron(m.submenu);
    const action = m.action;
    if (action !== undefined) o.click = () => runAction(action);
    return o;
  });
}

function trayIcon(): Electron.NativeImage {
  if (process.platform === 'darwin') {
    const img = nativeImage.createFromPath(join(RESOURCES, 'trayTemplate.png'));
    img.setTemplateImage(true);
    return img;
  }
  return nativeImage.createFromPath(join(RESOURCES, 'tray.png'));
}

function createTray(): void {
  try {
    const tray = new Tray(trayIcon());
    tray.on('click', () => reveal());
    state.tray = tray;
  } catch (err) {
    log(`Footfall: no tray icon on this desktop (${(err as Error).message}); the window and its menu do everything the tray does.`);
  }
  state.trayTick = setInterval(() => refreshMenus(), TRAY_TICK_MS); // events today rolls over at midnight
}

function scheduleTrayRefresh(): void {
  if (state.trayTimer !== null) return;
  state.trayTimer = setTimeout(() => {
    state.trayTimer = null;
    refreshMenus();
  }, TRAY_REFRESH_MS);
}

function refreshMenus(): void {
  if (!app.isReady() || state.stopped) return;
  const s = status();
  Menu.setApplicationMenu(Menu.buildFromTemplate(toElectron(appMenu(s, { platform: process.platform, devTools: !app.isPackaged }))));
  const tray = state.tray;
  if (tray !== null && !tray.isDestroyed()) {
    tray.setToolTip(trayTooltip(s));
    tray.setContextMenu(Menu.buildFromTemplate(toElectron(trayMenu(s))));
  }
}

// ---- quitting -----------------------------------------------------------------------------

const stopOnce = createStopper(
  async () => {
    await state.starting; // a start under way finishes first, so its engine is stopped too
    await stopEngine();
    console.log('Footfall stopped.');
  },
  STOP_TIMEOUT_MS,
  log,
);

function onWillQuit(e: Electron.Event): void {
  if (state.stopped) return;
  // Hold the quit until the engine has committed what it accepted and closed the database.
  e.preventDefault();
  state.quitting = true;
  if (state.trayTimer !== null) clearTimeout(state.trayTimer);
  if (state.trayTick !== null) clearInterval(state.trayTick);
  void stopOnce().then((outcome) => {
    state.stopped = true;
    state.tray?.destroy();
    app.exit(exitCode(outcome));
  });
}

// ---- start --------------------------------------------------------------------------------

async function main(): Promise<void> {
  app.setAboutPanelOptions({ applicationName: 'Footfall', applicationVersion: app.getVersion() });
  app.on('before-quit', () => {
    state.quitting = true;
  });
  app.on('will-quit', onWillQuit);
  app.on('window-all-closed', () => app.quit());
  app.on('activate', () => reveal());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  const userData = app.getPath('userData');
  state.config = engineConfig(state.args!, userData, readPrefs(userData).port);
  // The engine needs nothing from Electron: start it while Electron gets ready.
  const started = startEngine(state.config.port);
  await app.whenReady();
  secureSession();
  registerBridge();
  createTray();
  refreshMenus();
  const problem = await started;
  if (state.quitting) return;
  if (problem === null) await showDashboard();
  else await showStartupPage(problem);
}

// ---- arguments and the single-instance lock (before `ready`) ------------------------------

function fatal(message: string): never {
  console.error(`Footfall: ${message}`);
  dialog.showErrorBox('Footfall cannot start', message);
  process.exit(1);
}

try {
  state.args = readDesktopArgs(process.argv, process.env);
} catch (err) {
  fatal(err instanceof Error ? err.message : String(err));
}
// One Footfall per data folder: Electron's lock and Chromium's profile go with it.
if (state.args.userDataOverride !== null) {
  mkdirSync(state.args.userDataOverride, { recursive: true });
  app.setPath('userData', state.args.userDataOverride);
}

if (!app.requestSingleInstanceLock()) {
  console.log(secondInstanceMessage(app.getPath('userData')));
  app.exit(0);
} else {
  app.on('second-instance', () => reveal());
  void main();
}
