// Screenshots for the docs, in Backstage's light and dark themes, into
// docs/images/:
//
// - canary: python-service's Deployments tab with a canary in progress, at
//   1280×800 and 390×844 (deployments-tab-canary-{light,dark,mobile-light,
//   mobile-dark}.png), and the README's deployments-tab.png (light, 1280×800);
// - metrics: payments-api's delivery metrics panel, 1280×800
//   (deployments-metrics-{light,dark}.png, docs/metrics.md);
// - evidence: the release evidence of payments-api's latest audit entry that
//   has some, 1280×800 (release-evidence-{light,dark}.png, docs/policies.md).
//   With none yet, it approves the pending production deployment as the
//   guest, as the end-to-end tests do.
// - windows: ledger-worker's production lane with its CodePipeline deployment
//   window and the promotion timeline's first freeze band, in both themes at
//   1280×800 and 390×844 (deployment-window-{lane,timeline}-{light,dark}[-mobile].png,
//   docs/policies.md), each checked with axe-core (serious and critical
//   violations in the page's main landmark are printed and fail the run).
//
//   node scripts/screenshots.mjs                     # all of them
//   node scripts/screenshots.mjs metrics evidence    # some
//   node scripts/screenshots.mjs windows
//
// Uses the portal already running on :3000 and :7007 (`npm start`, with the
// sandbox), or starts one and stops it afterwards. When no lane is canarying,
// it starts a deploy of python-service into staging or dev through the
// sandbox's GitHub API, as the end-to-end tests do, and waits for the canary's
// first step (up to two sandbox ticks).
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  APP_URL,
  BACKEND_URL,
  ROOT,
  openAsGuest,
  openBrowser,
  startPortal,
  waitForEntityPage,
} from '../e2e/portal.mjs';
import { canaryInProgress, lane, openDeploymentsTab } from '../e2e/lanes.mjs';

const SETS = ['canary', 'metrics', 'evidence', 'windows'];
const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!SETS.includes(name))
    throw new Error(`unknown set '${name}': choose from ${SETS.join(', ')}`);
}
const take = name => wanted.length === 0 || wanted.includes(name);
const THEMES = ['light', 'dark'];

const OUT = join(ROOT, 'docs', 'images');
const DESKTOP = { width: 1280, height: 800 };
const MOBILE = { width: 390, height: 844 };
const SHOTS = [
  {
    file: 'deployments-tab-canary-light.png',
    theme: 'light',
    viewport: DESKTOP,
  },
  { file: 'deployments-tab-canary-dark.png', theme: 'dark', viewport: DESKTOP },
  {
    file: 'deployments-tab-canary-mobile-light.png',
    theme: 'light',
    viewport: MOBILE,
  },
  {
    file: 'deployments-tab-canary-mobile-dark.png',
    theme: 'dark',
    viewport: MOBILE,
  },
];
const README_SHOT = 'deployments-tab.png';

/** Scrolls the card whose title is `title` to the top of the window, with a little space above. */
async function scrollToCard(page, title) {
  const heading = page.getByText(title, { exact: true }).first();
  await heading.waitFor({ timeout: 60_000 });
  await heading.evaluate(h => {
    (h.closest('[class*="MuiCard-root"]') ?? h).scrollIntoView({
      block: 'start',
    });
    // Backstage scrolls its content area, not the window.
    let box = h.parentElement;
    while (box && !(box.scrollTop > 0)) box = box.parentElement;
    if (box) box.scrollTop -= 12;
  });
}

async function metricsShots(browser) {
  for (const theme of THEMES) {
    const file = `deployments-metrics-${theme}.png`;
    const page = await openDeploymentsTab(browser, 'payments-api', {
      viewport: DESKTOP,
      theme,
    });
    await page
      .getByRole('button', { name: /^Deployment frequency: / })
      .first()
      .waitFor({ timeout: 60_000 });
    await scrollToCard(page, 'Delivery metrics');
    // The charts animate in.
    await page.waitForTimeout(1500);
    await page.screenshot({ path: join(OUT, file) });
    console.log(`[screenshots] ${file}`);
    await page.close();
  }
}

/** An Evidence control of payments-api's audit log, approving the pending production deployment when there is none. */
async function evidenceButton(page) {
  const audit = page.getByRole('table', { name: 'Audit history' });
  const button = audit.getByRole('button', { name: /^Evidence of / }).first();
  await audit
    .or(page.getByText('No audit entries'))
    .first()
    .waitFor({ timeout: 60_000 });
  if (await button.isVisible()) return button;
  const gate = lane(page, 'production').getByRole('group', {
    name: /^Pending gate for /,
  });
  await gate.waitFor({ timeout: 60_000 });
  await gate.getByRole('button', { name: 'Approve' }).click();
  const dialog = page.getByRole('dialog');
  await dialog
    .getByLabel('Comment')
    .fill('Checked the canary dashboards; ship it.');
  await dialog.getByRole('button', { name: 'Approve' }).click();
  await dialog.getByText(/Approved/).waitFor({ timeout: 30_000 });
  await dialog.getByRole('button', { name: 'Close' }).click();
  console.log('[screenshots] approved the pending production deployment');
  await button.waitFor({ timeout: 60_000 });
  return button;
}

