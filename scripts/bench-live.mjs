// `node scripts/bench-live.mjs`: how long a signed webhook takes to show in
// an open Deployments tab (docs/live-updates-and-notifications.md).
//
// 1. Starts the demo portal with the sandbox (`npm start`, e2e/portal.mjs),
//    with signals installed as in the demo.
// 2. Opens payments-api's Deployments tab in headless Chromium as the guest
//    and waits until the first sync has filled the dev lane.
// 3. BENCH_LIVE_RUNS times: posts one GitHub `deployment_status` delivery,
//    signed with the sandbox's webhook secret, that makes an older version
//    (alternately one of two) the one running in dev, and times from the
//    POST until the dev lane shows it, without touching the page. Polling
//    alone would take up to its interval (30 s, 5 min while signals arrive).
// 4. Prints every run and p50 / p95 / max.
//
// Environment: BENCH_LIVE_RUNS (20), BENCH_LIVE_TIMEOUT_MS (15000),
// GITHUB_WEBHOOK_SECRET (the sandbox's default), CHROMIUM_PATH.
import { createHmac, randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import {
  BACKEND_URL,
  openAsGuest,
  openBrowser,
  startPortal,
  waitForEntityPage,
} from '../e2e/portal.mjs';

const RUNS = Number(process.env.BENCH_LIVE_RUNS ?? 20);
const TIMEOUT_MS = Number(process.env.BENCH_LIVE_TIMEOUT_MS ?? 15_000);
const SECRET = process.env.GITHUB_WEBHOOK_SECRET ?? 'stagecraft-sandbox-secret';
const SANDBOX = `http://localhost:${process.env.SANDBOX_PORT ?? '7100'}/api/v3`;
const REPO = 'acme/payments-api';
const VERSION = /^v\d+\.\d+\.\d+/;

const lane = (page, environment) =>
  page.getByRole('region', { name: `Environment ${environment}` });

async function currentVersion(page) {
  const link = lane(page, 'dev').getByRole('link', { name: VERSION }).first();
  const text =
    (await link.textContent({ timeout: 1000 }).catch(() => '')) ?? '';
  return text.match(VERSION)?.[0];
}

async function sandboxJson(path) {
  const response = await fetch(`${SANDBOX}${path}`, {
    headers: { authorization: 'token sandbox-token' },
  });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
}

/** Two older successful deployments of dev with different tagged versions, as GitHub's REST gives them. */
async function olderDeployments() {
  const deployments = await sandboxJson(
    `/repos/${REPO}/deployments?environment=dev&per_page=30`,
  );
  const picked = [];
  for (const deployment of deployments.slice(1)) {
    if (picked.some(p => p.deployment.sha === deployment.sha)) continue;
    const statuses = await sandboxJson(
      `/repos/${REPO}/deployments/${deployment.id}/statuses`,
    );
    const success = statuses.find(s => s.state === 'success');
    if (success) picked.push({ deployment, status: success });
    if (picked.length === 2) return picked;
  }
  throw new Error('the sandbox has no two older successful dev deployments');
}

/** One signed `deployment_status` delivery: a new deployment of an older version, successful now. */
async function sendWebhook({ deployment, status }, n) {
  const now = new Date().toISOString();
  const id = 900_000_000 + n;
  const repository = await repositoryOnce();
  const body = JSON.stringify({
    action: 'created',
    deployment: { ...deployment, id, created_at: now, updated_at: now },
    deployment_status: {
      ...status,
      id,
      state: 'success',
      created_at: now,
      updated_at: now,
    },
    check_run: null,
    repository,
    sender: deployment.creator,
  });
  const response = await fetch(
    `${BACKEND_URL}/api/deployments/webhooks/github`,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'deployment_status',
        'x-github-delivery': randomUUID(),
        'x-github-hook-id': 'bench-live',
        'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET)
          .update(body, 'utf8')
          .digest('hex')}`,
      },
      body,
    },
  );
  if (!response.ok) {
    throw new Error(
      `webhook answered ${response.status}: ${await response.text()}`,
    );
  }
}

let repository;
async function repositoryOnce() {
  repository ??= await sandboxJson(`/repos/${REPO}`);
  return repository;
}

const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

const portal = await startPortal();
let browser;
try {
  browser = await openBrowser();
  const page = await openAsGuest(
    browser,
    '/catalog/default/component/payments-api',
  );
  await waitForEntityPage(page);
  await page.getByRole('tab', { name: 'Deployments' }).click();
  const firstSync = Date.now() + 120_000;
  while (!(await currentVersion(page))) {
    if (Date.now() > firstSync) throw new Error('dev never showed a version');
    // The sync status bar's Refresh, above the lanes (the skew panel has one too).
    await page.getByRole('button', { name: 'Refresh' }).first().click();
    await page.waitForTimeout(3000);
  }
  const versions = await olderDeployments();
  // Warm-up: the signals connection and the first re-read.
  await sendWebhook(versions[0], 0);
  await page.waitForTimeout(3000);

  const times = [];
  let missed = 0;
  for (let n = 1; n <= RUNS; n++) {
    const before = await currentVersion(page);
    const next = versions[n % 2];
    const started = performance.now();
    await sendWebhook(next, n);
    let seen;
    while (performance.now() - started < TIMEOUT_MS) {
      const now = await currentVersion(page);
      if (now && now !== before) {
        seen = performance.now() - started;
        break;
      }
      await page.waitForTimeout(10);
    }
    if (seen === undefined) {
      missed++;
      console.log(
        `run ${n}: not visible within ${TIMEOUT_MS} ms (still ${before})`,
      );
    } else {
      times.push(seen);
      console.log(
        `run ${n}: ${before} → ${await currentVersion(page)} in ${seen.toFixed(
          0,
        )} ms`,
      );
    }
    await page.waitForTimeout(500);
  }
  const sorted = [...times].sort((a, b) => a - b);
  console.log(
    JSON.stringify(
      {
        runs: RUNS,
        visible: times.length,
        missed,
        p50Ms: Math.round(percentile(sorted, 50)),
        p95Ms: Math.round(percentile(sorted, 95)),
        maxMs: Math.round(sorted[sorted.length - 1]),
        cpus: cpus().length,
        loadavg: loadavg().map(l => Number(l.toFixed(2))),
      },
      null,
      2,
    ),
  );
} finally {
  await browser?.close();
  portal.stop();
}
