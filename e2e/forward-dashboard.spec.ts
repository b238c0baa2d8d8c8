import { expect, test } from '@playwright/test';
import { startDashboard, UA, visit, type Dashboard } from './dashboard-setup';

/**
 * Forwarding in the dashboard: the Overview warns while an upstream fails, Settings shows
 * each upstream's state and adds and removes those of the dashboard; no password shows on
 * a page, in an answer or in the log.
 */

const FLAG_PASSWORD = 'flag-Pa55-9c1';
const ADDED_PASSWORD = 'added-Pa55-77e';
let d: Dashboard | null = null;

test.afterEach(async () => {
  await d?.stop();
  d = null;
});

test('an upstream that fails is a warning on the Overview; Settings shows, adds and removes upstreams; no password anywhere', async ({ page }) => {
  // Nothing listens on port 9: this upstream fails from the start.
  d = await startDashboard({ args: ['--forward', `clickhouse+http://team:${FLAG_PASSWORD}@127.0.0.1:9/shop`] });
  const dash = d;
  expect((await dash.track(visit(dash.server.source, 'S1', 'P1', UA.desktop, 'https://shop.test/'))).status).toBe(200);
  const seen: string[] = [];
  page.on('response', async (r) => {
    if (r.url().includes('/api/')) seen.push(await r.text().catch(() => ''));
  });

  await dash.open(page, '#/');
  const warning = page.getByTestId('forwarding-warning');
  await expect(warning).toContainText('Forwarding to clickhouse+http://127.0.0.1:9/shop is failing');
  await expect(warning).toContainText('ECONNREFUSED');
  await expect(warning).toContainText(/\d+ events wait in the outbox/);
  await dash.shot(page, 'forwarding-overview-warning');

  await warning.getByRole('link', { name: 'Forwarding settings' }).click();
  const panel = page.getByTestId('forwarding');
  const rows = panel.getByTestId('upstream');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Failing');
  await expect(rows.first()).toContainText('set with --forward');
  await expect(rows.first().getByRole('button', { name: 'Remove' })).toHaveCount(0);

  // A bad URL is refused with the reason, and its password is not echoed.
  await panel.getByTestId('upstream-url').fill(`track+http://me:${ADDED_PASSWORD}@127.0.0.1:1/track`);
  await panel.getByTestId('upstream-add').click();
  await expect(panel.getByRole('alert')).toContainText('needs ?source=ID');

  // This Footfall's own collector as a track upstream: it takes the events again, stores none twice.
  await panel.getByTestId('upstream-url').fill(`track+http://me:${ADDED_PASSWORD}@127.0.0.1:${new URL(dash.server.url).port}/track?source=${dash.server.source}`);
  await panel.getByTestId('upstream-add').click();
  await expect(rows).toHaveCount(2);
  const added = rows.filter({ hasText: 'Tracardi /track' });
  await expect(added).toContainText('Up to date', { timeout: 15_000 });
  await expect(added).toContainText(`track+http://127.0.0.1:${new URL(dash.server.url).port}/track?source=${dash.server.source}`);
  await dash.shot(page, 'forwarding-settings');

  page.once('dialog', (dialog) => void dialog.accept());
  await added.getByRole('button', { name: 'Remove' }).click();
  await expect(rows).toHaveCount(1);

  const html = await page.content();
  for (const secret of [FLAG_PASSWORD, ADDED_PASSWORD]) {
    expect(html).not.toContain(secret);
    expect(seen.join('\n')).not.toContain(secret);
    expect(dash.server.output.join('\n')).not.toContain(secret);
  }
  expect(dash.server.output.join('\n')).toContain('Forwarding to clickhouse+http://127.0.0.1:9/shop failed');
});
