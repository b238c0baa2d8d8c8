// The test helper (testing/footfall-client.ts) used exactly as a user's suite would: Footfall
// started the CI way (`--ci`, its one JSON line), the demo shop driven by headless Chromium,
// then assertions on the visit, its events, a refused request and the visit's end.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { expect, test } from '@playwright/test';
import { startDemoSite, type DemoSite } from '../demo/server.mjs';
import { FootfallClient } from '../testing/footfall-client';
import { VISITOR_UA } from './tracker-fixtures';

let footfall: FootfallClient;
let source: string;
let proc: ChildProcess;
let shop: DemoSite;

test.beforeAll(async () => {
  proc = spawn(process.execPath, [join(process.env.FOOTFALL_OUT_DIR ?? 'out', 'main/serve.js'), '--ci', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => createInterface({ input: proc.stdout! }).once('line', resolve));
  const started = JSON.parse(line) as { url: string; source: string; token: string };
  footfall = new FootfallClient({ url: started.url, token: started.token });
  source = started.source;
  shop = await startDemoSite({ collector: started.url, source });
});

test.afterAll(async () => {
  await shop?.close();
  const exited = new Promise((resolve) => proc.once('close', resolve));
  proc.kill('SIGTERM');
  expect(await exited).toBe(0);
});

test.beforeEach(async () => {
  await footfall.reset();
});

test('a headless visit to the shop: its page views, the add-to-cart, a refused request, and the visit’s end', async ({ page }) => {
  await page.goto(shop.url);
  await page.getByRole('link', { name: 'Products', exact: true }).click();
  await page.getByRole('button', { name: 'Add to cart' }).first().click();

  const [cart] = await footfall.waitForEvents({ type: 'add-to-cart', properties: { product: 'Espresso beans' } });
  expect(cart!.properties).toEqual({ product: 'Espresso beans', price: 12.5 });
  expect(cart!.page.url).toBe(`${shop.url}products.html`);
  // Headless Chromium is the user's own automation: kept, shown, and said so.
  expect(cart!.metadata.traffic).toBe('automation');
  const visit = cart!.session.id;
  const views = await footfall.waitForEvents({ type: 'page-view', session: visit }, { min: 2 });
  expect(views.map((e) => e.page.url)).toEqual([shop.url, `${shop.url}products.html`]);

  // The site sends an event with a source id Footfall does not know: refused, and kept.
  const status = await page.evaluate(async (collector) => (await fetch(`${collector}/track`, { method: 'POST', body: JSON.stringify({ source: { id: 'staging-source' }, events: [{ type: 'purchase' }] }) })).status, footfall.url);
  expect(status).toBe(401);
  const [refused] = await footfall.rejected();
  expect(refused).toMatchObject({ status: 401, source: { id: 'staging-source' }, origin: new URL(shop.url).origin });
  expect(refused!.detail).toContain('unknown event source "staging-source"');
  expect(refused!.userAgent).toContain('HeadlessChrome');
  // ...so the purchase never arrived, and the helper says what did instead.
  await expect(footfall.waitForEvents({ type: 'purchase', session: visit }, { timeout: 300 })).rejects.toThrow(
    // (the engagement the tracker sends on leaving a page is among them)
    /expected 1 purchase, got 0; \d+ events arrived \(session [^)]+\): (?=.*page-view ×2)(?=.*add-to-cart).*\. 1 request was refused/,
  );

  // The visit's end, now instead of after the session timeout.
  expect(await footfall.endIdleSessions()).toBe(1);
  const [ended] = await footfall.waitForEvents({ type: 'visit-ended', session: visit, system: true });
  expect(ended!.properties).toMatchObject({ reason: 'api', pageViews: 2 });
  expect((await footfall.session(visit)).metadata).toMatchObject({ status: 'ended', endReason: 'api', traffic: 'automation' });
  expect(await footfall.summary()).toMatchObject({ sessions: { active: 0, ended: 1 }, profiles: 1, rejected: 1 });
});

test('a browser a test tool drives is automation by navigator.webdriver, even with an ordinary agent', async ({ browser }) => {
  const context = await browser.newContext({ userAgent: VISITOR_UA });
  const page = await context.newPage();
  expect(await page.evaluate(() => navigator.webdriver)).toBe(true);
  await page.goto(shop.url);
  const [view] = await footfall.waitForEvents({ type: 'page-view' });
  const session = await footfall.session(view!.session.id);
  expect(session.metadata.traffic).toBe('automation');
  expect((session.context as { browser?: { userAgent?: string; webdriver?: boolean } }).browser).toMatchObject({ userAgent: VISITOR_UA, webdriver: true });
  await context.close();
});
