// Headless Chromium on the host app: signs in as the guest, opens the
// service's Deployments tab and waits until its environment lanes show
// versions from the first sync. Also opens the approvals page from the sidebar.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const VERSION = /^v\d+\.\d+\.\d+/;

export async function checkDeploymentsTab({
  baseUrl,
  entityPath,
  environments,
  artifactsDir,
  timeoutMs = 240_000,
}) {
  mkdirSync(artifactsDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage({
    viewport: { width: 1440, height: 900 },
  });
  const consoleErrors = [];
  page.on('pageerror', error => consoleErrors.push(error.message));
  page.on('console', message => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  const deadline = Date.now() + timeoutMs;
  const remaining = () => Math.max(1000, deadline - Date.now());
  try {
    await page.goto(`${baseUrl}${entityPath}`);
    const enter = page.getByRole('button', { name: 'Enter' });
    const main = page.locator('main');
    await Promise.race([
      enter.waitFor({ timeout: remaining() }).catch(() => {}),
      main.waitFor({ timeout: remaining() }).catch(() => {}),
    ]);
    if (await enter.isVisible()) await enter.click();

    // The catalog reads examples/ shortly after boot: reload until the tab shows.
    const tab = page.getByRole('tab', { name: 'Deployments' });
    while (!(await tab.isVisible())) {
      if (Date.now() > deadline)
        throw new Error(`no Deployments tab on ${page.url()}`);
      await page.waitForTimeout(3000);
      if (!(await tab.isVisible())) await page.reload();
    }
    await tab.click();
    await page.waitForURL(/\/deployments$/, { timeout: remaining() });

    const lanes = page.getByRole('region', { name: /^Environment / });
    const last = page.getByRole('region', {
      name: `Environment ${environments[environments.length - 1]}`,
    });
    // The first sync lands a few seconds after boot; Refresh asks again.
    while (
      !(await last.getByRole('link', { name: VERSION }).first().isVisible())
    ) {
      if (Date.now() > deadline)
        throw new Error(
          `the lanes never showed a version (lanes: ${await lanes.count()})`,
        );
      // The sync status bar's, above the lanes (the skew panel has one too).
      const refresh = page.getByRole('button', { name: 'Refresh' }).first();
      if (await refresh.isVisible()) await refresh.click();
      await page.waitForTimeout(3000);
    }
    const names = await lanes.evaluateAll(all =>
      all.map(lane => lane.getAttribute('aria-label')),
    );
    const expected = environments.map(env => `Environment ${env}`);
    if (JSON.stringify(names) !== JSON.stringify(expected)) {
      throw new Error(
        `lanes are ${JSON.stringify(names)}, expected ${JSON.stringify(
          expected,
        )}`,
      );
    }
    // docs/install.md step 5 makes the guest an owner: no action may be
    // disabled for a missing permission once the permission checks are done.
    // The guest's ownership travels in its token, issued at sign-in: a
    // sign-in before the catalog had read the guest's group owns nothing yet.
    // Reloading signs in again (a fresh token) until the deadline.
    const checking = page.getByText('Checking your permissions…');
    for (;;) {
      while ((await checking.count()) > 0) {
        if (Date.now() > deadline)
          throw new Error('the permission checks never finished');
        await page.waitForTimeout(500);
      }
      const denied = await page
        .getByText(/You do not have permission to/)
        .count();
      if (denied === 0) break;
      if (Date.now() > deadline) {
        throw new Error(
          `${denied} action(s) say the signed-in guest lacks permission: it does not own the service`,
        );
      }
      await page.waitForTimeout(3000);
      await page.reload();
      await last
        .getByRole('link', { name: VERSION })
        .first()
        .waitFor({ timeout: remaining() });
    }
    await page.screenshot({
      path: join(artifactsDir, 'consumer-deployments-tab.png'),
      fullPage: true,
    });

    // The sidebar entry of docs/install.md leads to the approvals page.
    await page.getByRole('link', { name: 'Approvals' }).first().click();
    await page.waitForURL(/\/deployments\/approvals$/, {
      timeout: remaining(),
    });
    await page.locator('main').waitFor({ timeout: remaining() });
    await page.screenshot({
      path: join(artifactsDir, 'consumer-approvals.png'),
    });
    return { lanes: names, pageErrors: consoleErrors };
  } catch (error) {
    await page
      .screenshot({
        path: join(artifactsDir, 'consumer-failure.png'),
        fullPage: true,
      })
      .catch(() => {});
    if (consoleErrors.length) {
      error.message += `\nbrowser errors:\n  ${consoleErrors
        .slice(-10)
        .join('\n  ')}`;
    }
    throw error;
  } finally {
    await browser.close();
  }
}
