import { expect, test, type Page } from '@playwright/test';
import { holdLiveStream, startDashboard, UA, visit, type Dashboard } from './dashboard-setup';

test.use({ locale: 'en-US', timezoneId: 'Europe/Warsaw', viewport: { width: 1440, height: 1000 } });

let d: Dashboard;
test.beforeAll(async () => {
  d = await startDashboard({ events: 3000, days: 14 });
});
test.afterAll(async () => {
  await d?.stop();
});

test('Live: a POST /track shows within a second, pause holds messages back, and sessions the sweeper ends appear', async ({ page }) => {
  await d.open(page, '#/live');
  await expect(page.getByTestId('live-status')).toContainText('Connected');

  const type = `live-check-${Date.now()}`;
  const body = visit(d.server.source, 'live-1', 'live-p', UA.desktop, 'https://shop.test/live');
  (body as { events: object[] }).events.push({ type, properties: { step: 1 } });
  const t0 = Date.now();
  expect((await d.track(body)).status).toBe(200);
  await expect(page.getByTestId('live-event').filter({ hasText: type })).toBeVisible({ timeout: 1000 });
  const ms = Date.now() - t0;
  expect(ms).toBeLessThan(1000);
  test.info().annotations.push({ type: 'live latency', description: `${ms} ms from POST /track to the event on screen` });
  await expect(page.getByTestId('live-active')).toContainText('live-1');

  // Paused: new messages are counted, not shown, until resumed.
  await page.getByTestId('live-pause').click();
  const later = `while-paused-${Date.now()}`;
  expect((await d.track({ source: { id: d.server.source }, session: { id: 'live-1' }, events: [{ type: later }] })).status).toBe(200);
  await expect(page.getByText(/\d+ new while paused/)).toBeVisible();
  await expect(page.getByTestId('live-event').filter({ hasText: later })).toHaveCount(0);
  await page.getByTestId('live-resume').click();
  await expect(page.getByTestId('live-event').filter({ hasText: later })).toBeVisible();

  // Ending by the API, then by the sweeper (a 1-second timeout, swept every 0.2 s).
  await d.api('/api/sessions/live-1/end', { method: 'POST' });
  await expect(page.getByTestId('live-ended')).toContainText('live-1', { timeout: 1000 });
  await expect(page.getByTestId('live-active')).not.toContainText('live-1');
  const settings = await d.api('/api/settings');
  await d.api('/api/settings', { method: 'PATCH', body: { sessionTimeout: 1, sweepInterval: 0.2 } });
  try {
    expect((await d.track(visit(d.server.source, 'live-2', 'live-p', UA.desktop, 'https://shop.test/'))).status).toBe(200);
    const ended = page.getByTestId('live-ended').locator('li').filter({ hasText: 'live-2' });
    await expect(ended).toBeVisible({ timeout: 5000 });
    await expect(ended).toContainText('timeout');
    await d.shot(page, 'live');
  } finally {
    await d.api('/api/settings', { method: 'PATCH', body: { sessionTimeout: settings.sessionTimeout, sweepInterval: settings.sweepInterval } });
  }
});

test('Live: a visit committed before the stream connected is listed once it does', async ({ page }) => {
  const stream = await holdLiveStream(page);
  await d.open(page, '#/live');
  await expect.poll(stream.held).toBe(1);
  await expect(page.getByTestId('live-status')).toContainText('Connecting');
  const type = `before-connect-${Date.now()}`;
  const body = visit(d.server.source, 'live-gap', 'live-gap-p', UA.desktop, 'https://shop.test/gap');
  (body as { events: object[] }).events.push({ type });
  expect((await d.track(body)).status).toBe(200);
  stream.release();
  await expect(page.getByTestId('live-status')).toContainText('Connected');
  await expect(page.getByTestId('live-event').filter({ hasText: type })).toBeVisible();
  await expect(page.getByTestId('live-active')).toContainText('live-gap');
});

test('Live: a sweep that ends more sessions than the stream lists leaves none of them under Active now', async ({ page }) => {
  await d.open(page, '#/live');
  await expect(page.getByTestId('live-status')).toContainText('Connected');
  const n = 70;
  const ids = Array.from({ length: n }, (_, i) => `bulk-${i}`);
  for (const r of await Promise.all(ids.map((id) => d.track(visit(d.server.source, id, `${id}-p`, UA.desktop, 'https://shop.test/'))))) expect(r.status).toBe(200);
  const bulk = page.getByTestId('live-active').locator('li').filter({ hasText: 'bulk-' });
  await expect(bulk).toHaveCount(n);
  // All of them idle for over a second, then a 1-second timeout: one sweep ends all 70 in
  // one commit (with any other visit still open), of which the stream lists the newest 50
  // and counts the others.
  await new Promise((r) => setTimeout(r, 1200));
  const settings = await d.api('/api/settings');
  await d.api('/api/settings', { method: 'PATCH', body: { sessionTimeout: 1, sweepInterval: 0.2 } });
  try {
    await expect(page.getByTestId('live-ended-not-listed')).toHaveText(/^\+\d+ not listed$/, { timeout: 5000 });
    expect(Number((await page.getByTestId('live-ended-not-listed').innerText()).replace(/\D/g, ''))).toBeGreaterThanOrEqual(n - 50);
    // Those without a message of their own leave the active list too (it is reloaded).
    await expect(bulk).toHaveCount(0);
    await expect(page.getByTestId('live-ended').locator('li').filter({ hasText: 'bulk-' })).toHaveCount(50);
    await d.shot(page, 'live-bulk');
  } finally {
    await d.api('/api/settings', { method: 'PATCH', body: { sessionTimeout: settings.sessionTimeout, sweepInterval: settings.sweepInterval } });
  }
});

