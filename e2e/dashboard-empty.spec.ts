import { expect, test } from '@playwright/test';
import { startDashboard, type Dashboard } from './dashboard-setup';

test.use({ locale: 'en-US', viewport: { width: 1280, height: 900 } });

let d: Dashboard;
test.beforeAll(async () => {
  d = await startDashboard();
});
test.afterAll(async () => {
  await d?.stop();
});

test('the Simulator before any debug event: an empty timeline, without a stray dot', async ({ page }) => {
  await d.open(page, '#/simulator');
  const empty = page.getByTestId('timeline').locator('li');
  await expect(empty).toHaveCount(1);
  await expect(empty).toContainText('No events');
  expect(await empty.evaluate((el) => getComputedStyle(el, '::before').content)).toBe('none');
});

test('before any event, Sessions, Profiles and Live say how to send the first one', async ({ page }) => {
  await d.open(page, '#/sessions');
  await expect(page.getByTestId('empty-state')).toContainText('No sessions yet');
  await expect(page.getByTestId('first-curl')).toContainText(d.server.source);
  await page.goto(`${d.server.url}/#/profiles`);
  await expect(page.getByTestId('empty-state')).toContainText('No profiles yet');
  await page.goto(`${d.server.url}/#/live`);
  await expect(page.getByTestId('live-events')).toContainText(`curl -X POST ${d.server.url}/track`);
});

test('a new Footfall shows the snippet and the one curl that sends a first event, and that curl works', async ({ page }) => {
  await d.open(page, '#/');
  const empty = page.getByTestId('empty-state');
  await expect(empty).toBeVisible();
  await expect(empty).toContainText(`data-source="${d.server.source}"`);
  const curl = (await page.getByTestId('first-curl').textContent())!;
  expect(curl).toContain(`curl -X POST ${d.server.url}/track`);
  await d.shot(page, 'empty');

  // Send exactly what the command sends.
  const body = /-d '([^']*)'/.exec(curl)![1]!;
  // curl's own User-Agent: Node's fetch says "node", which bot detection rightly counts as a bot.
  const res = await fetch(`${d.server.url}/track`, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'curl/8.5.0' }, body });
  expect(res.status).toBe(200);
  await page.reload();
  await expect(page.getByTestId('empty-state')).toHaveCount(0);
  await expect(page.getByTestId('kpi-sessions').locator('[data-value]')).toHaveText('1');
  await expect(page.getByTestId('kpi-activeNow').locator('[data-value]')).toHaveText('1');
  // One visit, still going: it has lasted 0 s and seen one page so far; bounce is decided at its end.
  await expect(page.getByTestId('kpi-avgDuration').locator('[data-value]')).toHaveText('0s');
  await expect(page.getByTestId('kpi-pagesPerSession').locator('[data-value]')).toHaveText('1');
  await expect(page.getByTestId('kpi-bounceRate').locator('[data-value]')).toHaveText('–');
});

test('numbers follow the browser locale', async ({ browser }) => {
  const ctx = await browser.newContext({ locale: 'de-DE' });
  const page = await ctx.newPage();
  for (let i = 0; i < 3; i++) {
    await fetch(`${d.server.url}/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'curl/8.5.0' },
      body: JSON.stringify({ source: { id: d.server.source }, session: { id: `de-${i}` }, events: Array.from({ length: 400 }, () => ({ type: 'click' })) }),
    });
  }
  await d.open(page, '#/');
  const events = (await d.api('/api/stats/overview?tz=UTC')).kpis.events.value as number;
  expect(events).toBeGreaterThan(1000);
  await expect(page.getByTestId('kpi-events').locator('[data-value]')).toHaveText(new Intl.NumberFormat('de-DE').format(events));
  await ctx.close();
});

test('without the token the dashboard says how to open it', async ({ page }) => {
  await page.goto(`${d.server.url}/#/sessions`);
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('This browser has no admin token');
  await expect(alert).toContainText(`Dashboard: ${d.server.url}/?token=`);
  await d.shot(page, 'no-token');
});
