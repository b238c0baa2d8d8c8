// Footfall's browser tracker: how the collector serves it, and what it sends from pages on
// another origin (made-up pages on a test site at localhost:PORT).
import type { IncomingHttpHeaders } from 'node:http';
import { get } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { expect, test, type BrowserContext, type Request } from '@playwright/test';
import { startDemoSite, type DemoSite } from '../demo/server.mjs';
import { tracardiSnippet } from '../shared/snippets';
import { startServer, type ServerHandle } from './server';
import { eventsOf, isTrack, pageViews, sessions, startTestSite, tracked, visitor, watchErrors, type TestSite } from './tracker-fixtures';

let server: ServerHandle;
let shop: TestSite;
let SHOP = '';
test.beforeAll(async () => {
  server = await startServer();
  shop = await startTestSite();
  SHOP = shop.url;
});
test.afterAll(async () => {
  await shop.close();
  expect(await server.stop()).toBe(0);
});

/** Serves `html` as `SHOP + path` (every test's paths are its own). */
function shopPage(path: string, html: string): void {
  shop.page(path.split('?')[0]!, html);
}

const footfallTag = (attrs = '') => `<script defer src="${server.url}/tracker.js" data-source="${server.source}" ${attrs}></script>`;

/** The /track requests a page makes, with their parsed bodies. */
function trackRequests(context: BrowserContext): Array<{ body: { session: { id: string }; events: Array<{ type: string; properties?: Record<string, unknown> }> } }> {
  const seen: Array<{ body: { session: { id: string }; events: Array<{ type: string; properties?: Record<string, unknown> }> } }> = [];
  context.on('request', (r: Request) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/track') seen.push({ body: JSON.parse(r.postData() ?? '{}') });
  });
  return seen;
}