async function evidenceShots(browser) {
  for (const theme of THEMES) {
    const file = `release-evidence-${theme}.png`;
    const page = await openDeploymentsTab(browser, 'payments-api', {
      viewport: DESKTOP,
      theme,
    });
    const button = await evidenceButton(page);
    await button.scrollIntoViewIfNeeded();
    await button.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(/^SHA-256 /).waitFor({ timeout: 30_000 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(OUT, file) });
    console.log(
      `[screenshots] ${file}: ${await dialog
        .getByRole('heading')
        .first()
        .textContent()}`,
    );
    await page.close();
  }
}

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/**
 * axe-core's serious and critical violations in the page's main landmark,
 * leaving out Backstage's own entity tabs (its unselected tab label reads
 * 2.6:1 on white once the page is scrolled: the app's, not this plugin's).
 */
async function seriousViolations(page) {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const result = await axe.run({
      include: [['main']],
      exclude: [['[data-testid^="header-tab"]']],
    });
    return result.violations
      .filter(v => v.impact === 'serious' || v.impact === 'critical')
      .map(
        v =>
          `${v.id} (${v.impact}): ${v.nodes
            .map(n => `${n.target.join(' ')}: ${n.failureSummary}`)
            .join(' | ')}`,
      );
  });
}

/** ledger-worker's CodePipeline window on its production lane, and the timeline's freeze bands. */
async function windowShots(browser) {
  const problems = [];
  for (const theme of THEMES) {
    for (const [suffix, viewport] of [
      ['', DESKTOP],
      ['-mobile', MOBILE],
    ]) {
      // ledger-worker's versions are commits, not tags: wait for the notice itself.
      const page = await openAsGuest(
        browser,
        '/catalog/default/component/ledger-worker',
        { viewport, theme },
      );
      await waitForEntityPage(page);
      await page.getByRole('tab', { name: 'Deployments' }).click();
      const notice = lane(page, 'production')
        .getByText(/CodePipeline\)|CodePipeline deployment window/)
        .first();
      await notice.waitFor({ timeout: 60_000 });
      await notice.evaluate(n => n.scrollIntoView({ block: 'center' }));
      await page.waitForTimeout(500);
      const laneFile = `deployment-window-lane-${theme}${suffix}.png`;
      await page.screenshot({ path: join(OUT, laneFile) });
      console.log(`[screenshots] ${laneFile}: ${await notice.innerText()}`);
      const band = page.getByRole('row', { name: 'Freeze window' }).first();
      await band.waitFor({ timeout: 60_000 });
      await band.evaluate(b => b.scrollIntoView({ block: 'center' }));
      await page.waitForTimeout(500);
      const timelineFile = `deployment-window-timeline-${theme}${suffix}.png`;
      await page.screenshot({ path: join(OUT, timelineFile) });
      console.log(`[screenshots] ${timelineFile}: ${await band.innerText()}`);
      for (const violation of await seriousViolations(page)) {
        problems.push(`${theme}${suffix}: ${violation}`);
      }
      await page.close();
    }
  }
  if (problems.length > 0) {
    throw new Error(`axe-core found:\n${problems.join('\n')}`);
  }
}

async function answers(url) {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

const running =
  (await answers(`${BACKEND_URL}/api/deployments/health`)) &&
  (await answers(APP_URL));
if (!running) console.log('[screenshots] no portal running: starting one');
const portal = running ? undefined : await startPortal();
const browser = await openBrowser();
try {
  mkdirSync(OUT, { recursive: true });
  if (take('metrics')) await metricsShots(browser);
  if (take('evidence')) await evidenceShots(browser);
  if (take('windows')) await windowShots(browser);
  for (const shot of take('canary') ? SHOTS : []) {
    const page = await openDeploymentsTab(browser, 'python-service', {
      viewport: shot.viewport,
      theme: shot.theme,
    });
    // Each shot asks again: a canary bakes for five sandbox ticks, then ends.
    const environment = await canaryInProgress(page);
    const traffic = lane(page, environment).getByRole('group', {
      name: 'Traffic',
    });
    await page
      .getByRole('progressbar')
      .first()
      .waitFor({ state: 'detached', timeout: 30_000 })
      .catch(() => {});
    if (shot.viewport === MOBILE) {
      // One lane fills the width: show the canarying one from its top.
      await lane(page, environment).evaluate(section =>
        section.scrollIntoView({ block: 'start' }),
      );
    } else {
      // The header and the lanes; scrolled only as far as the canary's traffic split needs.
      await traffic.evaluate(group => {
        if (group.getBoundingClientRect().bottom > window.innerHeight - 16)
          group.scrollIntoView({ block: 'end' });
      });
    }
    await page.waitForTimeout(500);
    const path = join(OUT, shot.file);
    await page.screenshot({ path });
    console.log(
      `[screenshots] ${shot.file}: ${environment} canarying (${(
        await traffic.textContent()
      ).trim()})`,
    );
    await page.close();
  }
  if (take('canary')) {
    copyFileSync(join(OUT, SHOTS[0].file), join(OUT, README_SHOT));
    console.log(`[screenshots] ${README_SHOT}: a copy of ${SHOTS[0].file}`);
  }
} finally {
  await browser.close();
  portal?.stop();
}
