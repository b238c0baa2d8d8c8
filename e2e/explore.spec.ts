import { expect, test, type Locator, type Page } from '@playwright/test';
import { startDashboard, type Dashboard } from './dashboard-setup';

// Explore in the browser, over a seeded history: click-to-filter from charts and tables,
// a funnel and its drop-off opened to a session, paths and retention, light and dark.
test.use({ locale: 'en-US', timezoneId: 'Europe/Warsaw', viewport: { width: 1440, height: 1000 } });

let d: Dashboard;
test.beforeAll(async () => {
  d = await startDashboard({ events: 20_000, days: 60 });
});
test.afterAll(async () => {
  await d?.stop();
});

/** Where a canvas paints `rgb` (the first such pixel, top to bottom): a bar or slice of that colour. */
async function pointOfColour(canvas: Locator, rgb: [number, number, number]): Promise<{ x: number; y: number }> {
  const p = await canvas.evaluate((el, [r, g, b]) => {
    const c = el as HTMLCanvasElement;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const scale = c.width / c.getBoundingClientRect().width;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] === r && data[i + 1] === g && data[i + 2] === b && data[i + 3] === 255) {
        const px = (i / 4) % c.width;
        const py = Math.floor(i / 4 / c.width);
        return { x: px / scale + 3, y: py / scale + 3 };
      }
    }
    return null;
  }, rgb);
  expect(p, 'the chart painted nothing in that colour').not.toBeNull();
  return p!;
}

/** The range the page asked for (from its latest request to `path`). */
async function rangeOf(page: Page, path: string): Promise<string> {
  const q = new URL(await requestOf(page, path)).searchParams;
  return `from=${q.get('from')}&to=${q.get('to')}&tz=Europe/Warsaw`;
}

/** The URL of the page's latest request to `path`. */
async function requestOf(page: Page, path: string): Promise<string> {
  const entries = await page.evaluate((p) => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => new URL(n).pathname === p), path);
  expect(entries.length, `the page asked for ${path}`).toBeGreaterThan(0);
  return entries.at(-1)!;
}

const FIRST_COLOUR: [number, number, number] = [0x63, 0x66, 0xf1]; // PALETTE[0]
const chips = (page: Page) => page.getByTestId('filter-chip');

