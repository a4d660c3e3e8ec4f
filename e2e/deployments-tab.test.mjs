// End to end: the demo portal (`npm start`: backend, app and the GitHub
// sandbox) driven in headless Chromium as the guest user, a member of
// team-payments — an owner of payments-api, not of storefront-web.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  ARTIFACTS,
  openAsGuest,
  openBrowser,
  startPortal,
  waitForEntityPage,
} from './portal.mjs';

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);
// Backstage's Link adds ", Opens in a new window" to the name of external links.
const VERSION = /^v\d+\.\d+\.\d+/;

/** The version a lane shows as current, e.g. `v1.42.0`. */
async function currentVersion(laneLocator) {
  const text = await laneLocator
    .getByRole('link', { name: VERSION })
    .first()
    .textContent();
  return text.match(VERSION)?.[0];
}

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

/** Opens a service's Deployments tab and waits until the first sync has filled its lanes. */
async function openDeploymentsTab(service) {
  const page = await openAsGuest(
    browser,
    `/catalog/default/component/${service}`,
  );
  await waitForEntityPage(page);
  await page.getByRole('tab', { name: 'Deployments' }).click();
  await page.waitForURL(/\/deployments$/);
  const production = lane(page, 'production');
  const deadline = Date.now() + 120_000;
  // A fresh portal syncs the sandbox a few seconds after start.
  while (
    !(await production.getByRole('link', { name: VERSION }).first().isVisible())
  ) {
    if (Date.now() > deadline)
      throw new Error(`${service} never showed a production version`);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.waitForTimeout(3000);
  }
  return page;
}

const lane = (page, environment) =>
  page.getByRole('region', { name: `Environment ${environment}` });

test('a service shows its three environments in promotion order, each with the version it runs', async () => {
  const page = await openDeploymentsTab('payments-api');
  const names = await page
    .getByRole('region', { name: /^Environment / })
    .evaluateAll(lanes => lanes.map(l => l.getAttribute('aria-label')));
  assert.deepEqual(names, [
    'Environment dev',
    'Environment staging',
    'Environment production',
  ]);
  for (const environment of ['dev', 'staging', 'production']) {
    assert.match(
      await currentVersion(lane(page, environment)),
      VERSION,
      `${environment} shows a version`,
    );
  }
  await page.screenshot({
    path: join(ARTIFACTS, 'deployments-tab.png'),
    fullPage: true,
  });
  await page.close();
});

test('the diff between staging and production lists the commits about to ship', async () => {
  const page = await openDeploymentsTab('payments-api');
  await page.getByLabel('From', { exact: true }).selectOption('production');
  await page.getByLabel('To', { exact: true }).selectOption('staging');
  // The sandbox keeps moving: staging may briefly run what production runs.
  const count = page.getByText(/^\d+ commits?$/).first();
  await count.waitFor({ timeout: 30_000 });
  const total = parseInt(await count.textContent(), 10);
  const commits = page.getByRole('list', { name: 'Commits' });
  if (total > 0) {
    await commits.waitFor({ timeout: 30_000 });
    assert.ok(
      (await commits.getByRole('listitem').count()) > 0,
      'the commits are listed',
    );
  } else {
    await page
      .getByText(/run the same commit|behind/)
      .first()
      .waitFor({ timeout: 30_000 });
  }
  await count.scrollIntoViewIfNeeded();
  await page.screenshot({
    path: join(ARTIFACTS, 'diff-staging-production.png'),
  });
  await page.close();
});

test('an owner approves the pending production deployment, which reaches production and the audit log', async () => {
  const page = await openDeploymentsTab('payments-api');
  const production = lane(page, 'production');
  const gate = production.getByRole('group', { name: /^Pending gate for / });
  await gate.waitFor({ timeout: 30_000 });
  const waiting = (await gate.getAttribute('aria-label')).replace(
    'Pending gate for ',
    '',
  );

  await gate.getByRole('button', { name: 'Approve' }).click();
  const dialog = page.getByRole('dialog');
  await dialog
    .getByLabel('Comment')
    .fill('Checked the canary dashboards; ship it.');
  await dialog.getByRole('button', { name: 'Approve' }).click();
  await dialog.getByText(/Approved/).waitFor({ timeout: 30_000 });
  await page.screenshot({ path: join(ARTIFACTS, 'approve-dialog.png') });
  await dialog.getByRole('button', { name: 'Close' }).click();

  // The sandbox resumes the run like GitHub; its webhooks update the store.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const current = await currentVersion(production);
    if (current === waiting) break;
    if (Date.now() > deadline)
      throw new Error(`production still runs ${current}, not ${waiting}`);
    await page.waitForTimeout(3000);
    await page.getByRole('button', { name: 'Refresh' }).click();
  }

  const audit = page.getByRole('table', { name: 'Audit history' });
  await audit.scrollIntoViewIfNeeded();
  await audit
    .getByRole('row', { name: /approve/ })
    .first()
    .waitFor({ timeout: 60_000 });
  const row = await audit
    .getByRole('row', { name: /approve/ })
    .first()
    .textContent();
  assert.match(row, /approved/);
  assert.match(row, /guest/);
  await page.screenshot({
    path: join(ARTIFACTS, 'approved-in-production.png'),
    fullPage: true,
  });
  await page.close();
});

test('a non-owner sees Approve disabled, with the reason', async () => {
  const page = await openDeploymentsTab('storefront-web');
  const gate = lane(page, 'production').getByRole('group', {
    name: /^Pending gate for /,
  });
  await gate.waitFor({ timeout: 30_000 });
  const approve = gate.getByRole('button', { name: 'Approve' });
  assert.equal(await approve.isDisabled(), true);
  const describedBy = await approve.getAttribute('aria-describedby');
  const reason = await page.locator(`[id="${describedBy}"]`).textContent();
  assert.match(reason, /You do not have permission to approve/);
  await page.screenshot({
    path: join(ARTIFACTS, 'non-owner.png'),
    fullPage: true,
  });
  await page.close();
});

test('the Deployments tab has no serious accessibility violations', async () => {
  const page = await openDeploymentsTab('payments-api');
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(document.querySelector('main'));
    return result.violations
      .filter(v => v.impact === 'serious' || v.impact === 'critical')
      .map(
        v =>
          `${v.id} (${v.impact}): ${v.help} — ${v.nodes
            .map(n => `${n.target.join(' ')}: ${n.failureSummary}`)
            .join(' | ')}`,
      );
  });
  assert.deepEqual(violations, []);
  await page.close();
});
