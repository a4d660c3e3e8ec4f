#!/usr/bin/env node
// The consumer test: `npm run test:consumer [-- --skip-tsc] [--packs <dir>] [--reuse-app]`.
// Packs the publishable plugins, writes a pristine legacy Backstage app from
// create-app's template, installs it, then follows docs/install.md in it —
// tarball install, every marked snippet, the policy of docs/permissions.md —
// type-checks it, builds its frontend, boots its backend against the GitHub
// sandbox and opens a service's Deployments tab in headless Chromium until the
// lanes show. Prints each step's time and the time from the installed pristine
// app to the working tab. Work folder: $STAGECRAFT_CONSUMER_DIR or
// <tmp>/stagecraft-consumer (kept for inspection; the app is rewritten each run).
import { execFileSync, spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { checkDeploymentsTab } from './browserCheck.mjs';
import { readDocSnippets } from './docSnippets.mjs';
import { applyInstallDocs, runInstallCommands } from './followInstallDocs.mjs';
import { createHostApp } from './hostApp.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const WORK = resolve(
  process.env.STAGECRAFT_CONSUMER_DIR ?? join(tmpdir(), 'stagecraft-consumer'),
);
const APP = join(WORK, 'app');
const BACKEND_PORT = Number(process.env.CONSUMER_BACKEND_PORT ?? 7077);
const SANDBOX_PORT = Number(process.env.CONSUMER_SANDBOX_PORT ?? 7177);
const BASE_URL = `http://localhost:${BACKEND_PORT}`;
const WEBHOOK_SECRET = 'consumer-test-webhook-secret';
const ENTITY = '/catalog/default/component/payments-api';
const ENVIRONMENTS = ['dev', 'staging', 'production'];
const args = process.argv.slice(2);
const packsArg = args.indexOf('--packs');

const timings = [];
const log = message => console.log(`[consumer] ${message}`);
async function step(name, fn) {
  const started = Date.now();
  log(`${name} ...`);
  const result = await fn();
  const seconds = (Date.now() - started) / 1000;
  timings.push({ name, seconds });
  log(`${name}: ${seconds.toFixed(1)} s`);
  return result;
}

