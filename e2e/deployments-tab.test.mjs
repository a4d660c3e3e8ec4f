// End to end: the demo portal (`npm start`: backend, app and the sandbox
// standing in for GitHub and AWS) driven in headless Chromium as the guest
// user, a member of team-payments — an owner of payments-api and
// python-service, not of storefront-web.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ARTIFACTS, openBrowser, startPortal } from './portal.mjs';
import {
  CANARY_WAIT_MS,
  VERSION,
  canaryInProgress,
  currentVersion,
  lane,
  lanesText,
  openDeploymentsTab as openTab,
  refresh,
  refreshUntil,
  rollingOutVersion,
  startDeploy,
  tags,
} from './lanes.mjs';

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

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

const openDeploymentsTab = service => openTab(browser, service);

/** axe-core's serious and critical violations in the page's main landmark, one line each. */
async function seriousViolations(page) {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
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
}

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
    await refresh(page);
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

  // The approval recorded its release evidence: the version and its commits.
  await audit
    .getByRole('row', { name: /approve/ })
    .first()
    .getByRole('button', { name: /^Evidence of approve/ })
    .click();
  const evidence = page.getByRole('dialog');
  await evidence
    .getByRole('heading', { name: /^Release evidence: approve / })
    .waitFor({ timeout: 30_000 });
  assert.ok(
    (await evidence.getByRole('heading').first().textContent()).includes(
      `approve ${waiting} to production`,
    ),
    'the evidence names the approved version',
  );
  const commits = evidence.getByRole('table', { name: 'Commits' });
  await commits.waitFor({ timeout: 30_000 });
  assert.ok(
    (await commits.getByRole('row').count()) > 1,
    'the evidence lists the commits the approval ships',
  );
  await evidence.getByText(/^SHA-256 /).waitFor();
  await page.screenshot({ path: join(ARTIFACTS, 'release-evidence.png') });
  await evidence.getByRole('button', { name: 'Close' }).click();
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
  assert.deepEqual(await seriousViolations(page), []);
  await page.close();
});

/** A version as a traffic share may name it: by its tag, or by its commit. */
async function namesOf(repository, version) {
  const sha = (await tags(repository)).find(t => t.name === version)?.sha;
  return sha ? [version, sha.slice(0, 7)] : [version];
}

// The environment whose canary the first canary test saw; the abort test
// stops a second one, in another environment.
let firstCanary;

test('a canary in progress shows how its traffic is shared between the new version and the live one', async () => {
  const page = await openDeploymentsTab('python-service');
  const environment = await canaryInProgress(page);
  firstCanary = environment;
  const target = lane(page, environment);
  const traffic = target.getByRole('group', { name: 'Traffic' });
  const words = (await traffic.textContent()).trim();
  // Shares go smallest first; a version is named by its tag, commit or artifact.
  const split = words.match(/^10% (.+) \(canary\) · 90% (.+) \(live\)$/);
  assert.ok(
    split,
    `the canary's first step, 10 % on the new version: '${words}'`,
  );
  const [, canary, live] = split;
  const rollingOut = await rollingOutVersion(target);
  const running = await currentVersion(target);
  assert.ok(
    (await namesOf('python-service', rollingOut)).includes(canary),
    `the canary share names the version rolling out (${rollingOut}), not '${canary}'`,
  );
  assert.ok(
    (await namesOf('python-service', running)).includes(live),
    `the live share names the version running (${running}), not '${live}'`,
  );
  assert.match(
    await target.textContent(),
    /canary, step 1 of 2/,
    'the strategy line says which step the canary is at',
  );
  assert.deepEqual(
    await seriousViolations(page),
    [],
    'no serious accessibility violations during the canary',
  );
  await traffic.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ARTIFACTS, 'canary-in-progress.png') });
  await page.close();
});

test('an owner aborts a second canary: the traffic goes back, the lane says it runs the previous version after a rollback, and the audit log has the abort', async () => {
  const page = await openDeploymentsTab('python-service');
  const environment = firstCanary === 'dev' ? 'staging' : 'dev';
  const target = lane(page, environment);
  const running = await currentVersion(target);
  // A push may already be rolling out there: then that is the canary to stop.
  const started = (await rollingOutVersion(target))
    ? undefined
    : await startDeploy('python-service', environment, running);
  const traffic = target.getByRole('group', { name: 'Traffic' });
  await refreshUntil(
    page,
    CANARY_WAIT_MS,
    () => traffic.isVisible(),
    async () =>
      `${environment} showed no canary within ${CANARY_WAIT_MS / 1000} s${
        started ? ` of starting ${started}` : ''
      }; lanes: ${await lanesText(page)}`,
  );
  const stopped = await rollingOutVersion(target);
  assert.ok(stopped, `${environment} says what is rolling out`);

  await target.getByRole('button', { name: 'Abort rollout' }).click();
  const dialog = page.getByRole('dialog');
  const comment = 'Error rate on the canary is climbing; stopping it.';
  await dialog.getByLabel('Comment').fill(comment);
  await dialog.getByRole('button', { name: 'Abort rollout' }).click();
  await dialog.getByText(/handed to the provider/).waitFor({ timeout: 30_000 });
  await page.screenshot({ path: join(ARTIFACTS, 'abort-dialog.png') });
  await dialog.getByRole('button', { name: 'Close' }).click();

  // CodeDeploy rolls the traffic back; the sandbox's SNS messages tell the portal.
  const note = target.getByRole('group', { name: 'Rollback' });
  await refreshUntil(
    page,
    60_000,
    async () => (await note.isVisible()) && !(await traffic.isVisible()),
    async () =>
      `${environment} did not show the roll back of ${stopped} within 60 s; lane: ${await target.innerText()}`,
  );
  const said = await note.textContent();
  assert.match(said, new RegExp(`Running ${running} after a rollback`));
  assert.match(said, new RegExp(`${stopped}: rolled back`));
  assert.equal(await currentVersion(target), running);

  const audit = page.getByRole('table', { name: 'Audit history' });
  await audit.scrollIntoViewIfNeeded();
  const row = audit.getByRole('row', { name: /abort/ }).first();
  await row.waitFor({ timeout: 60_000 });
  const entry = await row.textContent();
  assert.match(entry, /executed/);
  assert.match(entry, new RegExp(environment));
  assert.match(entry, new RegExp(stopped));
  assert.match(entry, /guest/);
  assert.ok(
    entry.includes(comment),
    `the comment is in the audit log: ${entry}`,
  );
  await note.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(ARTIFACTS, 'canary-aborted.png') });
  await page.close();
});
