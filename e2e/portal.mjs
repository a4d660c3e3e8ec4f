// Starts the demo portal (backend on 7007, app on 3000) for end-to-end tests,
// with a fresh embedded database, and opens headless Debian Chromium on it.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '..');
export const APP_URL = 'http://localhost:3000';
export const BACKEND_URL = 'http://localhost:7007';
/** The sandbox standing in for GitHub and AWS (docs/sandbox.md). */
export const SANDBOX_URL = 'http://localhost:7100';
export const ARTIFACTS = join(ROOT, 'e2e-artifacts');

async function waitFor(url, timeoutMs, isDead) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (isDead()) throw new Error(`portal exited before ${url} answered`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

/** Starts `npm start` in its own process group; resolves once app and backend answer. */
export async function startPortal() {
  const dataDir = mkdtempSync(join(tmpdir(), 'stagecraft-e2e-'));
  const output = [];
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    detached: true,
    env: {
      ...process.env,
      BROWSER: 'none',
      APP_CONFIG_backend_database_connection_directory: dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', d => output.push(d.toString()));
  child.stderr.on('data', d => output.push(d.toString()));
  let dead = false;
  child.on('exit', () => {
    dead = true;
  });
  const stop = () => {
    if (!dead) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  try {
    await waitFor(`${BACKEND_URL}/api/deployments/health`, 180_000, () => dead);
    await waitFor(APP_URL, 180_000, () => dead);
  } catch (error) {
    stop();
    throw new Error(
      `${error.message}\n--- portal output ---\n${output
        .join('')
        .slice(-4000)}`,
    );
  }
  return { stop, output };
}

export async function openBrowser() {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * Opens a page of the portal, entering as the guest user when the sign-in page
 * shows. `theme` (`light` or `dark`) is the Backstage theme the app starts
 * with: its AppThemeSelector reads it from localStorage `theme`.
 */
export async function openAsGuest(
  browser,
  path,
  { viewport = { width: 1440, height: 900 }, theme } = {},
) {
  const page = await browser.newPage({ viewport });
  if (theme) {
    await page.addInitScript(id => {
      window.localStorage.setItem('theme', id);
    }, theme);
  }
  await page.goto(`${APP_URL}${path}`);
  const enter = page.getByRole('button', { name: 'Enter' });
  const signedIn = page.locator('main');
  await Promise.race([
    enter.waitFor({ timeout: 60_000 }).catch(() => {}),
    signedIn.waitFor({ timeout: 60_000 }).catch(() => {}),
  ]);
  if (await enter.isVisible()) {
    await enter.click();
  }
  return page;
}

/**
 * Waits until the catalog has ingested the entity shown on the page: a fresh
 * portal reads examples/ a few seconds after start, so reload until its tabs show.
 */
export async function waitForEntityPage(page, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  const overview = page.getByRole('tab', { name: 'Overview' });
  while (Date.now() < deadline) {
    if (await overview.isVisible()) return;
    await page.waitForTimeout(2000);
    if (await overview.isVisible()) return;
    await page.reload();
  }
  throw new Error(`entity page did not load: ${page.url()}`);
}

/**
 * A call to the sandbox's GitHub REST API (`/api/v3`), as the demo's bot:
 * the sandbox takes any token other than a reviewer's as `stagecraft-bot`.
 */
export async function sandboxGithub(path, { method = 'GET', body } = {}) {
  const response = await fetch(`${SANDBOX_URL}/api/v3${path}`, {
    method,
    headers: {
      authorization: 'token sandbox-token',
      accept: 'application/vnd.github+json',
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) {
    throw new Error(
      `sandbox ${method} ${path}: ${response.status} ${await response.text()}`,
    );
  }
  return response.status === 204 ? undefined : response.json();
}
