// The shell's wiring (index.ts) against a stand-in Electron (fake-electron.ts): the real
// engine starts on a temp folder, and the test plays the user and the window.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../../engine/db/database';
import { BRIDGE_CHANNELS } from '../../shared/bridge';
import { createFakeElectron, fakeEvent, type FakeElectron, type MenuTemplateItem } from './fake-electron';

const holder = vi.hoisted(() => ({ current: null as unknown }));
// Each test has its own fake; the mocked module reads the current one at every use.
vi.mock('electron', () => {
  const cur = () => (holder.current as FakeElectron).module;
  return {
    get app() { return cur().app; },
    get BrowserWindow() { return cur().BrowserWindow; },
    get Tray() { return cur().Tray; },
    get Menu() { return cur().Menu; },
    get nativeImage() { return cur().nativeImage; },
    get session() { return cur().session; },
    get ipcMain() { return cur().ipcMain; },
    get clipboard() { return cur().clipboard; },
    get shell() { return cur().shell; },
    get dialog() { return cur().dialog; },
  };
});

const ROOT = resolve(__dirname, '../..');
let dir: string;
let fake: FakeElectron;
const savedArgv = process.argv;
const held: Server[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'footfall-shell-'));
  fake = createFakeElectron(ROOT);
  holder.current = fake;
  vi.resetModules();
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
});

afterEach(async () => {
  if (fake.app.exitCode === null) {
    fake.app.quit();
    await fake.exited;
  }
  await Promise.all(held.splice(0).map((s) => new Promise((r) => s.close(r))));
  process.argv = savedArgv;
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

async function launch(...args: string[]): Promise<void> {
  process.argv = ['/opt/Footfall/electron', '--no-sandbox', '--inspect=0', ROOT, '--data-dir', dir, ...args];
  await import('./index');
  fake.app.makeReady();
}

const win = () => fake.windows[0]!;
const loaded = () => win().webContents.loads;

async function waitForLoad(pred: (url: string) => boolean): Promise<string> {
  await vi.waitFor(() => {
    expect(fake.windows.length).toBeGreaterThan(0);
    expect(loaded().some(pred)).toBe(true);
  }, { timeout: 5000 });
  return loaded().filter(pred).at(-1)!;
}

function item(menu: MenuTemplateItem[], label: RegExp): MenuTemplateItem {
  const found = menu.find((m) => m.label !== undefined && label.test(m.label));
  if (!found) throw new Error(`no menu item ${label} in ${JSON.stringify(menu.map((m) => m.label))}`);
  return found;
}

const tray = () => fake.trays[0]!;

function holdPort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      held.push(s);
      const a = s.address();
      res(a !== null && typeof a === 'object' ? a.port : -1);
    });
  });
}

function trackBody(source: string, session = 'S1') {
  return JSON.stringify({ source: { id: source }, session: { id: session }, profile: null, events: [{ type: 'page-view', context: { page: { url: 'https://shop.test/' } } }] });
}

