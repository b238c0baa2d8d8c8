// The tracking plan in Chromium: a plan written in the Tracking plan view's form, the demo shop
// visited, and what the plan found shown where events are (the Events view, a session's
// timeline, Live) and in the coverage table; a draft from the traffic; a plan from --plan FILE.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startDemoSite, type DemoSite } from '../demo/server.mjs';
import { startDashboard, type Dashboard } from './dashboard-setup';
import { tracked, visitor } from './tracker-fixtures';

let d: Dashboard | null = null;
let shop: DemoSite | null = null;
test.afterEach(async () => {
  await shop?.close();
  await d?.stop();
  shop = null;
  d = null;
});

/** Adds a property row to the type being edited and fills it in. */
async function addProperty(page: Page, p: { name: string; type?: string; required?: boolean; min?: string; allowed?: string }): Promise<void> {
  await page.getByTestId('prop-add').click();
  const row = page.getByTestId('plan-prop').last();
  await row.getByTestId('prop-name').fill(p.name);
  if (p.type) await row.getByTestId('prop-type').selectOption(p.type);
  if (p.required) await row.getByTestId('prop-required').check();
  if (p.min) await row.getByTestId('prop-min').fill(p.min);
  if (p.allowed) await row.getByTestId('prop-allowed').fill(p.allowed);
}

async function addType(page: Page, type: string): Promise<void> {
  await page.getByTestId('plan-new-type').fill(type);
  await page.getByTestId('plan-add-type').click();
  await expect(page.getByTestId('plan-type-editor')).toHaveAttribute('data-type', type);
}

