import { expect, test, type Page } from '@playwright/test';
import { startDashboard, UA, type Dashboard } from './dashboard-setup';

/**
 * Ids are any string a tracker sends (sources: letters, digits and `_ . : -`). The dashboard
 * builds URLs of them: links in the hash, admin API paths. `.` and `..` are dot segments a
 * browser removes from a path (`/api/sessions/..` is fetched as `/api/`), `/ ? # %` mean
 * something in a URL, non-ASCII must be encoded. Each is opened in the dashboard and must
 * show the right thing.
 */

const ODD = ['.', '..', '/', '?', '#', '%', '%2E%2E', 'a/../b', '..%2F', 'zażółć 😀'];
const ODD_SOURCES = ['.', '..', 'a.b', 'x:y'];

let d: Dashboard;
test.beforeAll(async () => {
  d = await startDashboard();
  for (const id of ODD) {
    const r = await d.track({
      source: { id: d.server.source },
      session: { id },
      profile: { id },
      // A person's browser: the lists show people by default, and Node's own agent reads as a bot.
      context: { browser: { userAgent: UA.desktop } },
      events: [{ type: 'page-view', context: { page: { url: 'https://shop.test/' } } }, { type: id }],
    });
    expect(r.status, id).toBe(200);
  }
});
test.afterAll(async () => {
  await d.stop();
});

/** What the API says of the one session of profile `id` (list routes: ids travel in the query). */
async function sessionOf(id: string): Promise<{ id: string; metadata: { status: string } }> {
  const page = await d.api<{ items: Array<{ id: string; metadata: { status: string } }> }>(`/api/sessions?${new URLSearchParams({ profile: id })}`);
  expect(page.items).toHaveLength(1);
  return page.items[0]!;
}

async function noErrors(page: Page): Promise<void> {
  await expect(page.getByRole('alert')).toHaveCount(0);
}

test('profiles, sessions and event types with odd ids open and show themselves', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await d.open(page, '#/profiles');
  for (const id of ODD) {
    await page.goto(`${d.server.url}/#/profiles`);
    await page.getByRole('link', { name: id, exact: true }).click();
    await expect(page.getByTestId('profile-id'), id).toHaveText(id);
    await expect(page.getByTestId('profile-facts'), id).toContainText('Visits');
    // Its one visit, by the link the profile shows.
    await page.getByTestId('visit-row').getByRole('link').click();
    await expect(page.getByTestId('session-id'), id).toHaveText(id);
    await expect(page.locator(`[data-testid=timeline-event][data-type="${id.replace(/["\\]/g, '\\$&')}"]`), id).toHaveCount(1);
    await noErrors(page);
    if (id === '..') await d.shot(page, 'odd-id-session');
    // A write with the id in its path: ending the session.
    await page.getByRole('button', { name: 'End session now' }).click();
    await expect(page.locator('[data-testid=timeline-event][data-type=visit-ended]'), id).toHaveCount(1);
    expect((await sessionOf(id)).metadata.status, id).toBe('ended');
    // And back to the profile, by the session's link.
    await page.getByTestId('profile-link').click();
    await expect(page.getByTestId('profile-id'), id).toHaveText(id);
  }
  expect(errors).toEqual([]);
});

test('a hand-typed hash with a broken escape is a not-found page, not a crash', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await d.open(page, '#/sessions/%E0%A4%A');
  await expect(page.getByText('There is nothing at')).toBeVisible();
  expect(errors).toEqual([]);
});

test('sources with odd ids are renamed, disabled and deleted from the Sources view', async ({ page }) => {
  for (const id of ODD_SOURCES) await d.api('/api/sources', { method: 'POST', body: { id, name: `Source ${id}` } });
  page.on('dialog', (dialog) => void dialog.accept());
  await d.open(page, '#/sources');
  const sources = async () => (await d.api<{ items: Array<{ id: string; name: string; enabled: boolean }> }>('/api/sources')).items;
  for (const id of ODD_SOURCES) {
    const row = page.locator(`[data-testid=source-row][data-id="${id}"]`);
    await row.getByTestId('source-rename').click();
    await row.getByTestId('rename-input').fill(`Renamed ${id}`);
    await row.getByRole('button', { name: 'Save' }).click();
    await expect.poll(async () => (await sources()).find((s) => s.id === id)?.name, id).toBe(`Renamed ${id}`);
    await row.getByTestId('source-enabled').uncheck();
    await expect.poll(async () => (await sources()).find((s) => s.id === id)?.enabled, id).toBe(false);
    await noErrors(page);
    await row.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(async () => (await sources()).some((s) => s.id === id), id).toBe(false);
  }
  await noErrors(page);
});
