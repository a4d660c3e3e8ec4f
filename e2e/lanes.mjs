// What the end-to-end tests and scripts/screenshots.mjs read from, and do on,
// the Deployments tab: its environment lanes, and deploys started in the
// sandbox the way GitHub would run them.
import { openAsGuest, sandboxGithub, waitForEntityPage } from './portal.mjs';

/** A version as lanes name it (Backstage's Link adds ", Opens in a new window" to external links). */
export const VERSION = /^v\d+\.\d+\.\d+/;

/**
 * How long a canary may take to show: the sandbox moves a canary one step a
 * tick (60 s by default, SANDBOX_TICK_MS), and the first step puts 10 % on the
 * new version; then the portal sees it at its next sync (every 30 s).
 */
export const CANARY_WAIT_MS =
  2 * Number(process.env.SANDBOX_TICK_MS ?? 60_000) + 60_000;

export const lane = (page, environment) =>
  page.getByRole('region', { name: `Environment ${environment}` });

/** The version a lane shows as current, e.g. `v1.42.0`. */
export async function currentVersion(laneLocator) {
  const text = await laneLocator
    .getByRole('link', { name: VERSION })
    .first()
    .textContent();
  return text.match(VERSION)?.[0];
}

/** The version of the lane's rollout in flight ("Rolling out: v1.43.0"), if any. */
export async function rollingOutVersion(laneLocator) {
  const line = laneLocator.getByText(/^Rolling out:/);
  if (!(await line.isVisible())) return undefined;
  // The line goes on with the state chip and a time, with no space in between.
  return (await line.textContent()).match(
    /Rolling out:\s*(v\d+\.\d+\.\d+|[0-9a-f]{7})/,
  )?.[1];
}

/**
 * Clicks the tab's Refresh: the sync status bar's, above the lanes (the first
 * on the page; panels further down, such as Promotion skew, have their own).
 */
export async function refresh(page) {
  await page.getByRole('button', { name: 'Refresh' }).first().click();
}

/** Clicks Refresh until `check` answers something truthy; after `timeoutMs` throws `await failure()`. */
export async function refreshUntil(page, timeoutMs, check, failure) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await check();
    if (answer) return answer;
    if (Date.now() > deadline) throw new Error(await failure());
    await refresh(page);
    await page.waitForTimeout(3000);
  }
}

/** Each lane's text, for failure messages. */
export async function lanesText(page) {
  const texts = await page
    .getByRole('region', { name: /^Environment / })
    .evaluateAll(lanes =>
      lanes.map(l => `[${l.getAttribute('aria-label')}] ${l.innerText}`),
    );
  return texts.join('\n').replace(/\n+/g, ' | ');
}

/** Opens a service's Deployments tab and waits until the first sync has filled its lanes. */
export async function openDeploymentsTab(browser, service, options) {
  const page = await openAsGuest(
    browser,
    `/catalog/default/component/${service}`,
    options,
  );
  await waitForEntityPage(page);
  await page.getByRole('tab', { name: 'Deployments' }).click();
  await page.waitForURL(/\/deployments$/);
  // A fresh portal syncs the sandbox a few seconds after start.
  const production = lane(page, 'production');
  await refreshUntil(
    page,
    120_000,
    () => production.getByRole('link', { name: VERSION }).first().isVisible(),
    () => `${service} never showed a production version`,
  );
  return page;
}

/** The environments whose lane shows its traffic split between versions, in lane order. */
export async function environmentsWithTraffic(page) {
  return page
    .getByRole('region', { name: /^Environment / })
    .filter({ has: page.getByRole('group', { name: 'Traffic' }) })
    .evaluateAll(lanes =>
      lanes.map(l => l.getAttribute('aria-label').replace('Environment ', '')),
    );
}

/** The repository's tags, newest first, as `{ name, sha }`. */
export async function tags(repository) {
  const list = await sandboxGithub(
    `/repos/acme/${repository}/tags?per_page=100`,
  );
  return list.map(t => ({ name: t.name, sha: t.commit.sha }));
}

/**
 * Starts a deploy of `repository` into `environment` as a person would: a
 * workflow_dispatch of its deploy.yml with the newest tag that is not
 * `running` (docs/sandbox.md, "Reactions"). For python-service the deploy job
 * updates the environment's SAM stack, and CodeDeploy shifts the alias by a
 * canary. Returns the version sent.
 */
export async function startDeploy(repository, environment, running) {
  const version = (await tags(repository)).find(t => t.name !== running)?.name;
  if (!version)
    throw new Error(`${repository} has no tag other than ${running}`);
  await sandboxGithub(
    `/repos/acme/${repository}/actions/workflows/deploy.yml/dispatches`,
    {
      method: 'POST',
      body: { ref: version, inputs: { environment, version } },
    },
  );
  return version;
}

/**
 * Makes sure one of python-service's lanes shows a canary: an environment
 * already canarying, or else a deploy started into the first of `candidates`
 * with nothing rolling out. Waits (bounded) until a lane shows the split and
 * returns that environment's name.
 */
export async function canaryInProgress(page, candidates = ['staging', 'dev']) {
  const already = await environmentsWithTraffic(page);
  if (already.length > 0) return already[0];
  let started = 'nothing (every candidate lane had a rollout in flight)';
  for (const environment of candidates) {
    const target = lane(page, environment);
    if (await rollingOutVersion(target)) continue;
    const version = await startDeploy(
      'python-service',
      environment,
      await currentVersion(target),
    );
    started = `${version} into ${environment}`;
    break;
  }
  const found = await refreshUntil(
    page,
    CANARY_WAIT_MS,
    async () => (await environmentsWithTraffic(page))[0],
    async () =>
      `no lane of python-service showed a canary's traffic within ${
        CANARY_WAIT_MS / 1000
      } s of starting ${started}; lanes: ${await lanesText(page)}`,
  );
  return found;
}
