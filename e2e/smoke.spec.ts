import { expect, test } from '@playwright/test';
import { startServer, type ServerHandle } from './server';

let server: ServerHandle;
test.beforeAll(async () => {
  server = await startServer();
});
test.afterAll(async () => {
  expect(await server.stop()).toBe(0);
});

test('the dashboard URL swaps its token for a cookie and shows the collector', async ({ page }) => {
  await page.goto(server.dashboardUrl);
  await expect(page).toHaveURL(`${server.url}/`);
  await expect(page.getByText(server.source).first()).toBeVisible();
  const cookies = await page.context().cookies();
  const c = cookies.find((k) => k.name.startsWith('footfall_token_'));
  expect(c?.httpOnly).toBe(true);
  expect(c?.sameSite).toBe('Strict');
});