/** A GET that keeps the raw bytes and lets any header be set (Host too), unlike fetch. */
function rawGet(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(`${server.url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

test.describe('served by the collector', () => {
  for (const path of ['/tracker/liliput.min.js', '/tracker.js', '/tracker//liliput.min.js']) {
    test(`GET ${path}: JavaScript, cacheable, open to any origin, gzipped under 2 KB`, async () => {
      const plain = await rawGet(path, { origin: SHOP });
      expect(plain.status).toBe(200);
      expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(plain.headers['cache-control']).toMatch(/max-age=\d+/);
      expect(plain.headers['access-control-allow-origin']).toBe('*');
      expect(plain.headers['cross-origin-resource-policy']).toBe('cross-origin');
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body.toString()).toContain('tracardi-session-id');

      const zipped = await rawGet(path, { 'accept-encoding': 'gzip, deflate, br' });
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(zipped.body.length).toBeLessThan(2048);
      expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);

      const again = await rawGet(path, { 'if-none-match': String(plain.headers.etag) });
      expect(again.status).toBe(304);
      expect(again.body.length).toBe(0);
    });
  }

  test('pages on any domain load it: a Host the server does not know is no reason to refuse', async () => {
    expect((await rawGet('/tracker.js', { host: 'shop.example' })).status).toBe(200);
    // ...while the admin API keeps refusing such a Host.
    expect((await rawGet('/api/info', { host: 'shop.example', authorization: `Bearer ${server.token}` })).status).toBe(403);
  });
});

test.describe("Footfall's tag", () => {
  test('a single-page app: each history navigation is a page view, with the engaged time of the view before', async ({ browser }) => {
    const site: DemoSite = await startDemoSite({ collector: server.url, source: server.source });
    try {
      const context = await visitor(browser);
      const page = await context.newPage();
      const errors = watchErrors(page);
      const app = `${site.url}app`;
      const first = await tracked(page, () => page.goto(app));
      const sessionId = ((await first.json()) as { session: { id: string } }).session.id;
      await page.waitForTimeout(400);
      await tracked(page, () => page.getByRole('link', { name: 'Orders' }).click());
      await expect(page).toHaveTitle('Orders · Account · Footfall Coffee');
      await tracked(page, () => page.getByRole('link', { name: 'Settings' }).click());
      // A hash alone is no new page; the same URL again neither.
      await page.evaluate(() => history.pushState({}, '', '#faq'));
      await page.evaluate(() => history.replaceState({}, '', location.href));
      await page.goBack(); // #faq -> /app/settings: the same page, no view
      await tracked(page, () => page.goBack()); // popstate to /app/orders
      await expect(page).toHaveURL(`${app}/orders`);

      const events = await eventsOf(server, sessionId);
      expect(pageViews(events)).toEqual([app, `${app}/orders`, `${app}/settings`, `${app}/orders`]);
      const views = events.filter((e) => e.type === 'page-view');
      expect(views.map((e) => (e.context as { page: { title: string } }).page.title)).toEqual([
        'Overview · Account · Footfall Coffee',
        'Orders · Account · Footfall Coffee',
        'Settings · Account · Footfall Coffee',
        'Orders · Account · Footfall Coffee',
      ]);
      // The referrer of an in-app view is the view before it.
      expect((views[1]!.context as { page: { referer: { url: string } } }).page.referer.url).toBe(app);
      const engaged = events.filter((e) => e.type === 'engagement');
      expect(engaged[0]!.page.url).toBe(app);
      expect(engaged[0]!.properties.engagedSeconds).toBeGreaterThanOrEqual(0.3);
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await site.close();
    }
  });

  test('reports UTM tags, referrer, screen, language and time zone', async ({ browser }) => {
    const context = await visitor(browser);
    shopPage('/landing?utm_source=newsletter&utm_medium=email&utm_campaign=spring', `<!doctype html><title>Landing</title>${footfallTag()}`);
    const page = await context.newPage();
    const answer = await tracked(page, () => page.goto(`${SHOP}/landing?utm_source=newsletter&utm_medium=email&utm_campaign=spring`, { referer: 'https://duckduckgo.com/?q=coffee' }));
    const sent = JSON.parse(answer.request().postData()!) as { context: Record<string, unknown> };
    expect(sent.context).toMatchObject({
      utm: { source: 'newsletter', medium: 'email', campaign: 'spring' },
      time: { tz: 'Europe/Warsaw' },
      browser: { language: 'pl-PL' },
      screen: { width: 1280, height: 720 },
    });
    const id = ((await answer.json()) as { session: { id: string } }).session.id;
    const s = (await sessions(server)).find((x) => x.id === id)!;
    expect(s.utm).toMatchObject({ source: 'newsletter', medium: 'email', campaign: 'spring' });
    expect(s.context.channel).toBe('email');
    expect(s.context.referrer.host).toBe('duckduckgo.com');
    expect(s.context.time.tz).toBe('Europe/Warsaw');
    expect(s.app.language).toBe('pl-PL');
    expect(s.device.resolution).toBe('1280x720');
    await context.close();
  });

  test('honours Do-Not-Track when the site opts in, and only then', async ({ browser }) => {
    const context = await visitor(browser);
    await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1' }));
    shopPage('/dnt', `<!doctype html><title>DNT</title>${footfallTag('data-respect-dnt')}`);
    shopPage('/plain', `<!doctype html><title>Plain</title>${footfallTag()}`);
    const sent = trackRequests(context);
    const page = await context.newPage();
    await page.goto(`${SHOP}/dnt`);
    await page.waitForLoadState('networkidle');
    // The page's own calls are answered (null), never refused with an error.
    expect(await page.evaluate(async () => (window as unknown as { tracker: { track(t: string): Promise<unknown> } }).tracker.track('click'))).toBeNull();
    await page.waitForTimeout(300);
    expect(sent).toHaveLength(0);
    await tracked(page, () => page.goto(`${SHOP}/plain`));
    expect(sent.length).toBeGreaterThan(0);
    await context.close();
  });

  test('never throws into the page: collector unreachable, unknown source', async ({ browser }) => {
    const context = await visitor(browser);
    const errors: string[] = [];
    const logged: string[] = [];
    shopPage('/down', `<!doctype html><title>Down</title><script defer src="${server.url}/tracker.js" data-source="${server.source}" data-api="http://127.0.0.1:9"></script>`);
    shopPage('/unknown', `<!doctype html><title>Unknown</title><script defer src="${server.url}/tracker.js" data-source="no-such-source"></script>`);
    const page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => logged.push(m.text()));
    type Tracker = { tracker: { track(t: string, p?: object): Promise<{ status: number } | null> } };

    await page.goto(`${SHOP}/down`);
    expect(await page.evaluate(async () => (window as unknown as Tracker).tracker.track('click', { a: 1 }))).toBeNull();
    // Bad arguments are no reason to throw either.
    expect(await page.evaluate(async () => (window as unknown as Tracker).tracker.track('x', 5 as unknown as object))).toBeNull();

    await page.goto(`${SHOP}/unknown`);
    const status = await page.evaluate(async () => (await (window as unknown as Tracker).tracker.track('click'))?.status);
    expect(status).toBe(401);
    expect(errors).toEqual([]);
    expect(logged.some((l) => l.startsWith('[Footfall] 401'))).toBe(true);
    expect(logged.some((l) => l.startsWith('[Footfall] http://127.0.0.1:9/track'))).toBe(true);
    await context.close();
  });
});

test.describe("under Tracardi's loader", () => {
  test('calls queued before the script loaded go in its first request; onTracardiReady gets {tracker, helpers, context, config}', async ({ browser }) => {
    const site: DemoSite = await startDemoSite({ collector: server.url, source: server.source });
    try {
      const context = await visitor(browser);
      const sent = trackRequests(context);
      const page = await context.newPage();
      await page.addInitScript(() => {
        // Bound before the tracker exists, as pages do; records what it receives.
        document.addEventListener('DOMContentLoaded', () => {
          const w = window as unknown as { onTracardiReady: { bind(fn: (p: Record<string, unknown>) => void): void }; readyWith?: unknown };
          w.onTracardiReady.bind(({ tracker, helpers, context, config }) => {
            const h = helpers as { track: unknown; onClick: unknown; addListener: unknown };
            w.readyWith = {
              sameTracker: tracker === (window as unknown as { tracker: unknown }).tracker,
              helpers: [typeof h.track, typeof h.onClick, typeof h.addListener],
              context,
              config,
            };
          });
        });
      });
      await page.goto(`${site.url}tracardi/`);
      type Ready = { sameTracker: boolean; helpers: string[]; context: { profile: { id: string }; session: { id: string } }; config: { tracker: { source: { id: string } } } };
      const r = (await (await page.waitForFunction(() => (window as unknown as { readyWith?: unknown }).readyWith)).jsonValue()) as Ready;
      await page.evaluate(() => (window as unknown as { tracker: { track(t: string, p: object): void } }).tracker.track('purchase-order', { total: 1 }));
      expect(r.sameTracker).toBe(true);
      expect(r.helpers).toEqual(['function', 'function', 'function']);
      expect(r.config.tracker.source.id).toBe(server.source);
      expect(r.context.session.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.context.profile.id).toMatch(/^[0-9a-f-]{36}$/);
      // The page's queued page-view is the first request, alone; the later call is a request of its own.
      await expect.poll(() => sent.length).toBe(2);
      expect(sent[0]!.body.events.map((e) => e.type)).toEqual(['page-view']);
      expect(sent[0]!.body.events[0]!.properties).toEqual({ page: 'Home' });
      expect(sent[1]!.body.events.map((e) => e.type)).toEqual(['purchase-order']);

      // helpers.track answers like Tracardi's: a response with the collector's JSON as .data.
      const data = await page.evaluate(async () => {
        const w = window as unknown as { tracardi: { default: { plugins: { tracardi: { track(t: string, p: object): Promise<{ data: unknown }> } } } } };
        return (await w.tracardi.default.plugins.tracardi.track('add-to-cart', { sku: 'x' })).data;
      });
      expect(data).toMatchObject({ session: { id: r.context.session.id }, profile: { id: r.context.profile.id } });
      await context.close();
    } finally {
      await site.close();
    }
  });

  test('a page that queues no page-view gets one from the tracker; one without a source id sends nothing', async ({ browser }) => {
    const context = await visitor(browser);
    const loader = (source: string) => `<!doctype html><title>Queued</title><script>
      const options = { tracker: { url: { script: '${server.url}/tracker', api: '${server.url}' }, source: ${source} } };
      window.tracker = { track() {} }; window.onTracardiReady = { bind() {}, call() {} };
      document.addEventListener('DOMContentLoaded', () => {
        const s = document.createElement('script');
        s.src = options.tracker.url.script + '/liliput.min.js';
        s.addEventListener('load', () => { window.tracker = window.tracardi.default; window.tracker.track('purchase', { total: 3 }); });
        document.head.appendChild(s);
      });
    </script>`;
    shopPage('/queued', loader(`{ id: "${server.source}" }`));
    const sent = trackRequests(context);
    const page = await context.newPage();
    await tracked(page, () => page.goto(`${SHOP}/queued`), 'purchase');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body.events.map((e) => e.type)).toEqual(['page-view', 'purchase']);
    await context.close();

    const other = await visitor(browser);
    shopPage('/nosource', loader('{}'));
    const none = trackRequests(other);
    const quiet = await other.newPage();
    const logged: string[] = [];
    quiet.on('console', (m) => logged.push(m.text()));
    await quiet.goto(`${SHOP}/nosource`);
    await quiet.waitForLoadState('networkidle');
    await quiet.close({ runBeforeUnload: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(none).toHaveLength(0);
    expect(logged).toContain('[Footfall] no source id');
    await other.close();
  });
});

test("the snippet the desktop app's tray copies works as pasted (Tracardi's options and loader)", async ({ browser }) => {
  const context = await visitor(browser);
  shopPage('/copied', `<!doctype html><html><head><title>Copied</title><link rel="icon" href="data:,">${tracardiSnippet(server.url, server.source)}</head>
    <body><button onclick="window.tracker.track('sign-up', {plan: 'free'})">Sign up</button></body></html>`);
  const page = await context.newPage();
  const errors = watchErrors(page);
  await tracked(page, () => page.goto(`${SHOP}/copied`));
  const answer = await tracked(page, () => page.getByRole('button', { name: 'Sign up' }).click(), 'sign-up');
  const id = ((await answer.json()) as { session: { id: string } }).session.id;
  expect((await eventsOf(server, id)).filter((e) => !e.metadata.system).map((e) => e.type)).toEqual(['page-view', 'sign-up']);
  expect(errors).toEqual([]);
  await context.close();
});

test('the collector takes the requests of a page on another origin without a CORS preflight', async ({ browser }) => {
  const context = await visitor(browser);
  shopPage('/cors', `<!doctype html><title>CORS</title>${footfallTag()}`);
  const methods: string[] = [];
  context.on('request', (r) => {
    if (new URL(r.url()).pathname === '/track') methods.push(r.method());
  });
  const page = await context.newPage();
  const answer = await tracked(page, () => page.goto(`${SHOP}/cors`));
  expect(isTrack(answer)).toBe(true);
  expect(answer.request().headers()['content-type']).toMatch(/^text\/plain/);
  expect(methods).toEqual(['POST']);
  await context.close();
});