test('clicking a slice, a bar and a table cell filters every view, with chips in the URL', async ({ page }) => {
  await d.open(page, '#/?range=90d');
  await expect(page.getByTestId('kpi-sessions').locator('[data-value]')).not.toHaveText('–');

  // 1. A slice of the browsers doughnut: the first (largest) one.
  const range = await rangeOf(page, '/api/stats/overview');
  const browser = (await d.api(`/api/stats/breakdown?dim=browser&${range}`)).items[0].value as string;
  const doughnut = page.getByTestId('panel-browser').locator('canvas');
  await doughnut.click({ position: await pointOfColour(doughnut, FIRST_COLOUR) });
  await expect(chips(page)).toHaveCount(1);
  await expect(chips(page).first()).toHaveAttribute('data-value', browser);
  expect(decodeURIComponent(page.url())).toContain(`filter=browser:${browser}`);
  const filtered = await d.api(`/api/stats/overview?${range}&filter=browser:${encodeURIComponent(browser)}`);
  await expect(page.getByTestId('kpi-sessions').locator('[data-value]')).toHaveText(filtered.kpis.sessions.value.toLocaleString('en-US'));

  // 2. A bar of "Events by type": the first type under the browser filter.
  const bars = page.getByTestId('panel-event_type').locator('canvas');
  await expect(page.getByTestId('table-event_type').getByTestId('pick-event_type').first()).toBeAttached();
  const type = await page.getByTestId('table-event_type').getByTestId('pick-event_type').first().getAttribute('data-value');
  await bars.click({ position: await pointOfColour(bars, FIRST_COLOUR) });
  await expect(chips(page)).toHaveCount(2);
  await expect(chips(page).nth(1)).toHaveAttribute('data-value', type!);
  await d.shot(page, 'explore-overview-filtered-light');

  // 3. A cell of the sessions table: the filters follow to the list, and a cell adds one.
  await page.getByRole('link', { name: 'Sessions', exact: true }).click();
  await expect(chips(page)).toHaveCount(2);
  const cell = page.getByTestId('session-row').first().getByTestId('cell-device');
  const device = (await cell.textContent())!.trim();
  await cell.click();
  await expect(chips(page)).toHaveCount(3);
  await expect(chips(page).nth(2)).toHaveAttribute('data-value', device);
  for (const row of await page.getByTestId('session-row').all()) await expect(row.getByTestId('cell-device')).toHaveText(device);
  // The list's download holds what the list shows: the chips go with it.
  const href = (await page.getByTestId('export-ndjson').getAttribute('href'))!;
  expect(new URL(href, d.server.url).searchParams.getAll('filter')).toHaveLength(3);
  const total = Number((await page.getByTestId('sessions-count').textContent())!.replace(/[^\d]/g, ''));
  const exported = (await (await page.request.get(new URL(href, d.server.url).href)).text()).trimEnd().split('\n');
  expect(exported).toHaveLength(total);

  // A chip turns into "is not", and goes.
  await chips(page).nth(2).getByRole('button', { name: 'is' }).click();
  await expect(chips(page).nth(2).getByRole('button', { name: 'is not' })).toBeVisible();
  for (const row of await page.getByTestId('session-row').all()) await expect(row.getByTestId('cell-device')).not.toHaveText(device);
  await chips(page).nth(2).getByRole('button', { name: /Remove filter/ }).click();
  await expect(chips(page)).toHaveCount(2);
});

