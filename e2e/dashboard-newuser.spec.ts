import { expect, test, type Page, type Response } from '@playwright/test';
import { allPages, startDashboard, UA, visit, type Dashboard } from './dashboard-setup';

// What a new user saw wrong (issue 14), each checked as that user would see it: in Chromium,
// over a seeded history, with a few visits of their own sent while the page is open.
const TZ = 'Europe/Warsaw';
test.use({ locale: 'en-US', timezoneId: TZ, viewport: { width: 1366, height: 900 } });

let d: Dashboard;
test.beforeAll(async () => {
  // --session-timeout as a flag: Settings must say that the flag wins at the next start.
  d = await startDashboard({ events: 8000, days: 60, args: ['--session-timeout', '1800'] });
});
test.afterAll(async () => {
  await d?.stop();
});

type Body = { events: Array<Record<string, unknown>> };
const withEvent = (body: object, type: string): object => ({ ...body, events: [...(body as Body).events, { type }] });

async function openLive(page: Page): Promise<void> {
  await d.open(page, '#/live');
  await expect(page.getByTestId('live-status')).toContainText('Connected');
}

/** A range's length in days, from a stats request's parameters. */
const days = (u: URL) => (Date.parse(u.searchParams.get('to') ?? '') - Date.parse(u.searchParams.get('from') ?? '')) / 86_400_000;

function request(page: Page, path: string, match: (u: URL) => boolean = () => true): Promise<Response> {
  return page.waitForResponse((r) => {
    const u = new URL(r.url());
    return u.pathname === path && r.status() === 200 && match(u);
  });
}

const rowIds = (page: Page) => page.getByTestId('session-row').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')));

// ---- 1-3: the Live view ------------------------------------------------------------------

test('Live: a bot’s events, its visit and its end stay out of every list while bots are hidden', async ({ page }) => {
  await openLive(page);
  const src = d.server.source;
  expect((await d.track(visit(src, 'bot-live', 'bot-live-p', UA.crawler, 'https://shop.test/bot-page'))).status).toBe(200);
  await d.api('/api/sessions/bot-live/end', { method: 'POST' });
  // A person's event after it: once it shows, everything about the bot has arrived too.
  const marker = `person-after-${Date.now()}`;
  expect((await d.track(withEvent(visit(src, 'person-live', 'person-live-p', UA.desktop, 'https://shop.test/'), marker))).status).toBe(200);
  await expect(page.getByTestId('live-event').filter({ hasText: marker })).toBeVisible();
  await expect(page.getByTestId('live-event').filter({ hasText: 'bot-live' })).toHaveCount(0);
  await expect(page.getByTestId('live-active')).not.toContainText('bot-live');
  await expect(page.getByTestId('live-ended')).not.toContainText('bot-live');
  // The view says so, and with bots included they are all there: the view kept them.
  await expect(page.getByTestId('hidden-note').first()).toContainText('bot event');
  await page.getByTestId('traffic-bot').check();
  await expect(page.getByTestId('live-event').filter({ hasText: 'bot-live' })).toHaveCount(4); // profile-created, visit-started, page-view, visit-ended
  await expect(page.getByTestId('live-ended')).toContainText('bot-live');
});

test('Live: a visit that arrives through the stream shows its landing page, then where it is now', async ({ page }) => {
  await openLive(page);
  expect((await d.track(visit(d.server.source, 'landing-live', 'landing-p', UA.desktop, 'https://shop.test/about.html'))).status).toBe(200);
  const row = page.getByTestId('live-active').locator('li').filter({ hasText: 'landing-live' });
  await expect(row).toContainText('/about.html');
  const next = { source: { id: d.server.source }, session: { id: 'landing-live' }, events: [{ type: 'page-view', context: { page: { url: 'https://shop.test/cart' } } }] };
  expect((await d.track(next)).status).toBe(200);
  await expect(row).toContainText('/cart');
  await expect(row).toContainText('/about.html');
});

