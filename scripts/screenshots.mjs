// Screenshots of python-service's Deployments tab with a canary in progress,
// in Backstage's light and dark themes, at 1280×800 and 390×844, into
// docs/images/ (deployments-tab-canary-{light,dark,mobile-light,mobile-dark}.png),
// and the README's docs/images/deployments-tab.png (light, 1280×800).
//
//   node scripts/screenshots.mjs
//
// Uses the portal already running on :3000 and :7007 (`npm start`, with the
// sandbox), or starts one and stops it afterwards. When no lane is canarying,
// it starts a deploy of python-service into staging or dev through the
// sandbox's GitHub API, as the end-to-end tests do, and waits for the canary's
// first step (up to two sandbox ticks).
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  APP_URL,
  BACKEND_URL,
  ROOT,
  openBrowser,
  startPortal,
} from '../e2e/portal.mjs';
import { canaryInProgress, lane, openDeploymentsTab } from '../e2e/lanes.mjs';

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
  for (const shot of SHOTS) {
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
  copyFileSync(join(OUT, SHOTS[0].file), join(OUT, README_SHOT));
  console.log(`[screenshots] ${README_SHOT}: a copy of ${SHOTS[0].file}`);
} finally {
  await browser.close();
  portal?.stop();
}
