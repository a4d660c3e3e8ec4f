import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  ARTIFACTS,
  openAsGuest,
  openBrowser,
  startPortal,
  waitForEntityPage,
} from './portal.mjs';

let portal;
let browser;

before(async () => {
  portal = await startPortal();
  browser = await openBrowser();
});

after(async () => {
  await browser?.close();
  portal?.stop();
});

test('a service page has a Deployments tab that mounts the deployments plugin', async () => {
  const page = await openAsGuest(
    browser,
    '/catalog/default/component/payments-api',
  );
  await waitForEntityPage(page);
  const tab = page.getByRole('tab', { name: 'Deployments' });
  await tab.click();
  await page.waitForURL(/\/deployments$/);

  // The plugin's content is mounted: lanes, or an empty or error state of its own.
  await page
    .locator('main')
    .getByText(/dev|No deployments|Error/)
    .first()
    .waitFor({ timeout: 30_000 });

  await page.screenshot({
    path: join(ARTIFACTS, 'deployments-tab.png'),
    fullPage: true,
  });
});
