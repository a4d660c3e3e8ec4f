// `npm run bench:http`: the deployments REST API through HTTP, against the
// catalog's own `GET /entities/by-name` measured in the same run, on a real
// backend (packages/backend: auth, catalog, the demo permission policy, the
// router) whose ledger holds a million deployments. See docs/performance.md
// ("Through HTTP") for what is measured and the figures.
//
// For each database (SQLite file, PostgreSQL database):
// 1. seeds the deployments plugin's database (scripts/bench-http-seed.cjs:
//    the real store and migrations) with payments-api's 500-version history
//    and other entities' histories up to BENCH_HTTP_DEPLOYMENTS;
// 2. starts the backend on its own port and databases (NODE_ENV=production,
//    no sync: the seeded ledger is all there is), signs in as guest;
// 3. at concurrency 1, sends the routes' requests in turn (by-name,
//    environments, first timeline page, the tab's combined request, …) so
//    that every route sees the same machine; latency is the time to the
//    whole body;
// 4. at concurrency 16, runs each route for a few seconds at a time, in turn,
//    and counts completed requests per second.
//
// Environment: BENCH_HTTP_DATABASES (sqlite,postgres), BENCH_HTTP_DEPLOYMENTS
// (1000000), BENCH_HTTP_REQUESTS (400 per route at concurrency 1),
// BENCH_HTTP_SECONDS (12 per route at concurrency 16), BENCH_HTTP_PORT (7208),
// BENCH_POSTGRES_URL (postgresql://postgres@127.0.0.1:5432), BENCH_HTTP_PROFILE
// (unset; a folder for a CPU profile of the backend).
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
import { performance } from 'node:perf_hooks';

const ROOT = resolve(import.meta.dirname, '..');
const require = (await import('node:module')).createRequire(import.meta.url);
const knexFactory = require('knex');

const DATABASES = (process.env.BENCH_HTTP_DATABASES ?? 'sqlite,postgres')
  .split(',')
  .map(s => s.trim())
  .filter(Boolean);
const DEPLOYMENTS = positiveInt('BENCH_HTTP_DEPLOYMENTS', 1_000_000);
const REQUESTS = positiveInt('BENCH_HTTP_REQUESTS', 400);
const SECONDS = positiveInt('BENCH_HTTP_SECONDS', 12);
const PORT = positiveInt('BENCH_HTTP_PORT', 7208);
const POSTGRES_URL =
  process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432';
// A folder: the backend writes a CPU profile of the whole run into it.
const PROFILE = process.env.BENCH_HTTP_PROFILE;
const CONCURRENCY = 16;
const BASE = `http://127.0.0.1:${PORT}`;
const ENTITY = 'component/default/payments-api';

/** The routes measured; the first is the yardstick. */
const ROUTES = [
  ['catalog by-name', `/api/catalog/entities/by-name/${ENTITY}`],
  ['environments', `/api/deployments/entities/${ENTITY}/environments`],
  [
    'first timeline page',
    `/api/deployments/entities/${ENTITY}/timeline?limit=20`,
  ],
  [
    'tab request (environments + permissions + timeline)',
    `/api/deployments/entities/${ENTITY}/environments?include=permissions,timeline&timelineLimit=20`,
  ],
  // The tab's request taken apart: which of its parts costs what.
  [
    'environments + permissions',
    `/api/deployments/entities/${ENTITY}/environments?include=permissions`,
  ],
  [
    'environments + timeline',
    `/api/deployments/entities/${ENTITY}/environments?include=timeline&timelineLimit=20`,
  ],
];

// BENCH_HTTP_ROUTES: a comma-separated subset of the routes' numbers (0 = by-name), e.g. for a profile.
if (process.env.BENCH_HTTP_ROUTES) {
  const keep = process.env.BENCH_HTTP_ROUTES.split(',').map(Number);
  for (let i = ROUTES.length - 1; i >= 0; i--) {
    if (!keep.includes(i)) ROUTES.splice(i, 1);
  }
}

function positiveInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got '${raw}'`);
  }
  return value;
}

const log = message => console.log(`[bench:http] ${message}`);
const sleep = ms => new Promise(r => setTimeout(r, ms));

function runOrFail(args) {
  const result = spawnSync(process.execPath, args, {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed`);
}

/** Where a database lives for one run, and how to seed and remove it. */
async function prepareDatabase(kind, dir) {
  if (kind === 'sqlite') {
    runOrFail([
      'scripts/bench-http-seed.cjs',
      'better-sqlite3',
      join(dir, 'deployments.sqlite'),
      String(DEPLOYMENTS),
    ]);
    return {
      config: `    client: better-sqlite3\n    connection:\n      directory: ${dir}`,
      drop: async () => {},
    };
  }
  if (kind !== 'postgres') {
    throw new Error(`Unknown database '${kind}' in BENCH_HTTP_DATABASES`);
  }
  const prefix = `stagecraft_benchhttp_${process.pid}_`;
  const url = new URL(POSTGRES_URL);
  const admin = knexFactory({ client: 'pg', connection: `${POSTGRES_URL}/postgres` });
  await admin.raw('CREATE DATABASE ??', [`${prefix}deployments`]);
  runOrFail([
    'scripts/bench-http-seed.cjs',
    'pg',
    `${POSTGRES_URL}/${prefix}deployments`,
    String(DEPLOYMENTS),
  ]);
  return {
    config: [
      '    client: pg',
      `    prefix: ${prefix}`,
      '    connection:',
      `      host: ${url.hostname}`,
      `      port: ${url.port || 5432}`,
      `      user: ${decodeURIComponent(url.username) || 'postgres'}`,
      `      password: '${decodeURIComponent(url.password)}'`,
    ].join('\n'),
    drop: async () => {
      const { rows } = await admin.raw(
        'SELECT datname FROM pg_database WHERE datname LIKE ?',
        [`${prefix}%`],
      );
      for (const { datname } of rows) {
        await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [datname]);
      }
      await admin.destroy();
    },
  };
}

function benchConfig(databaseConfig) {
  return `app:
  baseUrl: ${BASE}
backend:
  baseUrl: ${BASE}
  listen:
    port: ${PORT}
  cors:
    origin: ${BASE}
  database:
${databaseConfig}
auth:
  providers:
    guest:
      userEntityRef: user:default/guest
      dangerouslyAllowOutsideDevelopment: true
integrations:
  github:
    # Port 9 (discard) is closed: nothing here reaches a live GitHub.
    - host: github.com
      apiBaseUrl: http://127.0.0.1:9/api/v3
      token: bench-token
deployments:
  schedule:
    frequency: { hours: 24 }
    timeout: { minutes: 10 }
    initialDelay: { hours: 24 }
`;
}