function sh(cmd, cmdArgs, cwd, env = {}) {
  execFileSync(cmd, cmdArgs, {
    cwd,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
}

const children = [];
function startProcess(name, cmd, cmdArgs, cwd, env) {
  const output = [];
  const child = spawn(cmd, cmdArgs, {
    cwd,
    detached: true,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', d => output.push(d.toString()));
  child.stderr.on('data', d => output.push(d.toString()));
  const state = { name, child, output, exited: false };
  child.on('exit', code => {
    state.exited = true;
    state.code = code;
  });
  children.push(state);
  return state;
}

function stopAll() {
  const artifacts = join(ROOT, 'e2e-artifacts');
  mkdirSync(artifacts, { recursive: true });
  for (const { name, output } of children) {
    writeFileSync(join(artifacts, `consumer-${name}.log`), output.join(''));
  }
  for (const { child, exited } of children) {
    if (!exited) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  }
}

function tail(state) {
  return `--- ${state.name} output ---\n${state.output.join('').slice(-6000)}`;
}

async function waitForUrl(url, state, timeoutMs, { anyStatus = false } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (state.exited) {
      throw new Error(
        `${state.name} exited (${state.code}) before ${url} answered\n${tail(
          state,
        )}`,
      );
    }
    try {
      const response = await fetch(url);
      if (response.ok || anyStatus) return;
    } catch {
      // not up yet
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(
    `${url} did not answer in ${timeoutMs / 1000} s\n${tail(state)}`,
  );
}

/**
 * docs/install.md names the secret's variable; the backend here runs with
 * exactly that variable set, so a delivery signed with its value must pass
 * the signature check and one signed with anything else must not.
 */
async function checkWebhookSecret() {
  const body = JSON.stringify({
    zen: 'Keep it logically awesome.',
    hook_id: 1,
  });
  const post = secret =>
    fetch(`${BASE_URL}/api/deployments/webhooks/github`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'ping',
        'x-github-delivery': randomUUID(),
        'x-hub-signature-256': `sha256=${createHmac('sha256', secret)
          .update(body)
          .digest('hex')}`,
      },
      body,
    });
  const genuine = await post(WEBHOOK_SECRET);
  if (genuine.status >= 300) {
    throw new Error(
      `a delivery signed with GITHUB_WEBHOOK_SECRET got ${
        genuine.status
      }: ${await genuine.text()}`,
    );
  }
  const forged = await post('not-the-secret');
  if (forged.status !== 401) {
    throw new Error(`a forged delivery got ${forged.status}, expected 401`);
  }
}

/** The version of a package in this repository's lockfile. */
function lockVersion(name) {
  const lock = JSON.parse(
    readFileSync(join(ROOT, 'package-lock.json'), 'utf8'),
  );
  const entry = lock.packages?.[`node_modules/${name}`];
  if (!entry?.version) throw new Error(`${name} is not in package-lock.json`);
  return entry.version;
}

/** Test-only settings: ports, the sandbox in place of api.github.com, a quick first sync. */
function writeTestConfig() {
  const file = join(APP, 'app-config.consumer-test.yaml');
  writeFileSync(
    file,
    `# Written by e2e/consumer/run.mjs: the environment of the test, not a docs step.
app:
  baseUrl: ${BASE_URL}
backend:
  baseUrl: ${BASE_URL}
  listen:
    port: ${BACKEND_PORT}
  cors:
    origin: ${BASE_URL}
integrations:
  github:
    - host: github.com
      apiBaseUrl: http://localhost:${SANDBOX_PORT}/api/v3
      token: \${GITHUB_TOKEN}
deployments:
  schedule:
    frequency: { seconds: 15 }
    timeout: { minutes: 5 }
    initialDelay: { seconds: 5 }
`,
  );
  return [
    '--config',
    '../../app-config.yaml',
    '--config',
    '../../app-config.consumer-test.yaml',
  ];
}

async function main() {
  const startedAll = Date.now();
  const expectedRelease = JSON.parse(
    readFileSync(join(ROOT, 'backstage.json'), 'utf8'),
  ).version;
  const docs = readDocSnippets([
    join(ROOT, 'docs/install.md'),
    join(ROOT, 'docs/permissions.md'),
  ]);

  const packsDir =
    packsArg >= 0 ? resolve(args[packsArg + 1]) : join(WORK, 'packs');
  if (packsArg < 0) {
    await step('npm run pack:plugins', () =>
      sh(
        'node',
        [
          'scripts/pack-plugins.mjs',
          '--out',
          packsDir,
          ...(args.includes('--skip-tsc') ? ['--skip-tsc'] : []),
        ],
        ROOT,
      ),
    );
  }
  const tarballs = readdirSync(packsDir).filter(f => f.endsWith('.tgz'));
  const withAws = tarballs.some(f =>
    f.startsWith('stagecraft-plugin-deployments-backend-module-aws-'),
  );
  log(`tarballs: ${tarballs.join(', ')}`);

  if (args.includes('--reuse-app') && existsSync(join(APP, '.git'))) {
    // For working on this test: put the installed pristine app back as it was.
    await step('pristine app: reset to its first commit', () => {
      sh('git', ['checkout', '--quiet', '--', '.'], APP);
      sh('git', ['clean', '-fdq', '-e', 'node_modules'], APP);
      sh(
        'npm',
        ['install', '--no-audit', '--no-fund', '--loglevel=error'],
        APP,
      );
    });
  } else {
    await step(
      `pristine app: create-app ${expectedRelease} legacy template, versions aligned`,
      () =>
        createHostApp({
          appDir: APP,
          toolDir: join(WORK, 'tools'),
          expectedRelease,
          alignWith: join(ROOT, 'package-lock.json'),
        }),
    );
    await step('pristine app: npm install', () =>
      sh(
        'npm',
        ['install', '--no-audit', '--no-fund', '--loglevel=error'],
        APP,
      ),
    );
    const git = [
      '-c',
      'user.name=consumer-test',
      '-c',
      'user.email=consumer-test@localhost',
    ];
    sh('git', ['init', '--quiet'], APP);
    sh('git', ['add', '-A'], APP);
    sh('git', [...git, 'commit', '--quiet', '-m', 'pristine app'], APP);
  }

  const sandbox = startProcess(
    'sandbox',
    'node',
    ['--require', '@backstage/cli/config/nodeTransform.cjs', 'src/cli.ts'],
    join(ROOT, 'packages/sandbox'),
    {
      SANDBOX_PORT: String(SANDBOX_PORT),
      SANDBOX_WEBHOOK_URL: `${BASE_URL}/api/deployments/webhooks/github`,
      GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
    },
  );
  await waitForUrl(`http://localhost:${SANDBOX_PORT}/api/v3`, sandbox, 60_000, {
    anyStatus: true,
  });

  // From here on: what a new user does, following docs/install.md.
  const docsStarted = Date.now();
  await step('docs step 1: install the tarballs', () =>
    runInstallCommands({
      appDir: APP,
      packsDir,
      snippet: docs.get('install-tarballs'),
      log,
    }),
  );
  if (withAws) {
    await step('docs step 3: install the AWS module tarball on its own', () =>
      runInstallCommands({
        appDir: APP,
        packsDir,
        snippet: docs.get('install-tarball-aws'),
        log,
      }),
    );
  }
  await step(
    'docs steps 2-8: backend, config, policy, owner, frontend, entity',
    () => applyInstallDocs({ appDir: APP, docs, withAws }),
  );
  await step('the app type-checks (tsc)', () =>
    sh('npx', ['tsc', '--noEmit'], APP),
  );
  await step('the -node testing kit resolves from the tarball', () =>
    sh(
      'node',
      [
        '-e',
        "require('@stagecraft/plugin-deployments-node/testing'); require('@stagecraft/plugin-deployments-node')",
      ],
      join(APP, 'packages/backend'),
    ),
  );
  const configArgs = writeTestConfig();
  await step('the frontend builds', () =>
    sh(
      'npx',
      ['backstage-cli', 'package', 'build', ...configArgs],
      join(APP, 'packages/app'),
    ),
  );
  if (!existsSync(join(APP, 'packages/app/dist/index.html'))) {
    throw new Error('the frontend build wrote no dist/index.html');
  }
  const backend = startProcess(
    'backend',
    'npx',
    ['backstage-cli', 'package', 'start', ...configArgs],
    join(APP, 'packages/backend'),
    { GITHUB_TOKEN: 'sandbox-token', GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET },
  );
  await step('the backend boots with the plugin and its modules', () =>
    waitForUrl(`${BASE_URL}/api/deployments/health`, backend, 300_000),
  );
  await step(
    'a webhook signed with GITHUB_WEBHOOK_SECRET is taken, a forged one refused',
    () => checkWebhookSecret(),
  );
  const logs = backend.output.join('');
  if (!/deployments/.test(logs))
    throw new Error(
      `the backend log never names the deployments plugin\n${tail(backend)}`,
    );
  const result = await step(
    'Chromium: the Deployments tab shows the lanes',
    () =>
      checkDeploymentsTab({
        baseUrl: BASE_URL,
        entityPath: ENTITY,
        environments: ENVIRONMENTS,
        artifactsDir: join(ROOT, 'e2e-artifacts'),
      }),
  );
  const docsSeconds = (Date.now() - docsStarted) / 1000;

  // Step 7's snippet is for a new-frontend-system app; the legacy app lacks
  // only @backstage/frontend-defaults to type-check it against the tarballs.
  await step('docs step 7: the new-frontend-system app type-checks', () => {
    const version = lockVersion('@backstage/frontend-defaults');
    sh(
      'npm',
      [
        'install',
        '-w',
        'packages/app',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        `@backstage/frontend-defaults@^${version}`,
      ],
      APP,
    );
    writeFileSync(
      join(APP, 'packages/app/src/newFrontendSystemApp.tsx'),
      `${docs.get('new-frontend-app')}\n`,
    );
    sh('npx', ['tsc', '--noEmit'], APP);
  });

  log(`lanes: ${result.lanes.join(', ')}`);
  if (result.pageErrors.length)
    log(`page errors: ${result.pageErrors.join(' | ')}`);
  log('times:');
  for (const { name, seconds } of timings)
    log(`  ${seconds.toFixed(1).padStart(7)} s  ${name}`);
  log(
    `from the installed pristine app to a working tab, following docs/install.md: ${docsSeconds.toFixed(
      0,
    )} s (${(docsSeconds / 60).toFixed(1)} min)`,
  );
  log(
    `whole consumer test: ${((Date.now() - startedAll) / 1000).toFixed(0)} s`,
  );
  console.log('consumer: 1 passed, 0 failed');
}

try {
  await main();
} catch (error) {
  console.error(`[consumer] FAILED: ${error.stack ?? error}`);
  console.log('consumer: 0 passed, 1 failed');
  process.exitCode = 1;
} finally {
  stopAll();
}
