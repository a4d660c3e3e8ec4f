// `npm run bench:ui`: how fast the Deployments tab of an entity with a long
// history becomes usable in headless Chromium, on a production build of the
// app served by the backend. See docs/performance.md ("Deployments tab in the
// browser") for what is measured and the figures.
//
// 1. Builds packages/app (production build into packages/app/dist) unless
//    BENCH_UI_BUILD=0.
// 2. Seeds the deployments plugin's SQLite file in a fresh temporary folder
//    with one entity's history (scripts/bench-ui-seed.cjs, the real store).
// 3. Starts only the backend on its own port; its app-backend serves the
//    built app. GitHub points at a closed local port and the scheduled sync
//    waits a day, so the measured entity shows exactly the seeded history.
// 4. Signs in as guest in headless Chromium, then loads the Deployments tab
//    again and again, timing it from the page's navigation start.
//
// Environment: BENCH_UI_PORT (7207), BENCH_UI_RUNS (10), BENCH_UI_VERSIONS
// (500), BENCH_UI_BUILD (1), BENCH_UI_PROFILE (unset: no CPU profile),
// CHROMIUM_PATH (/usr/bin/chromium).
import { spawn, spawnSync } from 'node:child_process';
import {
  createWriteStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openBrowser } from '../e2e/portal.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const PORT = positiveInt('BENCH_UI_PORT', 7207);
const RUNS = positiveInt('BENCH_UI_RUNS', 10);
const VERSIONS = positiveInt('BENCH_UI_VERSIONS', 500);
const BUILD = process.env.BENCH_UI_BUILD !== '0';
// Path prefix: the last run of each mode is CPU-profiled into <prefix>-<mode>.cpuprofile.
const PROFILE = process.env.BENCH_UI_PROFILE;
const BASE_URL = `http://localhost:${PORT}`;
const ENTITY_REF = 'component:default/payments-api';
const TAB_PATH = '/catalog/default/component/payments-api/deployments';
const FIRST_PAGE_ROWS = 20; // useTimeline's page size
const RUN_TIMEOUT_MS = 60_000;

function positiveInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got '${raw}'`);
  }
  return value;
}

function log(message) {
  console.log(`[bench:ui] ${message}`);
}

function runOrFail(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}`);
  }
}

/** Config on top of app-config.yaml: own port, own database, no live GitHub, no sync. */
function benchConfig(dataDir) {
  return `app:
  baseUrl: ${BASE_URL}
backend:
  baseUrl: ${BASE_URL}
  listen:
    port: ${PORT}
  cors:
    origin: ${BASE_URL}
  database:
    client: better-sqlite3
    connection:
      directory: ${dataDir}
auth:
  providers:
    guest:
      userEntityRef: user:default/guest
      # The backend runs with NODE_ENV=production, as it would serve users.
      dangerouslyAllowOutsideDevelopment: true
integrations:
  github:
    # Port 9 (discard) is closed: nothing here reaches a live GitHub.
    - host: github.com
      apiBaseUrl: http://127.0.0.1:9/api/v3
      token: bench-token
deployments:
  schedule:
    # The seeded history is all there is: no sync runs during the benchmark.
    frequency: { hours: 24 }
    timeout: { minutes: 10 }
    initialDelay: { hours: 24 }
`;
}