describe('the desktop shell', () => {
  it('starts the engine, shows the dashboard with the token in a cookie only, and quits cleanly', async () => {
    await launch('--port', '0');
    const url = await waitForLoad((u) => u.startsWith('http://'));
    const origin = new URL(url).origin;
    const port = Number(new URL(url).port);
    expect(url).toBe(`${origin}/`);
    expect(url).not.toMatch(/token/);
    expect(fake.app.getPath('userData')).toBe(dir); // --data-dir moves Chromium's profile and the lock too

    const prefs = win().options.webPreferences!;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(String(prefs.preload)).toMatch(/preload[/\\]index\.cjs$/);

    // The cookie the window got is the one the engine accepts for the admin API.
    const cookie = fake.defaultSession.cookies.list[0]!;
    expect(cookie).toMatchObject({ url: `${origin}/`, name: `footfall_token_${port}`, httpOnly: true, sameSite: 'strict' });
    const token = readFileSync(join(dir, 'token'), 'utf8').trim();
    expect(decodeURIComponent(String(cookie.value))).toBe(token);
    const withCookie = await fetch(`${origin}/api/info`, { headers: { cookie: `${String(cookie.name)}=${String(cookie.value)}` } });
    expect(withCookie.status).toBe(200);
    const info = (await withCookie.json()) as { defaultSource: { id: string } };
    expect((await fetch(`${origin}/api/info`)).status).toBe(401);

    // The collector answers, and the tray counts today's events.
    const r = await fetch(`${origin}/track`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: trackBody(info.defaultSource.id) });
    expect(r.status).toBe(200);
    await vi.waitFor(() => expect(item(tray().menu, /^Events today/).label).toBe('Events today: 1'), { timeout: 5000 });
    expect(item(tray().menu, /^Collector/).label).toBe(`Collector listening on 127.0.0.1:${port}`);
    expect(tray().tooltip).toBe(`Footfall: listening on 127.0.0.1:${port}, 1 event today`);

    // Copy tracker snippet.
    item(tray().menu, /^Copy tracker snippet$/).click!();
    // Tracardi's options and loader, pointed at this collector (the loader adds /liliput.min.js).
    expect(fake.clipboardText.at(-1)).toContain(`script: ${JSON.stringify(`${origin}/tracker`)}, api: ${JSON.stringify(origin)}`);
    expect(fake.clipboardText.at(-1)).toContain(info.defaultSource.id);

    // Pause collecting: the collector refuses, the tray says so; and back.
    item(tray().menu, /^Pause collecting$/).click!();
    expect(item(tray().menu, /^Pause collecting$/).checked).toBe(true);
    expect(item(tray().menu, /^Collector/).label).toMatch(/paused/);
    expect((await fetch(`${origin}/track`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: trackBody(info.defaultSource.id, 'S2') })).status).toBe(503);
    item(tray().menu, /^Pause collecting$/).click!();
    expect((await fetch(`${origin}/track`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: trackBody(info.defaultSource.id, 'S2') })).status).toBe(200);

    // Navigation lock and external links.
    const nav = fakeEvent();
    win().webContents.emit('will-navigate', nav, 'https://example.com/help');
    expect(nav.defaultPrevented).toBe(true);
    expect(fake.opened).toContain('https://example.com/help');
    const file = fakeEvent();
    win().webContents.emit('will-navigate', file, 'file:///etc/passwd');
    expect(file.defaultPrevented).toBe(true);
    expect(fake.opened).not.toContain('file:///etc/passwd');
    const inside = fakeEvent();
    win().webContents.emit('will-navigate', inside, `${origin}/sessions`);
    expect(inside.defaultPrevented).toBe(false);
    expect(win().webContents.openHandler!({ url: 'https://example.org/' })).toEqual({ action: 'deny' });
    expect(fake.opened).toContain('https://example.org/');
    let cancelled: boolean | null = null;
    fake.defaultSession.beforeRequest!({ url: 'https://cdn.example.com/x.js' }, (res) => (cancelled = res.cancel));
    expect(cancelled).toBe(true);
    fake.defaultSession.beforeRequest!({ url: `${origin}/api/info` }, (res) => (cancelled = res.cancel));
    expect(cancelled).toBe(false);

    // The bridge answers the window's main frame only.
    const usePort = fake.ipcHandlers.get(BRIDGE_CHANNELS.usePort)! as (e: unknown, p: unknown) => Promise<unknown>;
    const fromSubframe = { sender: win().webContents, senderFrame: { url: `${origin}/`, parent: {} } };
    expect(() => usePort(fromSubframe, 9999)).toThrow(/refused/);
    const fromDashboard = { sender: win().webContents, senderFrame: { url: `${origin}/settings`, parent: null } };
    expect(await usePort(fromDashboard, port)).toEqual({ ok: true, port });
    expect(await usePort(fromDashboard, 'x')).toMatchObject({ ok: false });

    // A second launch brings the hidden window back.
    win().hide();
    fake.app.emit('second-instance');
    expect(win().isVisible()).toBe(true);

    // Quit: the engine stops before the process exits, and lets go of the database.
    fake.app.quit();
    expect(await fake.exited).toBe(0);
    expect(console.log).toHaveBeenCalledWith('Footfall stopped.');
    const db = openDatabase(dir);
    expect(db.prepare("SELECT count(*) FROM events WHERE type = 'page-view'").pluck().get()).toBe(2);
    db.close();
    await expect(fetch(`${origin}/health`)).rejects.toThrow();
  });

  it('says when the port is taken, offers the next free one, and moves there when asked', async () => {
    const taken = await holdPort();
    await launch('--port', String(taken));
    const page = await waitForLoad((u) => u.startsWith('data:text/html'));
    const html = Buffer.from(page.split(',')[1]!, 'base64').toString('utf8');
    expect(html).toContain(`Port ${taken} is in use`);
    const offered = Number(/<input id="port"[^>]*value="(\d+)"/.exec(html)![1]);
    expect(offered).toBeGreaterThan(taken);
    expect(item(tray().menu, /^Collector/).label).toBe(`Collector not running: port ${taken} is in use`);
    expect(item(tray().menu, /^Copy tracker snippet$/).enabled).toBe(false);

    const usePort = fake.ipcHandlers.get(BRIDGE_CHANNELS.usePort)! as (e: unknown, p: unknown) => Promise<unknown>;
    const fromPage = { sender: win().webContents, senderFrame: { url: page, parent: null } };
    expect(await usePort(fromPage, taken)).toMatchObject({ ok: false, message: `Port ${taken} on 127.0.0.1 is in use too.` });
    expect(await usePort(fromPage, offered)).toEqual({ ok: true, port: offered });
    const url = await waitForLoad((u) => u.startsWith('http://'));
    expect(url).toBe(`http://127.0.0.1:${offered}/`);
    expect((await fetch(`http://127.0.0.1:${offered}/health`)).status).toBe(200);
    expect(JSON.parse(readFileSync(join(dir, 'desktop.json'), 'utf8'))).toEqual({ port: offered });

    // The bridge's quit comes from the page; the app quits through the same clean path.
    (fake.ipcListeners.get(BRIDGE_CHANNELS.quit)! as (e: unknown) => void)({ sender: win().webContents, senderFrame: { url, parent: null } });
    expect(await fake.exited).toBe(0);
  });

  it('a quit while the engine is still starting waits for it, then stops it', async () => {
    process.argv = ['/opt/Footfall/electron', ROOT, '--data-dir', dir, '--port', '0'];
    await import('./index'); // the engine starts now, before Electron is ready
    fake.app.quit();
    expect(await fake.exited).toBe(0);
    expect(console.log).toHaveBeenCalledWith('Footfall stopped.');
    const db = openDatabase(dir); // the exclusive lock was let go
    db.close();
  });

  it('leaves a second launch to the first instance', async () => {
    fake.app.lock = false;
    await launch();
    expect(await fake.exited).toBe(0);
    expect(console.log).toHaveBeenCalledWith(expect.stringMatching(/already running/));
    expect(fake.windows).toHaveLength(0);
  });
});
