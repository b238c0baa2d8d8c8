import { expect, test, type Page, type Response } from '@playwright/test';
import { allPages, startDashboard, UA, visit, type Dashboard } from './dashboard-setup';

// The dashboard over a seeded history, in a browser whose clock is in Warsaw: numbers on
// screen are checked against the stats API, and the stats API against the lists API.
const TZ = 'Europe/Warsaw';
test.use({ locale: 'en-US', timezoneId: TZ, viewport: { width: 1440, height: 1000 } });

let d: Dashboard;
test.beforeAll(async () => {
  d = await startDashboard({ events: 20_000, days: 60 });
  // A few visits happening now: active sessions, one from a phone, one from a campaign.
  const src = d.server.source;
  expect((await d.track(visit(src, 'now-1', 'now-p1', UA.desktop, 'https://shop.test/'))).status).toBe(200);
  expect((await d.track(visit(src, 'now-2', 'now-p2', UA.mobile, 'https://shop.test/products/linen-shirt'))).status).toBe(200);
  expect((await d.track(visit(src, 'now-3', 'now-p1', UA.desktop, 'https://shop.test/?utm_source=news&utm_medium=email&utm_campaign=e2e'))).status).toBe(200);
});
test.afterAll(async () => {
  await d?.stop();
});

/** "1,234" → 1234; "25.6%" → 0.256; "2m 15s" → 135. */
function parseShown(text: string): number {
  const t = text.trim();
  if (t.endsWith('%')) return Number(t.slice(0, -1).replace(/,/g, '')) / 100;
  const dur = /^(?:(\d+)h\s*)?(?:(\d+)m\s*)?(?:(\d+)s)?$/.exec(t);
  if (dur && /[hms]$/.test(t)) return Number(dur[1] ?? 0) * 3600 + Number(dur[2] ?? 0) * 60 + Number(dur[3] ?? 0);
  return Number(t.replace(/,/g, ''));
}

/** The page's own request to a stats path (the parameters it chose: range, tz, traffic). */
function statsRequest(page: Page, path: string, match: (u: URL) => boolean = () => true): Promise<Response> {
  return page.waitForResponse((r) => {
    const u = new URL(r.url());
    return u.pathname === path && r.status() === 200 && match(u);
  });
}

async function expectKpis(page: Page, o: any): Promise<void> { // eslint-disable-line @typescript-eslint/no-explicit-any -- the overview JSON
  const tolerance: Record<string, number> = { avgDuration: 0.51, bounceRate: 0.0006, pagesPerSession: 0.006 };
  for (const [name, k] of Object.entries(o.kpis) as Array<[string, { value: number | null }]>) {
    const el = page.getByTestId(`kpi-${name}`).locator('[data-value]');
    if (k.value === null) {
      await expect(el).toHaveText('–');
      continue;
    }
    await expect(el).not.toHaveText('–');
    const shown = parseShown((await el.textContent()) ?? '');
    expect(Math.abs(shown - k.value), `${name}: shown ${shown}, API ${k.value}`).toBeLessThanOrEqual(tolerance[name] ?? 0);
  }
}

/** Local date parts of an instant in the test's zone. */
function localParts(ms: number): { date: string; time: string } {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const [date, time] = f.format(ms).split(', ');
  return { date: date!, time: time! };
}

function shiftDate(date: string, days: number): string {
  const [y, m, dd] = date.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, dd! + days)).toISOString().slice(0, 10);
}