test('a plan written in the view checks the shop’s events: badges on each event, the errors, the coverage table, light and dark', async ({ page, browser }) => {
  d = await startDashboard();
  shop = await startDemoSite({ collector: d.server.url, source: d.server.source });
  await d.open(page, '#/plan');
  await expect(page.getByTestId('plan-summary')).toHaveText('0 event types planned');

  // add-to-cart must name a product and a quantity (the shop sends no quantity: each one breaks the plan).
  await addType(page, 'add-to-cart');
  await page.getByTestId('plan-description').fill('A product put in the cart');
  await addProperty(page, { name: 'product', required: true });
  await addProperty(page, { name: 'quantity', type: 'integer', required: true, min: '1' });
  await addProperty(page, { name: 'price', type: 'number', min: '0' });
  await addType(page, 'page-view');
  await addType(page, 'purchase');
  await addProperty(page, { name: 'currency', required: true, allowed: 'EUR, USD' });
  await page.getByTestId('plan-unplanned').selectOption('flag');
  await expect(page.getByTestId('plan-unsaved')).toBeVisible();
  await page.getByTestId('plan-save').click();
  await expect(page.getByTestId('plan-note')).toContainText('Saved');
  const saved = await d.api('/api/plan');
  expect(saved.unplanned).toBe('flag');
  expect(saved.events['add-to-cart']).toEqual({
    description: 'A product put in the cart',
    properties: {
      type: 'object',
      properties: { product: { type: 'string' }, quantity: { type: 'integer', minimum: 1 }, price: { type: 'number', minimum: 0 } },
      required: ['product', 'quantity'],
    },
  });

  // A visit to the shop: two page views and an add-to-cart.
  const context = await visitor(browser);
  const visit = await context.newPage();
  await tracked(visit, () => visit.goto(shop!.url));
  await tracked(visit, () => visit.getByRole('link', { name: 'Products', exact: true }).click());
  await tracked(visit, () => visit.getByRole('button', { name: 'Add to cart' }).first().click(), 'add-to-cart');
  await context.close();
  const [cart] = (await d.api('/api/events?type=add-to-cart')).items;
  expect(cart.metadata.validation).toEqual({ status: 'invalid', errors: [{ path: 'properties.quantity', message: 'is required, but missing' }] });

  // The coverage table: add-to-cart seen and invalid, page-view valid, purchase never seen; what else came is unplanned.
  const row = (type: string) => page.getByTestId('coverage-row').and(page.locator(`[data-type="${type}"]`));
  await expect(row('add-to-cart').getByTestId('coverage-invalid')).toHaveText('1');
  await expect(row('page-view')).toContainText('2');
  await expect(row('purchase').getByTestId('coverage-never')).toBeVisible();
  await page.evaluate(() => window.scrollTo(0, 0));
  await d.shot(page, 'plan');
  await page.locator('#theme').selectOption('dark');
  await d.shot(page, 'plan-dark');
  await page.locator('#theme').selectOption('light');

  // The invalid count opens the Events view filtered to those events, each with its badge and its errors.
  await row('add-to-cart').getByTestId('coverage-invalid').click();
  await expect(page).toHaveURL(/#\/events\?.*validation=invalid/);
  const events = page.getByTestId('event-row');
  await expect(events).toHaveCount(1);
  await expect(events.first().getByTestId('validation-badge')).toHaveAttribute('data-status', 'invalid');
  await events.first().getByTestId('event-open').click();
  await expect(page.getByTestId('plan-errors')).toHaveText('properties.quantity: is required, but missing');
  await d.shot(page, 'plan-events');
  await d.open(page, '#/events?validation=valid');
  await expect(events).toHaveCount(2);
  await expect(page.getByTestId('filter-validation')).toHaveValue('valid');
  await expect(events.first().getByTestId('validation-badge')).toHaveAttribute('data-status', 'valid');

  // The session's timeline: each event with its badge, the broken rule under the add-to-cart.
  await page.goto(`${d.server.url}/#/sessions/${encodeURIComponent(cart.session.id)}`);
  const cartItem = page.getByTestId('timeline-event').and(page.locator('[data-type="add-to-cart"]'));
  await expect(cartItem.getByTestId('validation-badge')).toHaveText(/invalid/);
  await expect(cartItem.getByTestId('plan-errors')).toContainText('properties.quantity: is required, but missing');
  await expect(page.getByTestId('timeline-event').and(page.locator('[data-type="page-view"]')).first().getByTestId('validation-badge')).toHaveAttribute('data-status', 'valid');
  await page.locator('#theme').selectOption('dark');
  await d.shot(page, 'plan-timeline-dark');
  await page.locator('#theme').selectOption('light');

  // Live: an event as it arrives, with its badge.
  await d.open(page, '#/live');
  await expect(page.getByTestId('live-status')).toContainText('Connected');
  expect((await d.track({ source: { id: d.server.source }, session: { id: 'live-plan' }, events: [{ type: 'purchase', properties: { currency: 'GBP' } }] })).body.warnings[0]).toContain("properties.currency: must be one of 'EUR', 'USD', got 'GBP'");
  await expect(page.getByTestId('live-event').and(page.locator('[data-type="purchase"]')).getByTestId('validation-badge')).toHaveAttribute('data-status', 'invalid');
});

test('a draft from the traffic, reviewed and saved; the stored events checked again', async ({ page }) => {
  d = await startDashboard();
  const send = (events: unknown[]) => d!.track({ source: { id: d!.server.source }, session: { id: 'draft-visit' }, events });
  for (const revenue of [10, 12, '9.90', 15, 20]) {
    expect((await send([{ type: 'purchase', properties: { revenue, currency: 'EUR' } }])).status).toBe(200);
  }
  await d.open(page, '#/plan');
  await page.getByTestId('plan-draft-make').click();
  const draft = page.getByTestId('plan-draft');
  await expect(draft.getByTestId('draft-type')).toHaveCount(1);
  await expect(draft.getByTestId('draft-inconsistent')).toHaveText('type inconsistent');
  await expect(draft).toContainText('revenue number | string, required');
  await expect(draft).toContainText('currency string, one of EUR, required');
  await d.shot(page, 'plan-draft');
  await draft.getByTestId('draft-take').click();
  // The union is settled in the form before saving: revenue is a number.
  await expect(page.getByTestId('plan-json-only')).toBeVisible();
  const json = page.getByTestId('plan-type-json');
  const edited = JSON.parse(await json.inputValue());
  edited.properties.properties.revenue = { type: 'number' };
  await json.fill(JSON.stringify(edited));
  await page.getByTestId('plan-type-json-apply').click();
  await expect(page.getByTestId('plan-prop')).toHaveCount(2);
  await page.getByTestId('plan-save').click();
  await expect(page.getByTestId('plan-note')).toContainText('Saved');
  await page.getByTestId('plan-revalidate').click();
  await expect(page.getByTestId('plan-note')).toHaveText(/Checked 5 stored events .*: 4 valid, 1 invalid, 0 unplanned/);
  await expect(page.getByTestId('coverage-row').getByTestId('coverage-invalid')).toHaveText('1');
});

test('a plan from --plan FILE is shown read-only, naming the file, and a bad change of it is said', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'footfall-plan-e2e-'));
  const file = join(dir, 'tracking-plan.json');
  writeFileSync(file, JSON.stringify({ unplanned: 'allow', events: { signup: { description: 'A new account', properties: { type: 'object', required: ['email'] } } } }));
  try {
    d = await startDashboard({ args: ['--plan', file] });
    await d.open(page, '#/plan');
    await expect(page.getByTestId('plan-file')).toContainText(file);
    await expect(page.getByTestId('plan-save')).toHaveCount(0);
    await expect(page.getByTestId('prop-name')).toHaveValue('email');
    await expect(page.getByTestId('prop-name')).toBeDisabled();
    await expect(page.getByTestId('plan-new-type')).toHaveCount(0);
    writeFileSync(file, '{"events": ');
    await expect.poll(async () => (await d!.api('/api/plan')).file.error).toContain('not JSON');
    await page.reload();
    await expect(page.getByTestId('plan-file-error')).toContainText('not JSON');
    await d.shot(page, 'plan-file');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