test('Simulator: events go to the one debug session and the visit count stays; Settings deletes debug data', async ({ page }) => {
  await d.open(page, '#/simulator');
  await page.getByTestId('sim-profile').fill('sim-e2e');
  await page.getByTestId('sim-type').fill('add-to-cart');
  await page.getByTestId('sim-props').fill('{"product": "wool-socks", "quantity": 2}');
  await page.getByTestId('sim-send').click();
  await expect(page.getByTestId('sim-response')).toContainText('"id": "@debug-session"');
  await expect(page.getByTestId('simulator-why')).toContainText('@debug-session');
  await expect(page.getByTestId('timeline').locator('[data-type="add-to-cart"]').first()).toContainText('wool-socks');
  await expect(page.getByTestId('sim-visits')).toContainText('0 visits');
  await page.getByTestId('sim-send').click();
  // The after-text reads the same after the first send: wait for the second event itself.
  // (The seed has debug events of its own, add-to-cart among them: count this test's.)
  await expect(page.getByTestId('timeline').locator('[data-type="add-to-cart"]').filter({ hasText: 'wool-socks' })).toHaveCount(2);
  await expect(page.getByTestId('sim-after')).toHaveText('Visits before: 0 · after: 0');
  const profile = await d.api('/api/profiles/sim-e2e');
  expect(profile.metadata.time.visit.count).toBe(0);
  expect(profile.stats.events).toBe(2);
  await d.shot(page, 'simulator');

  await page.goto(`${d.server.url}/#/settings`);
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByTestId('delete-debug').click();
  await expect(page.getByTestId('deleted')).toContainText(/Deleted \d+ events/);
  expect((await d.api('/api/events?session=@debug-session')).items).toEqual([]);
});

// ---- event data that holds HTML or script is shown as text, never run ---------------------

const EVIL_IMG = '<img src=x onerror="window.__xss=(window.__xss||0)+1">';
const EVIL_SCRIPT = '<script>window.__xss=(window.__xss||0)+1</script>';

async function expectNothingRan(page: Page, dialogs: string[]): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  expect(dialogs).toEqual([]);
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  await expect(page.locator('main script')).toHaveCount(0);
}

test('HTML and script in properties, titles, URLs, types and UTM tags show as text on every view', async ({ page }) => {
  // A Footfall of its own, so the planted values are the top ones in every chart.
  const x = await startDashboard();
  try {
    await plantAndCheck(page, x);
  } finally {
    await x.stop();
  }
});

async function plantAndCheck(page: Page, d: Dashboard): Promise<void> {
  const dialogs: string[] = [];
  page.on('dialog', (dlg) => {
    dialogs.push(dlg.message());
    void dlg.dismiss();
  });
  const payload = {
    source: { id: d.server.source },
    session: { id: 'xss-visit' },
    profile: { id: 'xss-profile' },
    context: { browser: { userAgent: UA.desktop }, time: { tz: 'Europe/Warsaw' } },
    events: [
      {
        type: 'page-view',
        properties: { title: EVIL_IMG, note: EVIL_SCRIPT, nested: { html: EVIL_IMG } },
        context: {
          page: { url: `https://shop.test/${EVIL_IMG}?utm_campaign=${encodeURIComponent(EVIL_SCRIPT)}`, title: EVIL_IMG, referer: { host: 'evil<script>.test' } },
        },
      },
      { type: EVIL_IMG, properties: { [EVIL_SCRIPT]: EVIL_IMG } },
    ],
  };
  expect((await d.track(payload)).status).toBe(200);

  await d.open(page, '#/');
  await expect(page.getByTestId('table-event_type')).toContainText(EVIL_IMG);
  await expect(page.getByTestId('table-utm_campaign')).toContainText(EVIL_SCRIPT);
  await expect(page.getByTestId('table-referrer')).toContainText('evil<script>.test');
  await expectNothingRan(page, dialogs);

  await page.goto(`${d.server.url}/#/sessions`);
  await expect(page.locator('[data-testid="session-row"][data-id="xss-visit"]')).toBeVisible();
  await expectNothingRan(page, dialogs);

  await page.goto(`${d.server.url}/#/sessions/xss-visit`);
  const timeline = page.getByTestId('timeline');
  await expect(timeline.getByText(EVIL_IMG, { exact: true }).first()).toBeVisible();
  await expect(timeline.getByText(EVIL_SCRIPT, { exact: true }).first()).toBeVisible();
  await expect(timeline).toContainText(`https://shop.test/${EVIL_IMG}`);
  await expectNothingRan(page, dialogs);
  await d.shot(page, 'xss-as-text');

  await page.goto(`${d.server.url}/#/profiles/xss-profile`);
  await expect(page.getByTestId('visit-row')).toHaveCount(1);
  await expectNothingRan(page, dialogs);

  // Live: the same, arriving while the page is open.
  await page.goto(`${d.server.url}/#/live`);
  await expect(page.getByTestId('live-status')).toContainText('Connected');
  expect((await d.track({ ...payload, session: { id: 'xss-visit-2' } })).status).toBe(200);
  await expect(page.getByTestId('live-events')).toContainText(EVIL_IMG);
  await expectNothingRan(page, dialogs);
}
