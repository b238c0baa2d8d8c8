import { readFileSync } from 'node:fs';
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

test('the README shows what `npm run serve` prints at start, line for line', async () => {
  const readme = readFileSync('README.md', 'utf8');
  const block = /`npm run serve` prints[^\n]*\n\n```\n([\s\S]*?)```/.exec(readme);
  expect(block, 'the README has the block').not.toBeNull();
  const shown = block![1]!.trim().split('\n');
  // Stopped, the lines before the stop are exactly what it printed at start.
  const own = await startServer();
  await own.stop();
  const stopAt = own.output.findIndex((l) => l.startsWith('SIGTERM'));
  expect(stopAt, `it said it was stopping: ${own.output.join(' | ')}`).toBeGreaterThan(0);
  const printed = own.output.slice(0, stopAt);
  expect(printed).toHaveLength(shown.length);
  shown.forEach((line, i) => {
    // `…` stands for what differs from run to run; the README's port is the default one.
    const pattern = line.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(':8686', ':\\d+')).join('.+');
    expect(printed[i]).toMatch(new RegExp(`^${pattern}$`));
  });
});