test('Overview: KPIs and every chart show what the stats API answers, and the stats API agrees with the lists', async ({ page }) => {
  const breakdowns: Response[] = [];
  page.on('response', (r) => {
    if (new URL(r.url()).pathname === '/api/stats/breakdown' && r.status() === 200) breakdowns.push(r);
  });
  const overview = statsRequest(page, '/api/stats/overview');
  await d.open(page, '#/');
  const req = new URL((await overview).url());

  // The default range: the last 7 days, cut at local midnight in the browser's zone.
  expect(req.searchParams.get('tz')).toBe(TZ);
  const from = Date.parse(req.searchParams.get('from')!);
  const to = Date.parse(req.searchParams.get('to')!);
  const today = localParts(Date.now()).date;
  expect(localParts(from)).toEqual({ date: shiftDate(today, -6), time: '00:00' });
  expect(localParts(to)).toEqual({ date: shiftDate(today, 1), time: '00:00' });
  expect(req.searchParams.get('bots')).toBeNull();

  const o = await d.api(`/api/stats/overview?${req.searchParams}`);
  await expectKpis(page, o);
  await expect(page.getByTestId('engaged-rule')).toContainText('≥ 2 page views, or ≥ 10 seconds, or a key event');

  // The stats API against the plain lists: sessions started in the range (people only).
  const range = `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`;
  const sessions = await allPages<any>(d, `/api/sessions?${range}&debug=false&bot=false`); // eslint-disable-line @typescript-eslint/no-explicit-any -- SessionView JSON
  expect(sessions.length).toBeGreaterThan(100);
  expect(o.kpis.sessions.value).toBe(sessions.length);
  expect(o.kpis.visitors.value).toBe(new Set(sessions.map((s) => s.profile.id)).size);
  const ended = sessions.filter((s) => s.metadata.status === 'ended');
  expect(o.endedSessions).toBe(ended.length);
  // Over every session of the range, those still going with their length so far.
  expect(o.kpis.avgDuration.value).toBeCloseTo(sessions.reduce((a, s) => a + s.metadata.time.duration, 0) / sessions.length, 3);
  const active = await allPages(d, '/api/sessions?status=active&debug=false&bot=false');
  expect(o.kpis.activeNow.value).toBe(active.length);
  expect(active.length).toBeGreaterThanOrEqual(3);

  // Charts: each panel's data table holds exactly the API's answer to the panel's request.
  await page.waitForLoadState('networkidle');
  expect(breakdowns.length).toBeGreaterThanOrEqual(13);
  for (const r of breakdowns) {
    const u = new URL(r.url());
    const dim = u.searchParams.get('dim')!;
    const api = await d.api(`/api/stats/breakdown?${u.searchParams}`);
    const cells = await page.getByTestId(`table-${dim}`).locator('td[data-n]').evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-n'))));
    const doughnut = ['browser', 'os', 'device', 'channel'].includes(dim);
    const expected = api.items.map((i: { n: number }) => i.n);
    if (doughnut && api.other > 0) expected.push(api.other);
    expect(cells, `chart ${dim}`).toEqual(expected);
    if (dim === 'event_type') expect(api.items.length).toBeGreaterThanOrEqual(8); // many event types
  }
  const ts = await d.api(`/api/stats/timeseries?${req.searchParams}`);
  const tsRows = await page.getByTestId('table-timeseries').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
  expect(tsRows).toEqual(ts.buckets.map((b: { t: string; sessions: number; newVisitors: number; returning: number }) => [b.t, String(b.sessions), String(b.newVisitors), String(b.returning)]));
  expect(ts.buckets).toHaveLength(7);
  expect(ts.buckets.reduce((a: number, b: { sessions: number }) => a + b.sessions, 0)).toBe(o.kpis.sessions.value);
  const heat = await d.api(`/api/stats/heatmap?${req.searchParams}`);
  const heatCells = await page.getByTestId('heatmap').locator('tbody td .sr-only').allTextContents();
  expect(heatCells.map(parseShown)).toEqual(heat.cells.flat());
  const vpp = await d.api(`/api/stats/visits-per-profile?${req.searchParams}`);
  const vppRows = await page.getByTestId('table-visits-per-profile').locator('td:nth-child(2)').allTextContents();
  expect(vppRows.map(Number)).toEqual(vpp.items.map((i: { profiles: number }) => i.profiles));
  expect(vpp.visitors).toBe(o.kpis.visitors.value);

  await d.shot(page, 'overview');
});

