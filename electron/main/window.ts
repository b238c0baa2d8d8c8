// The window: its creation and navigation lock, what it shows (the dashboard or the startup
// page), and the session's request, header and permission rules it runs under.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, session, shell, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { redactUrl } from '../../engine/http/redact';
import { dashboardWindowUrl, tokenCookie } from './handoff';
import { closeBehaviour, revealSteps } from './instance';
import { externalUrl, navigationDecision, permissionAllowed, requestAllowed, trustedSender, withCsp } from './security';
import { startupPageUrl, type StartupProblem } from './startup';
import { log, RESOURCES, state } from './state';

const PRELOAD = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));

// ---- the window ---------------------------------------------------------------------------

export function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Footfall',
    ...(process.platform === 'linux' ? { icon: join(RESOURCES, 'icons', '512x512.png') } : {}),
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
    },
  });
  win.once('ready-to-show', () => win.show());
  guardContents(win.webContents);
  win.on('close', (e) => {
    if (closeBehaviour(process.platform, state.quitting) === 'hide') {
      e.preventDefault();
      win.hide();
    }
  });
  win.on('closed', () => {
    if (state.win === win) state.win = null;
  });
  state.win = win;
  return win;
}

/** Navigation lock and external links for a web contents of ours. */
function guardContents(contents: WebContents): void {
  contents.on('will-navigate', (e, url) => {
    const decision = navigationDecision(url, state.appOrigin);
    if (decision === 'allow') return;
    e.preventDefault();
    if (decision === 'external') openExternal(url);
  });
  contents.on('will-redirect', (e, url) => {
    if (navigationDecision(url, state.appOrigin) !== 'allow') e.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    const decision = navigationDecision(url, state.appOrigin);
    if (decision === 'allow') void contents.loadURL(url);
    else if (decision === 'external') openExternal(url);
    return { action: 'deny' };
  });
}

function openExternal(url: string): void {
  const safe = externalUrl(url);
  if (safe !== null) shell.openExternal(safe).catch((err: unknown) => log(`Footfall: could not open ${safe}: ${(err as Error).message}`));
}

export async function showDashboard(): Promise<void> {
  const ff = state.ff;
  if (ff === null) return;
  const win = state.win ?? createWindow();
  state.startupPageUrl = null;
  // The token goes in as the dashboard's HttpOnly cookie: never in a URL (handoff.ts).
  await win.webContents.session.cookies.set(tokenCookie(ff.url, ff.port, ff.token));
  try {
    await win.loadURL(dashboardWindowUrl(ff.url));
  } catch (err) {
    log(`Footfall: the dashboard did not load: ${(err as Error).message}`);
  }
  if (!win.isVisible()) win.show();
}

export async function showStartupPage(problem: StartupProblem): Promise<void> {
  const win = state.win ?? createWindow();
  const url = startupPageUrl(problem);
  state.startupPageUrl = url;
  try {
    await win.loadURL(url);
  } catch (err) {
    log(`Footfall: the startup page did not load: ${(err as Error).message}`);
  }
  if (!win.isVisible()) win.show();
}

/** Brings the window to the user: a second launch, "Open dashboard", the dock icon. */
export function reveal(): void {
  if (!app.isReady() || state.quitting) return;
  const win = state.win;
  const steps = revealSteps({ exists: win !== null, minimized: win?.isMinimized() ?? false, visible: win?.isVisible() ?? false });
  for (const step of steps) {
    if (step === 'create') {
      if (state.ff !== null) void showDashboard();
      else if (state.problem !== null) void showStartupPage(state.problem);
      else createWindow();
    } else if (step === 'restore') win?.restore();
    else if (step === 'show') win?.show();
    else state.win?.focus();
  }
}

// ---- session security ---------------------------------------------------------------------

export function secureSession(): void {
  const s = session.defaultSession;
  s.webRequest.onBeforeRequest((details, callback) => {
    const ok = requestAllowed(details.url, state.appOrigin);
    if (!ok) log(`Footfall: blocked a request to ${redactUrl(details.url)}`);
    callback({ cancel: !ok });
  });
  s.webRequest.onHeadersReceived((details, callback) => {
    const ours = state.appOrigin !== null && details.url.startsWith(`${state.appOrigin}/`);
    callback(ours && details.responseHeaders ? { responseHeaders: withCsp(details.responseHeaders) } : {});
  });
  s.setPermissionRequestHandler((contents, permission, callback) => callback(permissionAllowed(permission, contents.getURL(), state.appOrigin)));
  s.setPermissionCheckHandler((_contents, permission, requestingOrigin) => permissionAllowed(permission, requestingOrigin, state.appOrigin));
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (e) => e.preventDefault());
    // Anything that is not our window (there should be nothing) may not open windows either.
    contents.setWindowOpenHandler(({ url }) => {
      if (navigationDecision(url, state.appOrigin) === 'external') openExternal(url);
      return { action: 'deny' };
    });
  });
}

export function isTrusted(e: IpcMainInvokeEvent | IpcMainEvent): boolean {
  const frame = e.senderFrame;
  const fromOurWindow = state.win !== null && e.sender === state.win.webContents;
  return (
    fromOurWindow &&
    trustedSender(frame?.url ?? null, frame !== null && frame.parent === null, { appOrigin: state.appOrigin, startupPageUrl: state.startupPageUrl })
  );
}
