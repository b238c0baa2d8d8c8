import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import Database from 'better-sqlite3';
import { startDemoSite, type DemoSite } from '../demo/server.mjs';
import { findClickHouse, startClickHouse, type ClickHouse } from './clickhouse';
import { startServer, type ServerHandle } from './server';
import { tracked, visitor } from './tracker-fixtures';

/**
 * Forwarding into a real ClickHouse, end to end: the built server, the demo shop visited in
 * Chromium, and a load script, 10,000 events in all. Mid-run ClickHouse is stopped for 10 s
 * and started again, and later Footfall is killed with SIGKILL and restarted on its folder.
 * At the end ClickHouse holds every event Footfall stored, once after FINAL (every one the
 * load was answered 200 for among them), and every session ended with its duration.
 */

const found = findClickHouse();
const TOTAL = 10_000;
const TIMEOUT_S = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let ch: ClickHouse | null = null;
let server: ServerHandle | null = null;
let site: DemoSite | null = null;
let dataDir = '';

test.afterEach(async () => {
  await site?.close();
  if (server && server.proc.exitCode === null && server.proc.signalCode === null) server.proc.kill('SIGKILL');
  await ch?.dispose();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Load as a tracker sends it: workers with a request in flight each, 1-5 events a request
 * with the tracker's own ids, a request that got no 200 sent again as it was (Footfall stores
 * a retried event once). Runs until `total` events were answered 200, pausing (not
 * stopping) while `gate()` of them are: the test raises the gate once it has seen the first
 * stretch, and on a fast machine the load could pass the gate before the test looked (it
 * then stopped, and ClickHouse's outage came with nothing left to forward).
 */
function load(url: () => string, source: string, gate: () => number, total: number, acked: Set<string>): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const post = (body: string) =>
    new Promise<number>((resolve) => {
      const u = new URL('/track', url());
      const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
      req.setTimeout(5000, () => req.destroy());
      req.end(body);
    });
  let seq = 0;
  const worker = async (w: number) => {
    while (acked.size < total) {
      if (acked.size >= gate()) {
        await sleep(20);
        continue;
      }
      const s = seq++;
      const session = `load-${w}-${Math.floor(s / 40)}`;
      const ids = Array.from({ length: 1 + (s % 5) }, (_, k) => `load-${s}-${k}`);
      const events = ids.map((id, k) => ({ id, type: k === 0 ? 'page-view' : 'add-to-cart', properties: { seq: s, k }, context: { page: { url: `https://shop.test/products/${s % 9}` } } }));
      const body = JSON.stringify({ source: { id: source }, session: { id: session }, profile: { id: `shopper-${w}-${s % 7}` }, events });
      while ((await post(body)) !== 200) await sleep(50);
      for (const id of ids) acked.add(id);
      await sleep(8);
    }
  };
  return Promise.all([0, 1, 2, 3].map(worker)).then(() => agent.destroy());
}

test('10,000 events reach ClickHouse once each, through a ClickHouse outage and a SIGKILL of Footfall', async ({ browser }) => {
  test.skip('missing' in found, `ClickHouse forwarding end to end: ${'missing' in found ? found.missing : ''}`);
  test.setTimeout(240_000);
  ch = await startClickHouse();
  dataDir = mkdtempSync(join(tmpdir(), 'footfall-forward-'));
  const port = await freePort();
  const args = ['--port', String(port), '--session-timeout', String(TIMEOUT_S), '--sweep-interval', '0.25', '--forward', ch.upstream('shop')];
  const start = async () => (server = await startServer(args, { dataDir }));
  await start();
  const auth = () => ({ authorization: `Bearer ${server!.token}` });
  const forwarding = async () => ((await (await fetch(`${server!.url}/api/forwarding`, { headers: auth() })).json()) as { upstreams: Array<{ pending: number; forwarded: number; lastError: string | null }> }).upstreams[0]!;
  const local = <T>(sql: string): T => {
    const db = new Database(join(dataDir, 'footfall.db'), { readonly: true });
    try {
      return db.prepare(sql).pluck().get() as T;
    } finally {
      db.close();
    }
  };
  const inClickHouse = async (where = '') => Number((await ch!.query<{ n: string }>(`SELECT count() AS n FROM shop.footfall_events FINAL ${where}`))[0]!.n);
  const caughtUp = async () => {
    await expect.poll(async () => (await forwarding()).pending, { timeout: 60_000, message: 'forwarding caught up' }).toBe(0);
    expect(await inClickHouse()).toBe(local<number>('SELECT count(*) FROM events'));
  };

  // The demo shop, visited in Chromium with Footfall's tracker tag.
  site = await startDemoSite({ collector: server!.url, source: server!.source });
  const context = await visitor(browser);
  const page = await context.newPage();
  await tracked(page, () => page.goto(site!.url));
  await tracked(page, () => page.getByRole('link', { name: 'Products', exact: true }).click());
  await page.getByRole('button', { name: 'Add to cart' }).first().click();
  await tracked(page, () => page.getByRole('link', { name: 'About', exact: true }).click());
  await context.close();

  const acked = new Set<string>();
  let target = 3000;
  const running = load(() => server!.url, server!.source, () => target, TOTAL, acked);

  // ClickHouse goes away for 10 s while events keep coming. Each stretch of the load is let
  // through only once the step before it is done: on a fast machine the whole load used to
  // be answered while ClickHouse was still shutting down, leaving nothing to fail.
  await expect.poll(() => acked.size, { timeout: 60_000 }).toBeGreaterThanOrEqual(2000);
  await ch.stop();
  target = 7000;
  await expect.poll(async () => (await forwarding()).lastError, { timeout: 10_000 }).not.toBeNull();
  await sleep(10_000);
  await ch.start();
  await expect.poll(async () => (await forwarding()).lastError, { timeout: 60_000 }).toBeNull();
  target = TOTAL;

  // Footfall is killed mid-run and started again on its folder.
  await expect.poll(() => acked.size, { timeout: 60_000 }).toBeGreaterThanOrEqual(7500);
  server!.proc.kill('SIGKILL');
  await new Promise((r) => server!.proc.once('close', r));
  await start();
  await running;

  // Every visit ends (timeout, then the sweeper) and everything is forwarded.
  await expect.poll(() => local<number>('SELECT count(*) FROM sessions WHERE status = 0 AND debug = 0'), { timeout: 30_000 }).toBe(0);
  await caughtUp();
  const tracked_ = local<number>('SELECT count(*) FROM events WHERE system = 0');
  expect(acked.size).toBeGreaterThanOrEqual(TOTAL);
  // Stored once each (the load retried what got no answer), so stored = acknowledged + the demo's.
  expect(tracked_).toBe(acked.size + local<number>("SELECT count(*) FROM events WHERE system = 0 AND id NOT LIKE 'load-%'"));
  expect(await inClickHouse("WHERE id LIKE 'load-%'")).toBe(acked.size);
  expect(await inClickHouse('WHERE system = 0')).toBe(tracked_);
  const [copies] = await ch.query<{ rows: string; ids: string }>('SELECT count() AS rows, uniqExact(id) AS ids FROM shop.footfall_events');
  expect(Number(copies!.ids)).toBe(local<number>('SELECT count(*) FROM events'));

  // Sessions: one row each after FINAL, ended, with Footfall's durations and counts.
  const db = new Database(join(dataDir, 'footfall.db'), { readonly: true });
  const sessions = db.prepare('SELECT id, duration, events, page_views FROM sessions WHERE debug = 0 ORDER BY id').all() as Array<{ id: string; duration: number; events: number; page_views: number }>;
  db.close();
  await expect
    .poll(async () => Number((await ch!.query<{ n: string }>("SELECT count() AS n FROM shop.footfall_sessions FINAL WHERE status = 'ended'"))[0]!.n), { timeout: 30_000 })
    .toBe(sessions.length);
  const rows = await ch.query<{ id: string; duration: number; events: number; page_views: number }>('SELECT id, duration, events, page_views FROM shop.footfall_sessions FINAL ORDER BY id');
  expect(rows).toEqual(sessions);
  expect(sessions.length).toBeGreaterThan(50);
  console.log(`ClickHouse forwarding: ${acked.size} load events acknowledged; ${copies!.rows} rows for ${copies!.ids} events (copies sent again and not merged away yet: ${Number(copies!.rows) - Number(copies!.ids)}); ${sessions.length} sessions`);
  expect(await server!.stop()).toBe(0);
});