test('the date range: presets and a custom range live in the URL and can be bookmarked', async ({ page }) => {
  await d.open(page, '#/');
  await expect(page.getByTestId('kpi-sessions').locator('[data-value]')).not.toHaveText('–');

  const thirty = statsRequest(page, '/api/stats/overview', (u) => localParts(Date.parse(u.searchParams.get('from')!)).date === shiftDate(localParts(Date.now()).date, -29));
  await page.getByTestId('range-preset').selectOption('30d');
  await expect(page).toHaveURL(/#\/\?range=30d$/);
  const r30 = new URL((await thirty).url());
  await expectKpis(page, await d.api(`/api/stats/overview?${r30.searchParams}`));

  const today = localParts(Date.now()).date;
  const [a, b] = [shiftDate(today, -20), shiftDate(today, -10)];
  await page.getByTestId('range-preset').selectOption('custom');
  await page.getByTestId('range-from').fill(a);
  await page.getByTestId('range-to').fill(b);
  const custom = statsRequest(page, '/api/stats/overview', (u) => localParts(Date.parse(u.searchParams.get('from')!)).date === a);
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(new RegExp(`from=${a}&to=${b}`));
  const rc = new URL((await custom).url());
  expect(localParts(Date.parse(rc.searchParams.get('to')!))).toEqual({ date: shiftDate(b, 1), time: '00:00' });
  const oc = await d.api(`/api/stats/overview?${rc.searchParams}`);
  await expectKpis(page, oc);
  expect(oc.kpis.sessions.value).toBe((await allPages(d, `/api/sessions?from=${rc.searchParams.get('from')}&to=${rc.searchParams.get('to')}&debug=false&bot=false`)).length);
  const shown = await page.getByTestId('kpi-sessions').locator('[data-value]').textContent();

  // The bookmark: the same URL in a fresh page shows the same range and figures.
  const url = page.url();
  const again = await page.context().newPage();
  await again.goto(url);
  await expect(again.getByTestId('kpi-sessions').locator('[data-value]')).toHaveText(shown!);
  await expect(again.getByTestId('range-preset')).toHaveValue('custom');
});

test('the traffic toggle adds bots and debug traffic to charts and lists', async ({ page }) => {
  await d.open(page, '#/?range=90d');
  await expect(page.getByTestId('kpi-events').locator('[data-value]')).not.toHaveText('–');
  const people = parseShown((await page.getByTestId('kpi-events').locator('[data-value]').textContent())!);
  const all = statsRequest(page, '/api/stats/overview', (u) => u.searchParams.get('bots') === 'true' && u.searchParams.get('debug') === 'true');
  await page.getByTestId('include-all').check();
  await expect(page).toHaveURL(/all=1/);
  const o = await d.api(`/api/stats/overview?${new URL((await all).url()).searchParams}`);
  await expectKpis(page, o);
  expect(o.kpis.events.value).toBeGreaterThan(people);

  // Sessions of bots show up in the list only with the toggle on.
  await page.goto(`${d.server.url}/#/sessions?range=90d&all=1&device=bot`);
  const rows = page.getByTestId('session-row');
  await expect(rows.first()).toBeVisible();
  await expect(rows.first().locator('.badge.bot')).toBeVisible();
  await page.getByTestId('include-all').uncheck();
  await expect(page.getByTestId('sessions-table')).toContainText('No sessions match these filters');
});

test('Sessions: rows, every filter, sorting and cursor paging match /api/sessions', async ({ page }) => {
  const listed = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/sessions' && r.status() === 200);
  await d.open(page, '#/sessions?range=30d');
  const rowIds = () => page.getByTestId('session-row').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')));
  const q = new URL((await listed).url()).searchParams;
  expect(q.get('debug')).toBe('false');
  const base = `from=${q.get('from')}&to=${q.get('to')}&debug=false&bot=false`;
  const expectRows = async (extra: string) => {
    const api = await d.api(`/api/sessions?${base}&limit=50${extra}`);
    expect(api.items.length, `API rows for ${extra}`).toBeGreaterThan(0);
    await expect.poll(rowIds).toEqual(api.items.map((s: { id: string }) => s.id));
    return api;
  };
  const first = await expectRows('');
  expect(first.next).not.toBeNull();
  await d.shot(page, 'sessions');

  // Active ones (their durations are start to last activity: dashboard-newuser.spec.ts).
  await page.getByTestId('filter-status').selectOption('active');
  await expect(page).toHaveURL(/status=active/);
  await expectRows('&status=active');
  await expect(page.getByTestId('session-row').first().locator('.badge.active')).toBeVisible();

  await page.getByTestId('filter-status').selectOption('ended');
  await expectRows('&status=ended');
  await page.getByTestId('filter-status').selectOption('');
  await page.getByTestId('filter-device').selectOption('mobile');
  await expect(page).toHaveURL(/device=mobile/);
  await expectRows('&device=mobile');
  expect((await page.getByTestId('session-row').getByTestId('device').allTextContents()).every((t) => t.startsWith('mobile'))).toBe(true);
  await page.getByTestId('filter-channel').selectOption('search');
  await expectRows('&device=mobile&channel=search');
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expectRows('');

  // A second event source with one visit: the source filter finds exactly it.
  const other = await d.api('/api/sources', { method: 'POST', body: { name: 'Second site', id: 'e2e-second' } });
  expect((await d.track(visit(other.id, 'second-site-visit', 'second-p', UA.desktop, 'https://second.test/'))).status).toBe(200);
  await page.reload();
  await page.getByTestId('filter-source').selectOption('e2e-second');
  await expect.poll(rowIds).toEqual(['second-site-visit']);
  await page.getByTestId('filter-source').selectOption('');

  // Sorting by a column header, both ways.
  await page.getByTestId('sort-events').click();
  await expect(page).toHaveURL(/sort=events/);
  await expectRows('&sort=events');
  await expect(page.getByRole('columnheader', { name: /Events/ })).toHaveAttribute('aria-sort', 'descending');
  await page.getByTestId('sort-events').click();
  await expectRows('&sort=events&order=asc');
  await page.getByTestId('sort-duration').click();
  await expectRows('&sort=duration');
  await page.getByTestId('sort-pageViews').click();
  const byViews = await expectRows('&sort=pageViews');

  // Cursor paging: page 2 is the API's next page; back returns to page 1.
  await page.getByTestId('next-page').click();
  await expect(page.getByText('Page 2')).toBeVisible();
  const page2 = await d.api(`/api/sessions?${base}&limit=50&sort=pageViews&cursor=${byViews.next}`);
  await expect.poll(rowIds).toEqual(page2.items.map((s: { id: string }) => s.id));
  await page.getByRole('button', { name: '← Previous' }).click();
  await expect.poll(rowIds).toEqual(byViews.items.map((s: { id: string }) => s.id));
});

test('Session detail: the visit as a timeline beside its context, linked to its profile', async ({ page }) => {
  const [s] = (await d.api('/api/sessions?status=ended&debug=false&bot=false&sort=events&limit=1')).items;
  const events = await allPages<any>(d, `/api/events?session=${encodeURIComponent(s.id)}&order=asc`); // eslint-disable-line @typescript-eslint/no-explicit-any -- EventView JSON
  await d.open(page, '#/sessions?range=90d');
  await page.goto(`${d.server.url}/#/sessions/${encodeURIComponent(s.id)}`);
  await expect(page.getByTestId('session-id')).toHaveText(s.id);
  const items = page.getByTestId('timeline-event');
  await expect(items).toHaveCount(events.length);
  expect(await items.evaluateAll((li) => li.map((x) => x.getAttribute('data-type')))).toEqual(events.map((e) => e.type));
  expect(events.at(-1).type).toBe('visit-ended');
  await expect(items.last()).toContainText(`ended by ${s.metadata.endReason}`);
  await expect(items.filter({ hasText: 'visit-started' })).toHaveCount(1);
  const facts = page.getByTestId('session-facts');
  await expect(facts.locator('dd[data-label="Events"]')).toHaveText(String(s.stats.events));
  await expect(facts.locator('dd[data-label="Page views"]')).toHaveText(String(s.stats.pageViews));
  await expect(page.getByText(s.device.type, { exact: true }).first()).toBeVisible();
  await d.shot(page, 'session-detail');

  await page.getByTestId('profile-link').click();
  await expect(page).toHaveURL(new RegExp(`#/profiles/${encodeURIComponent(s.profile.id)}`));
  await expect(page.getByTestId('profile-id')).toHaveText(s.profile.id);
});

test('Profiles and profile detail: visits, first and last seen, every visit as a list and a strip', async ({ page }) => {
  await d.open(page, '#/profiles?sort=visits');
  const api = await d.api('/api/profiles?limit=50&sort=visits&debug=false&bot=false'); // people only
  const rows = page.getByTestId('profile-row');
  await expect.poll(() => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')))).toEqual(api.items.map((p: { id: string }) => p.id));
  expect(await rows.getByTestId('visits').allTextContents()).toEqual(api.items.map((p: { stats: { visits: number } }) => p.stats.visits.toLocaleString('en-US')));
  await d.shot(page, 'profiles');

  const top = api.items[0];
  expect(top.stats.visits).toBeGreaterThan(3); // people come back in the seed
  await rows.first().getByRole('link').click();
  await expect(page.getByTestId('profile-id')).toHaveText(top.id);
  const facts = page.getByTestId('profile-facts');
  await expect(facts.locator('dd[data-label="Visits"]')).toHaveText(top.metadata.time.visit.count.toLocaleString('en-US'));
  await expect(facts.locator('dd[data-label="Time zone"]')).toHaveText(top.metadata.time.visit.tz);
  const visits = await allPages(d, `/api/sessions?profile=${encodeURIComponent(top.id)}`);
  await expect(page.getByTestId('visit-row')).toHaveCount(visits.length);
  await expect(page.getByTestId('visit-strip').locator('a')).toHaveCount(visits.length);
  await d.shot(page, 'profile-detail');
});

test('Sources: create, rename, disable (the collector then refuses it), and copyable snippets', async ({ page }) => {
  await d.open(page, '#/sources');
  await page.getByTestId('source-name').fill('Staging shop');
  await page.getByTestId('source-create').click();
  const created = page.getByTestId('source-row').filter({ hasText: 'Staging shop' });
  await expect(created).toBeVisible();
  const id = await created.getAttribute('data-id');
  const row = page.locator(`[data-testid="source-row"][data-id="${id}"]`);
  await row.getByTestId('source-rename').click();
  await row.getByTestId('rename-input').fill('Staging shop (EU)');
  await row.getByRole('button', { name: 'Save' }).click();
  await expect(row).toContainText('Staging shop (EU)');
  expect((await d.api(`/api/sources`)).items.find((s: { id: string }) => s.id === id).name).toBe('Staging shop (EU)');

  await row.getByTestId('source-enabled').uncheck();
  await expect(row).toContainText('Disabled');
  await expect.poll(async () => (await d.track(visit(id!, 'to-disabled', 'x', UA.desktop, 'https://shop.test/'))).status).toBe(401);
  await row.getByTestId('source-enabled').check();
  await expect.poll(async () => (await d.track(visit(id!, 'to-enabled', 'x', UA.desktop, 'https://shop.test/'))).status).toBe(200);

  await row.getByRole('button', { name: 'Snippets' }).click();
  await expect(page.getByTestId('snippet-footfall')).toContainText(`data-source="${id}"`);
  await expect(page.getByTestId('snippet-footfall')).toContainText(`${d.server.url}/tracker.js`);
  await expect(page.getByTestId('snippet-tracardi')).toContainText(`source: { id: "${id}" }`);
  await expect(page.getByTestId('snippet-tracardi')).toContainText(`script: "${d.server.url}/tracker"`);
  await d.shot(page, 'sources');
});

test('Settings: timeout and sweep interval take effect without restart; data folder shown', async ({ page }) => {
  await d.open(page, '#/settings');
  await expect(page.getByTestId('data-dir')).toHaveText(d.dataDir);
  await page.getByTestId('setting-timeout').fill('900');
  await page.getByTestId('setting-sweep').fill('5');
  await page.getByTestId('settings-save').click();
  await expect(page.getByText('Saved — in effect now.')).toBeVisible();
  expect(await d.api('/api/settings')).toMatchObject({ sessionTimeout: 900, sweepInterval: 5 });
  await d.shot(page, 'settings');
  await page.getByTestId('setting-timeout').fill('1800');
  await page.getByTestId('setting-sweep').fill('10');
  await page.getByTestId('settings-save').click();
  await expect(page.getByText('Saved — in effect now.')).toBeVisible();
  expect(await d.api('/api/settings')).toMatchObject({ sessionTimeout: 1800, sweepInterval: 10 });
});

test('keyboard: skip link, then the views by Tab and Enter', async ({ page }) => {
  await d.open(page, '#/');
  await page.keyboard.press('Tab');
  await expect(page.getByText('Skip to content')).toBeFocused();
  await page.keyboard.press('Tab'); // the brand link
  await page.keyboard.press('Tab'); // Overview
  await page.keyboard.press('Tab'); // Sessions
  await expect(page.getByRole('link', { name: 'Sessions' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/#\/sessions/);
  await expect(page.getByRole('link', { name: 'Sessions' })).toHaveAttribute('aria-current', 'page');
});

test('dark theme, and nothing is loaded from anywhere but Footfall itself', async ({ page }) => {
  const foreign: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(d.server.url) && !r.url().startsWith('data:')) foreign.push(r.url());
  });
  await d.open(page, '#/');
  await page.selectOption('#theme', 'dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.getByTestId('kpi-sessions').locator('[data-value]')).not.toHaveText('–');
  await page.waitForLoadState('networkidle');
  await d.shot(page, 'overview-dark');
  expect(foreign).toEqual([]);
  const res = await page.request.get(`${d.server.url}/`);
  expect(res.headers()['content-security-policy']).toContain("default-src 'self'");
});
