// The desktop app's "port in use" page, in plain Chromium with a stand-in bridge: its CSP
// lets its own script run (the hash is right), and its buttons call the bridge as the
// Electron window's preload would be called. Runs everywhere, Electron or not.
import { expect, test } from '@playwright/test';
import { StartupError } from '../engine/errors';
import { describeStartupFailure, startupPageUrl } from '../electron/main/startup';

interface Calls {
  usePort: number[];
  quit: number;
}

test('the port-in-use page offers the next port and talks to the bridge', async ({ page }) => {
  const problem = describeStartupFailure(new StartupError('Port 8686 on 127.0.0.1 is in use by another program.'), {
    host: '127.0.0.1',
    port: 8686,
    portFree: false,
    suggestedPort: 8687,
  });
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.addInitScript(() => {
    const calls: Calls = { usePort: [], quit: 0 };
    Object.assign(globalThis, {
      calls,
      footfall: {
        desktop: true,
        usePort: async (port: number) => {
          calls.usePort.push(port);
          return { ok: false, message: `Port ${port} on 127.0.0.1 is in use too.`, suggestedPort: port + 1 };
        },
        quit: () => {
          calls.quit++;
        },
      },
    });
  });
  await page.goto(startupPageUrl(problem));
  await expect(page.getByRole('heading', { name: 'Port 8686 is in use' })).toBeVisible();
  await expect(page.locator('#port')).toHaveValue('8687');
  await page.screenshot({ path: test.info().outputPath('startup-page.png') });

  await page.getByRole('button', { name: 'Start on this port' }).click();
  await expect(page.getByRole('status')).toHaveText('Port 8687 on 127.0.0.1 is in use too.');
  await expect(page.locator('#port')).toHaveValue('8688');
  await page.locator('#port').fill('9100');
  await page.getByRole('button', { name: 'Start on this port' }).click();
  await page.getByRole('button', { name: 'Quit Footfall' }).click();
  const calls = await page.evaluate(() => (globalThis as unknown as { calls: Calls }).calls);
  expect(calls).toEqual({ usePort: [8687, 9100], quit: 1 });
  expect(violations).toEqual([]);
});

test('the page refuses to run any script but its own', async ({ page }) => {
  const problem = describeStartupFailure(new Error('<img src=x onerror="document.title=\'pwned\'">'), { host: '127.0.0.1', port: 8686, portFree: true, suggestedPort: null });
  await page.goto(startupPageUrl(problem));
  await expect(page.getByRole('heading', { name: 'Footfall could not start' })).toBeVisible();
  await expect(page.locator('#message')).toContainText('<img src=x');
  expect(await page.title()).not.toBe('pwned');
});