test('Live: opens with the latest events, and keeps them and its stream while another view is shown', async ({ page }) => {
  let streams = 0;
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/live') streams++;
  });
  const before = `before-open-${Date.now()}`;
  expect((await d.track(withEvent(visit(d.server.source, 'backlog-live', 'backlog-p', UA.desktop, 'https://shop.test/'), before))).status).toBe(200);
  await openLive(page);
  await expect(page.getByTestId('live-event').filter({ hasText: before })).toBeVisible();

  await page.getByRole('link', { name: 'Sessions', exact: true }).click();
  await expect(page).toHaveURL(/#\/sessions/);
  const away = `while-away-${Date.now()}`;
  expect((await d.track({ source: { id: d.server.source }, session: { id: 'backlog-live' }, events: [{ type: away }] })).status).toBe(200);
  await page.getByRole('link', { name: 'Live', exact: true }).click();
  await expect(page.getByTestId('live-event').filter({ hasText: away })).toBeVisible();
  await expect(page.getByTestId('live-event').filter({ hasText: before })).toBeVisible();
  expect(streams).toBe(1);
});

// ---- 4: durations ------------------------------------------------------------------------

test('an active visit’s duration runs from its start to its last activity and does not tick; how long ago it was active is shown apart', async ({ page }) => {
  expect((await d.track(visit(d.server.source, 'still-1', 'still-p', UA.desktop, 'https://shop.test/'))).status).toBe(200);
  await d.open(page, '#/sessions?range=90d&status=active');
  const row = page.locator('[data-testid="session-row"][data-id="still-1"]');
  await expect(row.getByTestId('duration')).toHaveText('0s');
  await expect(row.getByTestId('last-active')).toHaveText(/^(just now|\d+s ago)$/);
  // Every active row says what the API says (the seed's active visits are minutes old).
  const api = await d.api(`/api/sessions?status=active&debug=false&bot=false&limit=50&from=${new Date(Date.now() - 90 * 86_400_000).toISOString()}`);
  const shown = await page.getByTestId('session-row').evaluateAll((trs) =>
    trs.map((tr) => [tr.getAttribute('data-id'), tr.querySelector('[data-testid="duration"]')?.textContent]),
  );
  const fmt = (s: number) => {
    const t = Math.round(s);
    return t >= 3600 ? `${Math.floor(t / 3600)}h ${Math.floor((t % 3600) / 60)}m` : t >= 60 ? `${Math.floor(t / 60)}m ${t % 60}s` : `${t}s`;
  };
  expect(Object.fromEntries(shown)).toEqual(Object.fromEntries(api.items.map((s: { id: string; metadata: { time: { duration: number } } }) => [s.id, fmt(s.metadata.time.duration)])));
  // A little later it still lasted 0 s; only "last active" moved on.
  await page.waitForTimeout(2200);
  await expect(row.getByTestId('duration')).toHaveText('0s');
  await expect(row.getByTestId('last-active')).toHaveText(/^\d+s ago$/);

  await page.goto(`${d.server.url}/#/sessions/still-1`);
  await expect(page.getByTestId('session-duration')).toHaveText('0s');
  await expect(page.getByTestId('session-last-active')).toContainText('ago');
  await page.goto(`${d.server.url}/#/live`);
  await expect(page.getByTestId('live-active').locator('li').filter({ hasText: 'still-1' }).getByTestId('duration')).toHaveText('0s');
});

// ---- 5: comparisons ----------------------------------------------------------------------

test('Overview: "This month" compares with the same stretch of last month, and says so', async ({ page }) => {
  // d.open passes the default range (7 days) on its way: wait for the month's request.
  const overview = request(page, '/api/stats/overview', (u) => days(u) > 20);
  await d.open(page, '#/?range=month');
  const q = new URL((await overview).url()).searchParams;
  const want = await page.evaluate(() => {
    const n = new Date();
    const start = new Date(n.getFullYear(), n.getMonth() - 1, 1);
    const same = new Date(n.getFullYear(), n.getMonth() - 1, n.getDate(), n.getHours(), n.getMinutes(), n.getSeconds());
    return { from: start.getTime(), to: Math.min(same.getTime(), new Date(n.getFullYear(), n.getMonth(), 1).getTime()) };
  });
  expect(Date.parse(q.get('compareFrom') ?? '')).toBe(want.from);
  expect(Math.abs(Date.parse(q.get('compareTo') ?? '') - want.to)).toBeLessThan(60_000);
  await expect(page.getByTestId('comparison')).toContainText('the month before, up to the same point');
  const o = await d.api(`/api/stats/overview?${q}`);
  await expect(page.getByTestId('kpi-sessions')).toContainText(`vs ${o.kpis.sessions.previous.toLocaleString('en-US')}`);
});

