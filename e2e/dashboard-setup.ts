import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { startServer, type ServerHandle } from './server';

/** Where the dashboard tests leave their screenshots (gitignored). */
export const ARTIFACTS = join('e2e', 'artifacts');

export const UA = {
  desktop: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  mobile: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  /** What Playwright's own Chromium sends: the user's automation, shown by default. */
  headless: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
  /** A crawler: a bot, hidden by default. */
  crawler: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
};

/** Turns on the traffic filter's bots and debug (people and automation are on by default). */
export async function showEveryClass(page: Page): Promise<void> {
  await page.getByTestId('traffic-bot').check();
  await page.getByTestId('traffic-debug').check();
}

export interface Dashboard {
  server: ServerHandle;
  dataDir: string;
  /** GET (or other) on the admin API with the token, answering parsed JSON. */
  api<T = any>(path: string, init?: { method?: string; body?: unknown }): Promise<T>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read answers of many shapes
  /** POST /track as a tracker would. */
  track(body: unknown): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- as above
  /** Opens the dashboard URL (the token becomes a cookie), then the view at `hash`. */
  open(page: Page, hash?: string): Promise<void>;
  shot(page: Page, name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A built Footfall on a temporary data folder. With `events`, the folder is first seeded by
 * `seed.js` (the real engine: profiles, sessions over weeks, many event types, visits that
 * come back); then a few visits are sent to the running server so some are active now.
 */
export async function startDashboard(opts: { events?: number; days?: number; args?: string[] } = {}): Promise<Dashboard> {
  const dataDir = mkdtempSync(join(tmpdir(), 'footfall-dash-'));
  if (opts.events) {
    const out = process.env.FOOTFALL_OUT_DIR ?? 'out';
    const r = spawnSync(process.execPath, [join(out, 'main/seed.js'), '--events', String(opts.events), '--days', String(opts.days ?? 60), '--data-dir', dataDir, '--seed', '11'], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`seed failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  const server = await startServer(opts.args ?? [], { dataDir });
  const headers = { authorization: `Bearer ${server.token}` };
  const d: Dashboard = {
    server,
    dataDir,
    async api(path, init = {}) {
      const res = await fetch(`${server.url}${path}`, {
        method: init.method ?? 'GET',
        headers: init.body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        body: init.body === undefined ? null : JSON.stringify(init.body),
      });
      if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
      return res.status === 204 ? undefined : res.json();
    },
    async track(body) {
      const res = await fetch(`${server.url}/track`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: await res.json() };
    },
    async open(page, hash = '#/') {
      await page.goto(server.dashboardUrl);
      await page.goto(`${server.url}/${hash}`);
    },
    async shot(page, name) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    },
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return d;
}

/** A visit's first request: a page view with UTM tags and a referrer, from a given browser. */
export function visit(source: string, session: string, profile: string, ua: string, url: string, extra: object = {}): object {
  return {
    source: { id: source },
    session: { id: session },
    profile: { id: profile },
    context: { browser: { userAgent: ua, language: 'en-GB' }, screen: { width: 1440, height: 900 }, time: { tz: 'Europe/Warsaw' } },
    events: [{ type: 'page-view', properties: { title: 'Landing' }, context: { page: { url, referer: { host: 'www.google.com' } } } }],
    ...extra,
  };
}

/** Every page of a list endpoint, followed through its cursors. */
export async function allPages<T>(d: Dashboard, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const sep: string = path.includes('?') ? '&' : '?';
    const page: { items: T[]; next: string | null } = await d.api(`${path}${sep}limit=500${cursor ? `&cursor=${cursor}` : ''}`);
    items.push(...page.items);
    cursor = page.next;
  } while (cursor !== null);
  return items;
}

/**
 * Holds the page's live stream (`/api/live`) back until `release()`: what a slow connect or a
 * reconnect does, so a test can commit events in the gap before the stream is listening.
 */
export async function holdLiveStream(page: Page): Promise<{ held: () => number; release: () => void }> {
  let open!: () => void;
  const released = new Promise<void>((resolve) => (open = resolve));
  let held = 0;
  const pattern = /\/api\/live(\?|$)/;
  await page.route(pattern, async (route) => {
    held++;
    await released;
    await route.continue();
  });
  return {
    held: () => held,
    // The route stays: once released, every later request (a reconnect) goes straight on.
    release: open,
  };
}