async function startBackend(dataDir) {
  const configFile = join(dataDir, 'bench-ui.yaml');
  writeFileSync(configFile, benchConfig(dataDir));
  const logFile = join(dataDir, 'backend.log');
  const out = createWriteStream(logFile);
  const child = spawn(
    process.execPath,
    [
      '--require',
      '@backstage/cli/config/nodeTransform.cjs',
      'src/index.ts',
      '--config',
      join(ROOT, 'app-config.yaml'),
      '--config',
      configFile,
    ],
    {
      cwd: join(ROOT, 'packages', 'backend'),
      detached: true,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const stop = () => {
    if (!exited) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  };
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (exited || Date.now() > deadline) {
      stop();
      throw new Error(
        `backend did not start; last log lines:\n${readFileSync(logFile, 'utf8')
          .split('\n')
          .slice(-40)
          .join('\n')}`,
      );
    }
    try {
      const [health, app] = await Promise.all([
        fetch(`${BASE_URL}/api/deployments/health`),
        fetch(`${BASE_URL}/`),
      ]);
      if (health.ok && app.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  return { stop, logFile };
}

/**
 * Runs in the page before the app's scripts. Once per animation frame it
 * records, in ms since navigation start (performance.now()), the first frame
 * in which each milestone is in the DOM:
 * - lanes: the three environment lanes;
 * - actions: every lane's action buttons settled (enabled, or disabled with
 *   a reason other than "Checking your permissions…");
 * - firstPage: the timeline table with its first page of rows;
 * - interactive: all of the above in the same frame;
 * - allRows (mode "all"): every timeline row, clicking "Load more" as soon
 *   as it is enabled (the click itself is immediate; the app does the rest).
 * It also keeps long tasks (> 50 ms) for the blocking time before interactive.
 */
function probe({ mode, lanes, firstPageRows, allRows }) {
  if (!location.pathname.endsWith('/deployments')) return;
  const marks = {};
  const longTasks = [];
  const loadMoreClicks = [];
  window.__benchUi = { marks, longTasks, loadMoreClicks };
  try {
    new PerformanceObserver(list => {
      for (const entry of list.getEntries()) {
        longTasks.push({ start: entry.startTime, duration: entry.duration });
      }
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // long tasks unsupported: blocking time stays unknown
  }
  const mark = (name, now) => {
    if (marks[name] === undefined) marks[name] = now;
  };
  let pendingClick;
  const frame = now => {
    const sections = document.querySelectorAll(
      'section[aria-label^="Environment "]',
    );
    const laneCount = sections.length;
    if (laneCount === lanes) mark('lanes', now);
    const settled =
      laneCount === lanes &&
      [...sections].every(section => {
        const buttons = [...section.querySelectorAll('button')].filter(b =>
          /^(Promote to |Roll back)/.test(b.textContent.trim()),
        );
        return (
          buttons.length > 0 &&
          !section.textContent.includes('Checking your permissions')
        );
      });
    if (settled) mark('actions', now);
    const rows = document.querySelectorAll(
      'table[aria-label="Promotion timeline"] tbody tr',
    ).length;
    if (rows >= firstPageRows) mark('firstPage', now);
    if (settled && rows >= firstPageRows) mark('interactive', now);
    if (mode === 'all') {
      if (pendingClick && rows > pendingClick.rows) {
        loadMoreClicks.push({
          rowsBefore: pendingClick.rows,
          ms: now - pendingClick.at,
        });
        pendingClick = undefined;
      }
      if (rows >= allRows) {
        mark('allRows', now);
      } else if (!pendingClick && rows > 0) {
        const more = [...document.querySelectorAll('button')].find(
          b => b.textContent.trim() === 'Load more' && !b.disabled,
        );
        if (more) {
          pendingClick = { rows, at: performance.now() };
          more.click();
        }
      }
    }
    const done = mode === 'all' ? marks.allRows : marks.interactive;
    if (done === undefined) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

async function measure(context, mode, profileFile) {
  const page = await context.newPage();
  try {
    const cdp = profileFile ? await context.newCDPSession(page) : undefined;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    await page.addInitScript(probe, {
      mode,
      lanes: 3,
      firstPageRows: Math.min(FIRST_PAGE_ROWS, VERSIONS),
      allRows: VERSIONS,
    });
    await page.goto(`${BASE_URL}${TAB_PATH}`, { waitUntil: 'commit' });
    const doneMark = mode === 'all' ? 'allRows' : 'interactive';
    await page.waitForFunction(
      name => window.__benchUi?.marks[name] !== undefined,
      doneMark,
      { timeout: RUN_TIMEOUT_MS, polling: 100 },
    );
    const result = await page.evaluate(() => ({
      ...window.__benchUi,
      // How long each timeline request took on the wire (backend included).
      timelineRequests: performance
        .getEntriesByType('resource')
        .filter(entry => entry.name.includes('/timeline'))
        .map(entry => entry.duration),
      requests: performance.getEntriesByType('resource').map(entry => ({
        path: (({ pathname, search }) => pathname + search)(
          new URL(entry.name),
        ),
        start: entry.startTime,
        end: entry.responseEnd,
      })),
    }));
    if (cdp) {
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(profileFile, JSON.stringify(profile));
      printHotspots(profile);
      log('requests (ms from navigation start):');
      for (const request of result.requests.filter(
        r => r.start < (result.marks.interactive ?? Infinity),
      )) {
        log(
          `  ${ms(request.start).padStart(8)} → ${ms(request.end).padStart(
            8,
          )}  ${request.path}`,
        );
      }
    }
    // Where the critical path stands: the entity page needs the catalog's
    // entity; the tab's one request follows the entity page's first render.
    const first = part => result.requests.find(r => r.path.includes(part));
    result.path = {
      entityAnswered: first('/api/catalog/entities/by-name/')?.end,
      tabRequestSent: first('/environments?include=')?.start,
      tabAnswered: first('/environments?include=')?.end,
    };
    const interactive = result.marks.interactive;
    result.blockingMs = result.longTasks
      .filter(task => interactive === undefined || task.start < interactive)
      .reduce((sum, task) => sum + Math.max(0, task.duration - 50), 0);
    return result;
  } finally {
    await page.close();
  }
}

/** The functions with the most self time in a CPU profile, to say where a run went. */
function printHotspots(profile) {
  const selfMs = new Map();
  const nodes = new Map(profile.nodes.map(node => [node.id, node]));
  const deltas = profile.timeDeltas;
  profile.samples.forEach((id, index) => {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    const key = `${functionName || '(anonymous)'} ${url.split('/').pop()}:${
      lineNumber + 1
    }`;
    selfMs.set(key, (selfMs.get(key) ?? 0) + (deltas[index + 1] ?? 0) / 1000);
  });
  const top = [...selfMs].sort((a, b) => b[1] - a[1]).slice(0, 20);
  log('CPU profile, self time:');
  for (const [name, time] of top) log(`  ${ms(time).padStart(8)}  ${name}`);
}

/** Signs in as guest once; the app then signs in again silently on every load. */
async function signIn(context) {
  const page = await context.newPage();
  const deadline = Date.now() + 120_000;
  try {
    await page.goto(`${BASE_URL}${TAB_PATH}`);
    const enter = page.getByRole('button', { name: 'Enter' });
    await enter.waitFor({ timeout: 60_000 });
    await enter.click();
    // A fresh backend reads the catalog a few seconds after start.
    const lane = page.getByRole('region', { name: 'Environment production' });
    while (!(await lane.isVisible())) {
      if (Date.now() > deadline) {
        throw new Error(
          `the Deployments tab never showed its lanes: ${page.url()}`,
        );
      }
      await page.waitForTimeout(2000);
      if (!(await lane.isVisible())) await page.reload();
    }
  } finally {
    await page.close();
  }
}

function percentile(sorted, p) {
  const index = Math.min(
    sorted.length - 1,
    Math.max(0, Math.ceil((p / 100) * sorted.length) - 1),
  );
  return sorted[index];
}

function stats(values) {
  const sorted = values.filter(v => v !== undefined).sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted[sorted.length - 1],
  };
}

const ms = value => `${Math.round(value)} ms`;

function row(label, values) {
  const { p50, p95, max } = stats(values);
  return `| ${label} | ${ms(p50)} | ${ms(p95)} | ${ms(max)} |`;
}

async function main() {
  if (BUILD) {
    log('building packages/app (production build)');
    runOrFail(
      'npx',
      ['backstage-cli', 'package', 'build'],
      join(ROOT, 'packages', 'app'),
    );
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'stagecraft-bench-ui-'));
  let backend;
  let browser;
  try {
    runOrFail(
      process.execPath,
      [
        join(ROOT, 'scripts', 'bench-ui-seed.cjs'),
        join(dataDir, 'deployments.sqlite'),
        ENTITY_REF,
        String(VERSIONS),
      ],
      ROOT,
    );
    log(
      `starting the backend on ${BASE_URL} (log: ${join(
        dataDir,
        'backend.log',
      )})`,
    );
    backend = await startBackend(dataDir);
    browser = await openBrowser();
    const context = await browser.newContext({
      viewport: { width: 1440, height: 900 },
    });
    await signIn(context);

    const results = { interactive: [], all: [] };
    for (const mode of ['interactive', 'all']) {
      await measure(context, mode); // warm-up: caches, backend JIT
      for (let run = 1; run <= RUNS; run++) {
        const profile =
          PROFILE && run === RUNS ? `${PROFILE}-${mode}.cpuprofile` : undefined;
        const result = await measure(context, mode, profile);
        results[mode].push(result);
        const m = result.marks;
        log(
          mode === 'interactive'
            ? `run ${run}: interactive ${ms(m.interactive)} (lanes ${ms(
                m.lanes,
              )}, actions ${ms(m.actions)}, first page ${ms(
                m.firstPage,
              )}, blocking ${ms(result.blockingMs)}; entity ${ms(
                result.path.entityAnswered,
              )}, tab's request ${ms(result.path.tabRequestSent)} → ${ms(
                result.path.tabAnswered,
              )})`
            : `run ${run}: all ${VERSIONS} rows ${ms(m.allRows)} (${
                result.loadMoreClicks.length
              } × Load more: slowest ${ms(
                Math.max(...result.loadMoreClicks.map(c => c.ms)),
              )}, last ${ms(
                result.loadMoreClicks.at(-1).ms,
              )}; timeline requests p50 ${ms(
                stats(result.timelineRequests).p50,
              )})`,
        );
      }
    }

    const interactive = results.interactive;
    const all = results.all;
    const target = 1500;
    const p95 = stats(interactive.map(r => r.marks.interactive)).p95;
    console.log(`
Deployments tab of ${ENTITY_REF} with ${VERSIONS} versions; ${RUNS} runs per mode after one warm-up
Machine: ${cpus().length} × ${cpus()[0]?.model}, load average ${loadavg()
      .map(l => l.toFixed(2))
      .join(' ')} at the end

| measure (ms from navigation start) | p50 | p95 | max |
| --- | --- | --- | --- |
${row(
  'environment lanes rendered',
  interactive.map(r => r.marks.lanes),
)}
${row(
  'lane actions settled (permissions resolved)',
  interactive.map(r => r.marks.actions),
)}
${row(
  `timeline first page (${Math.min(FIRST_PAGE_ROWS, VERSIONS)} rows)`,
  interactive.map(r => r.marks.firstPage),
)}
${row(
  '**interactive** (all of the above)',
  interactive.map(r => r.marks.interactive),
)}
${row(
  'catalog entity answered (the entity page needs it)',
  interactive.map(r => r.path.entityAnswered),
)}
${row(
  "tab's request sent (entity page's first render done)",
  interactive.map(r => r.path.tabRequestSent),
)}
${row(
  "tab's request answered",
  interactive.map(r => r.path.tabAnswered),
)}
${row(
  'blocking time before interactive (long tasks − 50 ms)',
  interactive.map(r => r.blockingMs),
)}
${row(
  `all ${VERSIONS} timeline rows shown (Load more until done)`,
  all.map(r => r.marks.allRows),
)}
${row(
  'one Load more, click to rows shown (slowest of a run)',
  all.map(r => Math.max(...r.loadMoreClicks.map(c => c.ms))),
)}

Target: interactive ≤ ${target} ms — ${
      p95 <= target ? 'met' : 'MISSED'
    } at p95 (${ms(p95)}).`);
  } finally {
    await browser?.close();
    backend?.stop();
    // Give the backend a moment to let go of its SQLite files.
    await new Promise(r => setTimeout(r, 1000));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