test('a funnel, saved by name, and its drop-off opened to a session', async ({ page }) => {
  await d.open(page, '#/funnels?range=90d');
  const types = page.getByTestId('step-type');
  await types.nth(0).fill('page-view');
  await types.nth(1).fill('add-to-cart');
  await page.getByTestId('add-step').click();
  await types.nth(2).fill('purchase');
  await page.getByTestId('show-funnel').click();
  const rows = page.getByTestId('funnel-step');
  await expect(rows).toHaveCount(3);
  const body = JSON.parse(new URL(page.url().replace('#/funnels', '')).searchParams.get('steps')!);
  const range = new URL(await requestOf(page, '/api/stats/breakdown')).searchParams;
  const want = await d.api('/api/stats/funnel', { method: 'POST', body: { from: range.get('from'), to: range.get('to'), tz: 'Europe/Warsaw', steps: body, within: 'session' } });
  for (let i = 0; i < 3; i++) await expect(rows.nth(i).getByTestId('step-sessions')).toHaveText(want.steps[i].sessions.toLocaleString('en-US'));
  expect(want.steps[2].sessions).toBeGreaterThan(0);

  await page.getByTestId('funnel-name').fill('Checkout');
  await page.getByTestId('save-funnel').click();
  await expect(page.getByTestId('saved-funnel')).toHaveText(['Checkout']);
  expect((await d.api('/api/funnels')).items).toEqual([expect.objectContaining({ name: 'Checkout', steps: body })]);

  await rows.nth(2).getByTestId('dropoff-button').click();
  const dropped = page.getByTestId('dropoff-session');
  await expect(dropped.first()).toBeVisible();
  await d.shot(page, 'explore-funnel-light');
  await page.locator('#theme').selectOption('dark');
  await d.shot(page, 'explore-funnel-dark');
  await page.locator('#theme').selectOption('light');
  await dropped.first().getByRole('link').click();
  await expect(page).toHaveURL(/#\/sessions\/[^/?]+/);
  // The timeline of that visit: it has an add-to-cart and no purchase.
  const id = decodeURIComponent(/#\/sessions\/([^/?]+)/.exec(page.url())![1]!);
  const events = (await d.api(`/api/events?session=${encodeURIComponent(id)}&limit=500`)).items.map((e: { type: string }) => e.type);
  expect(events).toContain('add-to-cart');
  expect(events).not.toContain('purchase');
  await expect(page.getByText('add-to-cart').first()).toBeVisible();
});

test('the paths flow, and a node that filters to its sessions', async ({ page }) => {
  await d.open(page, `#/paths?range=90d&start=${encodeURIComponent('shop.test/')}&depth=3`);
  const nodes = page.getByTestId('path-node');
  await expect(nodes.first()).toBeVisible();
  const want = await d.api(`/api/stats/paths?${await rangeOf(page, '/api/stats/paths')}&start=${encodeURIComponent('shop.test/')}&depth=3&limit=5`);
  // Drawn: every node with at least 1% of the start's sessions whose parent is drawn.
  const drawn: boolean[] = want.nodes.map(() => false);
  want.nodes.forEach((n: { parent: number | null; sessions: number }, i: number) => {
    drawn[i] = n.parent === null || (drawn[n.parent]! && n.sessions >= want.sessions * 0.01);
  });
  await expect(nodes).toHaveCount(drawn.filter(Boolean).length);
  expect(want.nodes.some((n: { value: string }) => n.value === '(exit)')).toBe(true);
  await d.shot(page, 'explore-paths-light');
  await page.locator('#theme').selectOption('dark');
  await d.shot(page, 'explore-paths-dark');
  await page.locator('#theme').selectOption('light');

  const child = want.nodes.find((n: { depth: number; value: string }) => n.depth === 1 && n.value !== '(exit)' && n.value !== '(other)');
  await page.locator(`[data-testid="path-node"][data-depth="1"][data-value="${child.value}"]`).click();
  await expect(chips(page)).toHaveCount(1);
  await expect(chips(page).first()).toHaveAttribute('data-value', JSON.stringify(['shop.test/', child.value]));
  // Under that filter, every session's path starts there: the root holds exactly them.
  await expect(page.locator('[data-testid="path-node"][data-depth="0"]')).toHaveAttribute('aria-label', `shop.test/: ${child.sessions.toLocaleString('en-US')} sessions`);
});

test('the retention grid, heat-coloured', async ({ page }) => {
  await d.open(page, '#/retention?range=90d');
  const cohorts = page.getByTestId('cohort');
  await expect(cohorts.first()).toBeVisible();
  const want = await d.api(`/api/stats/retention?${await rangeOf(page, '/api/stats/retention')}&interval=week`);
  await expect(cohorts).toHaveCount(want.cohorts.length);
  // The range is 90 days, the history 60: the first cohorts are empty.
  const first = want.cohorts.findIndex((c: { visitors: number }) => c.visitors > 0);
  const c0 = want.cohorts[first];
  const cells = cohorts.nth(first).getByTestId('retention-cell');
  await expect(cells).toHaveCount(c0.returned.length);
  const share = c0.returned[1] / c0.visitors;
  await expect(cells.nth(1)).toHaveText(new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 }).format(share));
  // The colour follows the share: the first column (everyone) is the deepest.
  const level = await cells.nth(1).evaluate((el) => getComputedStyle(el).getPropertyValue('--level'));
  expect(Number(level)).toBeCloseTo(share, 6);
  await d.shot(page, 'explore-retention-light');
  await page.locator('#theme').selectOption('dark');
  await d.shot(page, 'explore-retention-dark');
});

test('event properties: a type, its properties, a number summary', async ({ page }) => {
  await d.open(page, '#/properties?range=90d');
  await page.locator('[data-testid="event-type"][data-value="purchase"]').click();
  await page.locator('[data-testid="property"][data-value="value"]').click();
  await expect(page.getByTestId('number-summary')).toBeVisible();
  await page.locator('#theme').selectOption('dark');
  await d.shot(page, 'explore-events-dark');
  await page.locator('#theme').selectOption('light');
  await d.shot(page, 'explore-events-light');
});
