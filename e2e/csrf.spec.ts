import { createServer, type Server } from 'node:http';
import { expect, test, type Page } from '@playwright/test';
import { startServer, type ServerHandle } from './server';
import { FIXTURE, SNAPSHOT, WRITE_ROUTES, type WriteRoute } from './write-routes';

/**
 * Cross-port CSRF. The user's test sites run on other ports of 127.0.0.1, and the browser
 * treats every port of a host as the same site: the dashboard's SameSite=Strict cookie goes
 * along with their requests. A page there, in the browser that has opened the dashboard,
 * tries every admin write (e2e/write-routes.ts) each way a page can without CORS: fetch in
 * no-cors mode, sendBeacon, and a text/plain form whose body is JSON. Nothing may change.
 */

let server: ServerHandle;
let other: Server;
let otherUrl: string;
const bearer = () => ({ authorization: `Bearer ${server.token}` });

async function api(path: string, init: { method?: string; body?: unknown } = {}): Promise<unknown> {
  const res = await fetch(`${server.url}${path}`, {
    method: init.method ?? 'GET',
    headers: init.body === undefined ? bearer() : { ...bearer(), 'content-type': 'application/json' },
    body: init.body === undefined ? null : JSON.stringify(init.body),
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

const snapshot = async () => Object.fromEntries(await Promise.all(SNAPSHOT.map(async (p) => [p, await api(p)] as const)));

test.beforeAll(async () => {
  server = await startServer();
  // Something for each write to change: an active visit, a source of our own, debug events, a refused request.
  const track = (body: object) => fetch(`${server.url}/track`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect((await track({ source: { id: server.source }, session: { id: FIXTURE.session }, profile: { id: 'csrf-profile' }, events: [{ type: 'page-view' }] })).status).toBe(200);
  expect((await track({ source: { id: server.source }, options: { debugger: true }, events: [{ type: 'debug-ping' }] })).status).toBe(200);
  expect((await track({ source: { id: 'no-such-source' }, events: [{ type: 'page-view' }] })).status).toBe(401);
  await api('/api/sources', { method: 'POST', body: { id: FIXTURE.source, name: 'Attacked' } });
  await api(`/api/funnels/${FIXTURE.funnel}`, { method: 'PUT', body: { steps: [{ type: 'page-view' }, { type: 'purchase' }] } });
  await api('/api/forwarding', { method: 'POST', body: { url: FIXTURE.upstream } });
  // Its first failure in, so that what /api/forwarding shows stays the same from here on.
  await expect.poll(async () => ((await api('/api/forwarding')) as { upstreams: Array<{ lastError: string | null }> }).upstreams[0]?.lastError ?? null).not.toBeNull();
  // The attacker: a page on another port of the same host (the same site, for the browser).
  other = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>a test site</title><p>a test site</p>'));
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  otherUrl = `http://127.0.0.1:${(other.address() as { port: number }).port}/`;
});
test.afterAll(async () => {
  other?.close();
  expect(await server.stop()).toBe(0);
});

/** Runs every way a page can send `r` without CORS, from the page it is on. */
async function attack(page: Page, r: WriteRoute): Promise<void> {
  await page.evaluate(
    async ({ url, method, body }) => {
      const text = body === undefined ? '' : JSON.stringify(body);
      // A fetch a page may send without asking: POST, text/plain, in no-cors mode.
      await fetch(url, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: text === '' ? null : text }).catch(() => null);
      // The route's own method needs a preflight, which the admin API never grants.
      if (method !== 'POST') await fetch(url, { method, credentials: 'include', headers: { 'content-type': 'application/json' }, body: text === '' ? null : text }).catch(() => null);
      navigator.sendBeacon(url, text);
      // A text/plain form sends `name=value`: a name of JSON up to a last key, a value that closes it.
      const frame = document.createElement('iframe');
      frame.name = `f${Math.random()}`;
      document.body.append(frame);
      const form = document.createElement('form');
      Object.assign(form, { method: 'POST', action: url, enctype: 'text/plain', target: frame.name });
      const input = document.createElement('input');
      input.name = text === '' || text === '{}' ? '{"_":"' : `${text.slice(0, -1)},"_":"`;
      input.value = '"}';
      form.append(input);
      document.body.append(form);
      const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
      form.submit();
      await loaded;
    },
    { url: `${server.url}${r.path}`, method: r.method, body: r.body },
  );
}

test('a page on another port of 127.0.0.1 cannot change anything, though the browser holds the cookie', async ({ page }) => {
  await page.goto(server.dashboardUrl);
  expect((await page.context().cookies()).some((c) => c.name.startsWith('footfall_token_') && c.sameSite === 'Strict')).toBe(true);
  const before = await snapshot();

  await page.goto(otherUrl);
  // What reached the server and what it answered: opaque to the page, not to DevTools
  // (Playwright's own events report a no-cors fetch as aborted, whatever the answer).
  const answered: string[] = [];
  const sent = new Map<string, string>();
  const cdp = await page.context().newCDPSession(page);
  cdp.on('Network.requestWillBeSent', (e) => sent.set(e.requestId, `${e.request.method} ${e.request.url}`));
  cdp.on('Network.responseReceived', (e) => {
    const what = sent.get(e.requestId) ?? `? ${e.response.url}`;
    if (what.includes(`${server.url}/api/`)) answered.push(`${what.replace(server.url, '')} ${e.response.status} ${e.type}`);
  });
  await cdp.send('Network.enable');
  for (const r of WRITE_ROUTES) await attack(page, r);

  // Each route heard at least the no-cors fetch, the beacon and the form, and refused each.
  for (const r of WRITE_ROUTES) {
    await expect.poll(() => answered.filter((a) => a.startsWith(`POST ${r.path} `)).length, { message: `${r.method} ${r.path}: ${answered.join(', ')}`, timeout: 5000 }).toBeGreaterThanOrEqual(3);
  }
  expect(await snapshot(), 'what the admin API shows after the attacks').toEqual(before);
  const writes = answered.filter((a) => !a.startsWith('OPTIONS '));
  expect(writes.filter((a) => !/ 403 \w+$/.test(a)), 'writes not refused').toEqual([]);
});

test('the dashboard itself still changes things, with the same cookie; a beacon from it is still not JSON', async ({ page }) => {
  await page.goto(server.dashboardUrl);
  const status = await page.evaluate(async () => {
    const r = await fetch('/api/sources', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'from-dashboard', name: 'Mine' }) });
    return r.status;
  });
  expect(status).toBe(201);
  const refused = page.waitForEvent('requestfinished', (r) => r.url() === `${server.url}/api/sources` && (r.postData() ?? '').includes('"beacon"'));
  expect(await page.evaluate(() => navigator.sendBeacon('/api/sources', JSON.stringify({ id: 'beacon', name: 'x' })))).toBe(true);
  expect((await (await refused).response())?.status()).toBe(415);
  const ids = ((await api('/api/sources')) as { items: Array<{ id: string }> }).items.map((s) => s.id);
  expect(ids).toContain('from-dashboard');
  expect(ids).not.toContain('beacon');
  await api('/api/sources/from-dashboard', { method: 'DELETE' });
});
