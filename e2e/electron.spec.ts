// The desktop app itself, in Electron: launches the built shell, sees the dashboard and the
// collector answering, quits cleanly. Runs wherever an Electron binary is installed; where
// none is (`npm ci` with ELECTRON_SKIP_BINARY_DOWNLOAD), it is skipped and says why.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test, type ElectronApplication } from '@playwright/test';
import { electronBinary, NO_ELECTRON } from '../scripts/electron-binary.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(ROOT, process.env.FOOTFALL_OUT_DIR ?? 'out', 'main', 'index.js');
const bin = electronBinary();

/** Why this machine cannot run the desktop app, or null when it can. */
function cannotRun(): string | null {
  if (bin === null) return `Electron e2e skipped: ${NO_ELECTRON}.`;
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return 'Electron e2e skipped: no display (DISPLAY is unset); run the tests under `xvfb-run`.';
  }
  // The engine runs in Electron's main process, so better-sqlite3 must be built for Electron's
  // ABI. The dev tree builds it for Node (the unit tests need that); say so rather than fail.
  const probe = spawnSync(bin, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], {
    cwd: ROOT,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (probe.status !== 0) {
    return (
      'Electron e2e skipped: better-sqlite3 in node_modules does not load in Electron ' +
      `(${(probe.stderr.split('\n').find((l) => /NODE_MODULE_VERSION|Error/.test(l)) ?? 'exit ' + String(probe.status)).trim()}). ` +
      'Build it for Electron with `npx electron-builder install-app-deps` to run this test, and `npm rebuild better-sqlite3` afterwards for the Node tests.'
    );
  }
  return null;
}

const reason = cannotRun();
test.skip(reason !== null, reason ?? '');
if (reason !== null) console.log(reason);

let dataDir: string;
test.beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'footfall-electron-'));
});
test.afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

interface Launched {
  app: ElectronApplication;
  /** What the app printed, stdout and stderr. */
  output: () => string;
  exitCode: Promise<number | null>;
}

async function launch(...args: string[]): Promise<Launched> {
  const app = await electron.launch({ executablePath: bin!, args: [MAIN, '--data-dir', dataDir, ...args], cwd: ROOT, timeout: 30_000 });
  let printed = '';
  app.process().stdout?.on('data', (d: Buffer) => (printed += d.toString('utf8')));
  app.process().stderr?.on('data', (d: Buffer) => (printed += d.toString('utf8')));
  const exitCode = new Promise<number | null>((r) => app.process().once('exit', (code) => r(code)));
  return { app, output: () => printed, exitCode };
}

function trackBody(source: string): string {
  return JSON.stringify({ source: { id: source }, session: { id: 'S1' }, profile: null, events: [{ type: 'page-view', context: { page: { url: 'https://shop.test/' } } }] });
}

type Bridge = { footfall?: { desktop?: boolean } };

test('the desktop app shows the dashboard, collects, and quits cleanly', async () => {
  const first = await launch('--port', '0');
  const page = await first.app.firstWindow();
  await page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/$/, { timeout: 30_000 });
  expect(page.url()).not.toContain('token');
  await expect(page).toHaveTitle(/Footfall/);
  const origin = new URL(page.url()).origin;

  // The token reached the window as a cookie: the page's own requests are let in.
  const info = await page.evaluate(async () => {
    const r = await fetch('/api/info');
    return { status: r.status, body: (await r.json()) as { defaultSource: { id: string } } };
  });
  expect(info.status).toBe(200);
  // No Node in the page (no nodeIntegration; isolated, sandboxed preload); the bridge only.
  expect(await page.evaluate(() => [typeof (globalThis as { require?: unknown }).require, typeof (globalThis as { process?: unknown }).process])).toEqual([
    'undefined',
    'undefined',
  ]);
  expect(await page.evaluate(() => (globalThis as Bridge).footfall?.desktop)).toBe(true);

  // The collector answers (after its commit: acknowledged means stored).
  const r = await fetch(`${origin}/track`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: trackBody(info.body.defaultSource.id) });
  expect(r.status).toBe(200);
  await page.screenshot({ path: test.info().outputPath('electron-dashboard.png') });

  // A second launch on the same data folder hands over to this one and exits.
  // (--no-sandbox as Playwright passes it on Linux, where test machines rarely have a setuid chrome-sandbox.)
  const sandboxArgs = process.platform === 'linux' ? ['--no-sandbox'] : [];
  const second = spawnSync(bin!, [...sandboxArgs, MAIN, '--data-dir', dataDir], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  expect(second.status).toBe(0);
  expect(second.stdout).toMatch(/already running/);

  await first.app.close();
  expect(await first.exitCode).toBe(0);
  expect(first.output()).toContain('Footfall stopped.');

  // The event outlived the quit, and the database was let go: a new start reads it.
  const again = await launch('--port', '0');
  const page2 = await again.app.firstWindow();
  await page2.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/$/, { timeout: 30_000 });
  const events = await page2.evaluate(async () => ((await (await fetch('/api/events?type=page-view')).json()) as { items: unknown[] }).items.length);
  expect(events).toBe(1);
  await again.app.close();
  expect(await again.exitCode).toBe(0);
});

test('a taken port is said in the window, and another one is offered and used', async () => {
  const blocker: Server = createServer();
  const taken = await new Promise<number>((res) =>
    blocker.listen({ host: '127.0.0.1', port: 0 }, () => {
      const a = blocker.address();
      res(a !== null && typeof a === 'object' ? a.port : -1);
    }),
  );
  try {
    const launched = await launch('--port', String(taken));
    const page = await launched.app.firstWindow();
    await expect(page.getByRole('heading', { name: `Port ${taken} is in use` })).toBeVisible({ timeout: 30_000 });
    const offered = Number(await page.locator('#port').inputValue());
    expect(offered).toBeGreaterThan(taken);
    await page.screenshot({ path: test.info().outputPath('electron-port-in-use.png') });
    await page.getByRole('button', { name: 'Start on this port' }).click();
    await page.waitForURL(`http://127.0.0.1:${offered}/`, { timeout: 30_000 });
    expect((await fetch(`http://127.0.0.1:${offered}/health`)).status).toBe(200);
    await launched.app.close();
    expect(await launched.exitCode).toBe(0);
  } finally {
    blocker.close();
  }
});