async function startBackend(dir, databaseConfig) {
  const configFile = join(dir, 'bench-http.yaml');
  writeFileSync(configFile, benchConfig(databaseConfig));
  const logFile = join(dir, 'backend.log');
  const out = createWriteStream(logFile);
  const child = spawn(
    process.execPath,
    [
      ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] : []),
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
  const exit = new Promise(r => child.on('exit', () => r((exited = true))));
  const stop = async () => {
    if (exited) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // gone
    }
    await Promise.race([exit, sleep(15_000)]);
  };
  const fail = async message => {
    await stop();
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-30);
    throw new Error(`${message}; last log lines:\n${tail.join('\n')}`);
  };
  const deadline = Date.now() + 240_000;
  let token;
  for (;;) {
    if (exited || Date.now() > deadline) await fail('backend did not start');
    try {
      if (!token) {
        const refresh = await fetch(`${BASE}/api/auth/guest/refresh`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
        });
        if (refresh.ok) token = (await refresh.json()).backstageIdentity.token;
      }
      // Ready once the catalog holds the entity (its first processing run).
      if (token) {
        const entity = await fetch(`${BASE}${ROUTES[0][1]}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        if (entity.ok) break;
      }
    } catch {
      // not listening yet
    }
    await sleep(1000);
  }
  return { stop, token };
}

async function request(path, token) {
  const started = performance.now();
  const response = await fetch(`${BASE}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await response.arrayBuffer();
  if (response.status !== 200) {
    throw new Error(`GET ${path} answered ${response.status}`);
  }
  return performance.now() - started;
}

function percentile(sorted, p) {
  const index = Math.min(
    sorted.length - 1,
    Math.max(0, Math.ceil((p / 100) * sorted.length) - 1),
  );
  return sorted[index];
}

const round = (value, digits = 2) => Number(value.toFixed(digits));

/** Concurrency 1: the routes in turn, REQUESTS each, after a warm-up. */
async function latencies(token) {
  for (let i = 0; i < 30; i++) {
    for (const [, path] of ROUTES) await request(path, token);
  }
  const samples = ROUTES.map(() => []);
  for (let i = 0; i < REQUESTS; i++) {
    for (const [index, [, path]] of ROUTES.entries()) {
      samples[index].push(await request(path, token));
    }
  }
  return samples.map(values => {
    const sorted = [...values].sort((a, b) => a - b);
    return { p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)) };
  });
}

/** Concurrency 16: each route for SECONDS in slices of 3 s, the routes in turn. */
async function throughputs(token) {
  const slice = 3;
  const counts = ROUTES.map(() => ({ requests: 0, ms: 0 }));
  for (let done = 0; done < SECONDS; done += slice) {
    for (const [index, [, path]] of ROUTES.entries()) {
      const until = performance.now() + slice * 1000;
      const started = performance.now();
      let requests = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (performance.now() < until) {
            await request(path, token);
            requests += 1;
          }
        }),
      );
      counts[index].requests += requests;
      counts[index].ms += performance.now() - started;
    }
  }
  return counts.map(c => Math.round(c.requests / (c.ms / 1000)));
}

async function runOn(kind) {
  const dir = mkdtempSync(join(tmpdir(), `stagecraft-bench-http-${kind}-`));
  let database;
  let backend;
  try {
    log(`${kind}: seeding ${DEPLOYMENTS.toLocaleString('en-US')} deployments`);
    database = await prepareDatabase(kind, dir);
    log(`${kind}: starting the backend`);
    backend = await startBackend(dir, database.config);
    log(`${kind}: concurrency 1, ${REQUESTS} requests per route`);
    const latency = await latencies(backend.token);
    log(`${kind}: concurrency ${CONCURRENCY}, ${SECONDS} s per route`);
    const throughput = await throughputs(backend.token);
    return { kind, latency, throughput, load: loadavg()[0] };
  } finally {
    await backend?.stop();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  log(
    `${cpus().length} CPUs, Node ${process.version}, load average ${loadavg()
      .map(v => v.toFixed(2))
      .join(' ')}`,
  );
  const lines = [
    `| database | route | c=1 p50 / p95 (ms) | p95 ÷ by-name p95 | c=${CONCURRENCY} requests/s | ÷ by-name |`,
    '|---|---|---|---|---|---|',
  ];
  const results = [];
  for (const kind of DATABASES) {
    const r = await runOn(kind);
    results.push(r);
    for (const [index, [name]] of ROUTES.entries()) {
      const { p50, p95 } = r.latency[index];
      lines.push(
        `| ${r.kind} | ${name} | ${p50} / ${p95} | ${round(
          p95 / r.latency[0].p95,
        )} | ${r.throughput[index]} | ${round(
          r.throughput[index] / r.throughput[0],
        )} |`,
      );
    }
    // Each database's figures as soon as they are in (a run takes minutes).
    console.log(lines.join('\n'));
    console.log(JSON.stringify(r));
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