// ---- 6: Profiles, people only ------------------------------------------------------------

test('Profiles: people only hides the profiles only bots made; with bots included they show, marked', async ({ page }) => {
  expect((await d.track(visit(d.server.source, 'bot-prof-s', 'bot-only-profile', UA.crawler, 'https://shop.test/'))).status).toBe(200);
  // The list's own request, not its count's (limit=1&total=true), which may answer first.
  const listed = request(page, '/api/profiles', (u) => !u.searchParams.has('total'));
  await d.open(page, '#/profiles');
  const q = new URL((await listed).url()).searchParams;
  const api = await d.api(`/api/profiles?${q}`);
  await expect.poll(() => page.getByTestId('profile-row').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-id')))).toEqual(api.items.map((p: { id: string }) => p.id));
  await expect(page.locator('[data-testid="profile-row"][data-id="bot-only-profile"]')).toHaveCount(0);
  expect(api.items.some((p: { metadata: { bot: boolean } }) => p.metadata.bot)).toBe(false);
  await expect(page.getByTestId('hidden-note')).toContainText(/\d+ bot profiles?( and \d+ debug profiles?)? hidden/);
  await page.getByTestId('show-hidden').click();
  const row = page.locator('[data-testid="profile-row"][data-id="bot-only-profile"]');
  await expect(row).toBeVisible();
  await expect(row.locator('.badge.bot')).toBeVisible();
});

// ---- 7, 8: the Sessions list -------------------------------------------------------------

test('Sessions: the page is in the URL, so Back from a session and a reload come back to it', async ({ page }) => {
  await d.open(page, '#/sessions?range=90d');
  await expect(page.getByTestId('session-row').first()).toBeVisible();
  // The page number follows the URL at once; the rows once the page is loaded (the last
  // page's rows stay shown meanwhile): wait for them to change.
  const first = await rowIds(page);
  await page.getByTestId('next-page').click();
  await expect(page.getByText('Page 2', { exact: true })).toBeVisible();
  await expect.poll(() => rowIds(page)).not.toEqual(first);
  const second = await rowIds(page);
  await page.getByTestId('next-page').click();
  await expect(page.getByText('Page 3', { exact: true })).toBeVisible();
  await expect(page).toHaveURL(/cursor=/);
  await expect.poll(() => rowIds(page)).not.toEqual(second);
  const third = await rowIds(page);
  await page.getByTestId('session-row').first().getByTestId('session-link').click();
  await expect(page).toHaveURL(/#\/sessions\/[^?]/);
  await page.goBack();
  await expect(page.getByText('Page 3', { exact: true })).toBeVisible();
  await expect.poll(() => rowIds(page)).toEqual(third);
  await page.reload();
  await expect(page.getByText('Page 3', { exact: true })).toBeVisible();
  await expect.poll(() => rowIds(page)).toEqual(third);
  await page.getByRole('button', { name: '← Previous' }).click();
  await expect(page.getByText('Page 2', { exact: true })).toBeVisible();
  // Another filter is another list: back to its first page.
  await page.getByTestId('filter-status').selectOption('ended');
  await expect(page.getByText('Page 1', { exact: true })).toBeVisible();
  expect(page.url()).not.toContain('cursor=');
});

test('Sessions: rows show session and profile ids (short, whole on hover, copyable), the list counts what matches, and the two sources are named apart', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const other = await d.api('/api/sources', { method: 'POST', body: { name: 'Checkout site', id: 'e2e-checkout' } });
  const sid = 'a-rather-long-session-id-0001';
  const pid = 'a-rather-long-profile-id-0001';
  expect((await d.track(visit(other.id, sid, pid, UA.desktop, 'https://checkout.test/'))).status).toBe(200);
  const listed = request(page, '/api/sessions', (u) => u.searchParams.get('total') === 'true');
  await d.open(page, '#/sessions?range=90d');
  const row = page.locator(`[data-testid="session-row"][data-id="${sid}"]`);
  await expect(row.getByTestId('session-link')).toHaveText('a-rath…-0001');
  await expect(row.getByTestId('session-link')).toHaveAttribute('title', sid);
  await expect(row.getByTestId('profile-link')).toHaveText('a-rath…-0001');
  await expect(row.getByTestId('profile-link')).toHaveAttribute('title', pid);
  await row.getByRole('button', { name: 'Copy session id' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(sid);
  await row.getByRole('button', { name: 'Copy profile id' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(pid);

  // The count is of every matching session, not of the page.
  const q = new URL((await listed).url()).searchParams;
  q.delete('total');
  q.delete('limit');
  const all = await allPages(d, `/api/sessions?${q}`);
  expect(all.length).toBeGreaterThan(50);
  await expect(page.getByTestId('sessions-count')).toHaveText(`${all.length.toLocaleString('en-US')} sessions`);
  await page.getByTestId('filter-status').selectOption('active');
  const active = await allPages(d, `/api/sessions?${q}&status=active`);
  await expect(page.getByTestId('sessions-count')).toHaveText(`${active.length.toLocaleString('en-US')} ${active.length === 1 ? 'session' : 'sessions'}`);

  await expect(page.getByRole('columnheader', { name: 'Traffic source' })).toBeVisible();
  await expect(page.getByLabel('Event source')).toBeVisible();
  await page.goto(`${d.server.url}/#/sessions/${sid}`);
  await expect(page.getByTestId('session-facts').locator('dd[data-label="Event source"]')).toHaveText('Checkout site');
});

// ---- 9: the end of a visit on its timeline -----------------------------------------------

test('Session: the timeline stamps visit-ended with the end the engine recorded, and says when the sweeper noticed', async ({ page }) => {
  const ended = (await d.api('/api/sessions?status=ended&debug=false&bot=false&limit=30')).items as Array<{ id: string; metadata: { endReason: string; time: { end: string } } }>;
  let found: { id: string; end: string; written: string } | null = null;
  for (const s of ended.filter((x) => x.metadata.endReason === 'timeout')) {
    const evs = (await d.api(`/api/events?session=${encodeURIComponent(s.id)}&type=visit-ended`)).items;
    if (evs.length === 1 && Date.parse(evs[0].metadata.time.insert) - Date.parse(s.metadata.time.end) >= 60_000) {
      found = { id: s.id, end: s.metadata.time.end, written: evs[0].metadata.time.insert };
      break;
    }
  }
  expect(found, 'a visit the sweeper ended a while after its last activity').not.toBeNull();
  await d.open(page, `#/sessions/${encodeURIComponent(found!.id)}`);
  const item = page.locator('[data-testid="timeline-event"][data-type="visit-ended"]');
  await expect(item.locator('time').first()).toHaveAttribute('datetime', found!.end);
  const written = await page.evaluate((iso) => new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' }).format(new Date(iso)), found!.written);
  await expect(item).toContainText(`noticed by the sweeper at ${written}`);
});

// ---- 10: small things --------------------------------------------------------------------

test('Overview: the note under a top-10 chart says what the rest are, and shows them on request', async ({ page }) => {
  const types = request(page, '/api/stats/breakdown', (u) => u.searchParams.get('dim') === 'event_type' && days(u) > 80);
  await d.open(page, '#/?range=90d');
  const q = new URL((await types).url()).searchParams;
  q.set('limit', '100');
  const all = await d.api(`/api/stats/breakdown?${q}`);
  expect(all.items.length).toBeGreaterThan(10);
  const rest = all.items.slice(10) as Array<{ value: string; n: number }>;
  const n = rest.reduce((a, x) => a + x.n, 0);
  const panel = page.getByTestId('panel-event_type');
  await expect(panel.getByTestId('other-note')).toContainText(
    `and ${n.toLocaleString('en-US')} more ${n === 1 ? 'event' : 'events'} of ${rest.length === 1 ? '1 other type' : `${rest.length} other types`}`,
  );
  await panel.getByRole('button', { name: `Show all ${all.items.length}` }).click();
  await expect(page.getByTestId('table-event_type').locator('tbody tr')).toHaveCount(all.items.length);
  await expect(page.getByTestId('table-event_type')).toContainText(rest.at(-1)!.value);
});

test('a German browser: numbers in German, durations and other words in the UI’s English', async ({ browser }) => {
  const ctx = await browser.newContext({ locale: 'de-DE', timezoneId: TZ, viewport: { width: 1366, height: 900 } });
  const page = await ctx.newPage();
  try {
    await d.open(page, '#/sessions?range=90d&status=ended&sort=duration');
    await expect(page.getByTestId('session-row').first()).toBeVisible();
    const durations = await page.getByTestId('session-row').getByTestId('duration').allTextContents();
    expect(durations.length).toBeGreaterThan(10);
    for (const t of durations) expect(t).toMatch(/^(\d+h \d+m|\d+m \d+s|\d+s)$/);
    for (const t of await page.getByTestId('session-row').getByTestId('last-active').allTextContents()) expect(t).toMatch(/ ago$|^yesterday$|^just now$/);
    await page.goto(`${d.server.url}/#/?range=90d`);
    await expect(page.getByTestId('kpi-events').locator('[data-value]')).toHaveText(/^\d{1,3}(\.\d{3})+$/);
    await expect(page.getByTestId('kpi-avgDuration').locator('[data-value]')).toHaveText(/^(\d+h \d+m|\d+m \d+s|\d+s)$/);
  } finally {
    await ctx.close();
  }
});

test('at 1366 px the eight key figures fit on one row', async ({ page }) => {
  await d.open(page, '#/');
  const cards = page.locator('[data-testid^="kpi-"]');
  await expect(cards).toHaveCount(8);
  await expect(page.getByTestId('kpi-activeNow').locator('[data-value]')).not.toHaveText('–');
  const tops = await cards.evaluateAll((els) => els.map((e) => Math.round(e.getBoundingClientRect().top)));
  expect(new Set(tops).size, `tops: ${tops.join(', ')}`).toBe(1);
});

test('a range with no data: every chart says so instead of drawing empty axes', async ({ page }) => {
  await d.open(page, '#/?from=2020-01-01&to=2020-01-07');
  await expect(page.getByTestId('kpi-sessions').locator('[data-value]')).toHaveText('0');
  for (const id of ['panel-timeseries', 'panel-event_type', 'panel-browser', 'panel-duration', 'panel-visits-per-profile', 'panel-referrer']) {
    const panel = page.getByTestId(id);
    await expect(panel, id).toContainText('Nothing in this range');
    await expect(panel.locator('canvas'), id).toHaveCount(0);
  }
});

test('Profile: the visit strip of a profile first seen today labels its axis with times, no two alike', async ({ page }) => {
  expect((await d.track(visit(d.server.source, 'fresh-s1', 'fresh-profile', UA.desktop, 'https://shop.test/'))).status).toBe(200);
  await d.open(page, '#/profiles/fresh-profile');
  await expect(page.getByTestId('visit-strip')).toBeVisible();
  const labels = await page.locator('.axis span').allTextContents();
  expect(labels.length).toBeGreaterThanOrEqual(3);
  expect(new Set(labels).size, labels.join(' | ')).toBe(labels.length);
});

test('Overview: "Visits per profile" labels every bucket', async ({ page }) => {
  await d.open(page, '#/?range=90d');
  const chart = page.getByTestId('panel-visits-per-profile').locator('.chart');
  await expect.poll(async () => JSON.parse((await chart.getAttribute('data-ticks')) ?? 'null')).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10+']);
});

test('Simulator: opening it asks for nothing that is not there', async ({ page }) => {
  const missing: string[] = [];
  page.on('response', (r) => {
    if (r.status() === 404) missing.push(r.url());
  });
  await d.open(page, '#/simulator');
  await expect(page.getByTestId('sim-visits')).toContainText('A new profile');
  await page.waitForLoadState('networkidle');
  expect(missing).toEqual([]);
});

test('Settings: a setting given by a flag says that the flag wins again at the next start', async ({ page }) => {
  await d.open(page, '#/settings');
  const note = page.getByTestId('flag-note-sessionTimeout');
  await expect(note).toContainText('--session-timeout');
  await expect(note).toContainText('next start');
  await expect(page.getByTestId('flag-note-sweepInterval')).toHaveCount(0);
});
