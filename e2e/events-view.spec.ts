// The event explorer (Events) and the Rejected view, in Chromium, against what the API answers.
import { expect, test } from '@playwright/test';
import { holdLiveStream, startDashboard, UA, visit, type Dashboard } from './dashboard-setup';

let d: Dashboard;
test.beforeAll(async () => {
  d = await startDashboard({ events: 2000, days: 10 });
  const src = d.server.source;
  expect((await d.track(visit(src, 'ev-visit', 'ev-profile', UA.headless, 'https://shop.test/checkout', {
    events: [
      { type: 'page-view', context: { page: { url: 'https://shop.test/checkout' } } },
      { type: 'purchase ', properties: { total: 42.5, currency: 'EUR' }, context: { page: { url: 'https://shop.test/checkout' } } },
    ],
  }))).status).toBe(200);
  expect((await d.track({ source: { id: 'staging-site' }, events: [{ type: 'page-view' }] })).status).toBe(401);
  const broken = await fetch(`${d.server.url}/track`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://localhost:3000' }, body: '{"source": {"id": "x"}, "events": [' });
  expect(broken.status).toBe(400);
});
test.afterAll(async () => {
  await d.stop();
});

const rowTypes = (page: import('@playwright/test').Page) => page.getByTestId('event-row').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-type')));

test('Events: every event newest first, filtered by type, property and page as the API filters them; one opens to its JSON', async ({ page }) => {
  await d.open(page, '#/events');
  const api = await d.api('/api/events?limit=50&system=false&traffic=person,automation');
  await expect.poll(() => page.getByTestId('event-row').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')))).toEqual(api.items.map((e: { id: string }) => e.id));
  await expect(page.getByTestId('events-count')).toContainText('events');
  // The bots' and debug events the filter leaves out, counted.
  await expect(page.getByTestId('hidden-note')).toContainText(/bot events?/);

  await page.getByTestId('filter-prop').fill('total=42.5');
  await page.getByTestId('filter-prop').press('Enter');
  await expect(page).toHaveURL(/prop=total%3D42.5/);
  await expect.poll(() => rowTypes(page)).toEqual(['purchase']);
  const row = page.getByTestId('event-row').first();
  await expect(row.getByTestId('traffic-badge')).toHaveText('automation');
  await expect(row.getByTestId('event-warnings')).toBeVisible();
  await row.getByTestId('event-open').click();
  const detail = page.getByTestId('event-detail');
  await expect(detail.getByTestId('event-json')).toContainText('"currency": "EUR"');
  await expect(detail).toContainText('"purchase " was stored as "purchase"');
  await expect(detail.getByRole('button', { name: 'Copy JSON' })).toBeVisible();
  await d.shot(page, 'events');
  await detail.getByTestId('event-session-link').click();
  await expect(page).toHaveURL(/#\/sessions\/ev-visit/);

  await d.open(page, '#/events?page=%2Fcheckout&type=page-view');
  const checkout = await d.api('/api/events?limit=50&system=false&traffic=person,automation&type=page-view&page=/checkout');
  expect(checkout.items.length).toBeGreaterThan(1);
  expect(checkout.items.every((e: { page: { url: string } }) => e.page.url.includes('/checkout'))).toBe(true);
  await expect.poll(() => page.getByTestId('event-row').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')))).toEqual(checkout.items.map((e: { id: string }) => e.id));
  const links = await page.getByTestId('export-csv').getAttribute('href');
  expect(links).toContain('/api/export/events.csv?');
  expect(links).toContain('type=page-view');
});

test('Events: live mode shows an event as soon as it is committed', async ({ page }) => {
  await d.open(page, '#/events?type=live-check&follow=1');
  await expect(page.getByTestId('events-table')).toContainText('No events match');
  expect((await d.track({ source: { id: d.server.source }, session: { id: 'live-ev' }, events: [{ type: 'live-check', properties: { n: 1 } }] })).status).toBe(200);
  await expect.poll(() => rowTypes(page)).toEqual(['live-check']);
});

test('Events: live mode shows what was committed after the list loaded but before the stream connected', async ({ page }) => {
  const stream = await holdLiveStream(page);
  await d.open(page, '#/events?type=live-gap&follow=1');
  await expect(page.getByTestId('events-table')).toContainText('No events match');
  await expect.poll(stream.held).toBe(1);
  // Committed in the gap: no stream is listening yet, so no message will ever tell of it.
  expect((await d.track({ source: { id: d.server.source }, session: { id: 'live-gap' }, events: [{ type: 'live-gap' }] })).status).toBe(200);
  stream.release();
  await expect.poll(() => rowTypes(page)).toEqual(['live-gap']);
});

test('Rejected: each refused request with why, and its body; the log can be emptied', async ({ page }) => {
  await d.open(page, '#/rejected');
  const rows = page.getByTestId('rejected-row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toHaveAttribute('data-status', '400');
  await expect(rows.nth(0)).toContainText('Malformed JSON');
  await expect(rows.nth(0)).toContainText('http://localhost:3000');
  await expect(rows.nth(1)).toContainText('unknown event source "staging-site"');
  await rows.nth(0).getByTestId('rejected-open').click();
  await expect(page.getByTestId('rejected-body')).toContainText('{"source": {"id": "x"}, "events": [');
  await d.shot(page, 'rejected');
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByTestId('rejected-clear').click();
  await expect(page.getByTestId('rejected-row')).toHaveCount(0);
  expect((await d.api('/api/rejected')).items).toEqual([]);
});
