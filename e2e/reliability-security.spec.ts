import { createServer, type Server } from 'node:http';
import { expect, test } from '@playwright/test';
import { startServer, type ServerHandle } from './server';

/**
 * The dashboard's token in Chromium: the URL printed at start is swapped for an HttpOnly,
 * SameSite=Strict cookie and leaves the address bar; scripts cannot read it; pages of other
 * origins cannot read the admin API with it.
 */

let server: ServerHandle;
let other: Server;
let otherUrl: string;
test.beforeAll(async () => {
  server = await startServer();
  // A page of another origin ("another site": localhost is not 127.0.0.1 for the browser).
  other = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>elsewhere</title><p>elsewhere</p>'));
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  otherUrl = `http://localhost:${(other.address() as { port: number }).port}/`;
});
test.afterAll(async () => {
  other.close();
  expect(await server.stop()).toBe(0);
});

test('the URL token becomes an HttpOnly SameSite=Strict cookie and leaves the address bar and history', async ({ page }) => {
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(server.dashboardUrl);
  await expect(page).toHaveURL(`${server.url}/`);
  expect(await page.evaluate(() => location.href)).not.toContain(server.token);
  // The token reached the server once, in the link itself, and nothing the page loads carries it.
  expect(requests.filter((u) => u.includes(server.token))).toEqual([server.dashboardUrl]);
  // The redirect replaced the entry: going back does not bring the token back into view.
  expect(await page.evaluate(() => history.length)).toBeLessThanOrEqual(2);
  await page.goBack().catch(() => null);
  expect(page.url()).not.toContain(server.token);

  const cookies = await page.context().cookies();
  const c = cookies.find((k) => k.name.startsWith('footfall_token_'));
  expect(c).toBeDefined();
  expect(c!.value).toBe(server.token);
  expect(c!.httpOnly).toBe(true);
  expect(c!.sameSite).toBe('Strict');
  expect(c!.path).toBe('/');
});

test('scripts cannot read the cookie; the page reaches the API with it; without it, 401', async ({ page, browser }) => {
  await page.goto(server.dashboardUrl);
  expect(await page.evaluate(() => document.cookie)).not.toContain(server.token);
  const withCookie = await page.evaluate(async () => (await fetch('/api/info')).status);
  expect(withCookie).toBe(200);

  const fresh = await browser.newContext();
  const stranger = await fresh.newPage();
  await stranger.goto(`${server.url}/`);
  expect(await stranger.evaluate(async () => (await fetch('/api/info')).status)).toBe(401);
  await fresh.close();
});

test('a wrong token in the link sets no cookie and says so', async ({ page }) => {
  const r = await page.goto(`${server.url}/?token=not-the-token`);
  expect(r?.status()).toBe(401);
  await expect(page.getByText('wrong token')).toBeVisible();
  expect((await page.context().cookies()).filter((k) => k.name.startsWith('footfall_token_'))).toEqual([]);
});

test('a page of another origin cannot read the admin API, even in the browser that holds the cookie', async ({ page }) => {
  await page.goto(server.dashboardUrl); // the cookie is set in this browser
  await page.goto(otherUrl);
  const apiUrl = `${server.url}/api/sessions`;
  const outcome = await page.evaluate(async (url) => {
    try {
      const r = await fetch(url, { credentials: 'include' });
      return `read ${r.status}: ${await r.text()}`;
    } catch (e) {
      return `blocked: ${(e as Error).message}`;
    }
  }, apiUrl);
  expect(outcome).toMatch(/^blocked/);
  // The collector, by contrast, is open to any page.
  const tracked = await page.evaluate(
    async ([url, source]) => {
      const r = await fetch(url!, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ source: { id: source }, events: [{ type: 'page-view' }] }) });
      return r.status;
    },
    [`${server.url}/track`, server.source],
  );
  expect(tracked).toBe(200);
});
