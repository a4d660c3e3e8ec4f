/*
 * Benchmark of the deployment ledger: bulk ingest through upsertDeployments
 * and the two page queries (environments summary, first timeline page) on a
 * large ledger, on SQLite and on PostgreSQL. It measures the real
 * KnexDeploymentStore and its migrations; nothing is mocked.
 *
 *   npm run bench -w plugins/deployments-backend
 *   BENCH_ENTITIES=50 BENCH_DATABASES=sqlite npm run bench -w plugins/deployments-backend
 *
 * Environment:
 *   BENCH_ENTITIES      entities (default 1000)
 *   BENCH_DEPLOYMENTS   deployments per entity (default 1000)
 *   BENCH_SAMPLES       sampled page loads per query (default 200)
 *   BENCH_CHECKPOINTS   entity counts at which the growing ledger is also
 *                       measured, e.g. 1000,2000 (default: only at the end)
 *   BENCH_DATABASES     comma-separated: sqlite, postgres (default both)
 *   BENCH_POSTGRES_URL  server to create a scratch database on
 *                       (default postgresql://postgres@127.0.0.1:5432)
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import knexFactory, { Knex } from 'knex';
import type { DeploymentStatusEntry } from '@stagecraft/plugin-deployments-common';
import type {
  LedgerDeployment,
  LedgerGate,
} from '../src/database/DeploymentStore';
import { KnexDeploymentStore } from '../src/database/KnexDeploymentStore';

const ENTITIES = positiveInt('BENCH_ENTITIES', 1000);
const DEPLOYMENTS = positiveInt('BENCH_DEPLOYMENTS', 1000);
const SAMPLES = positiveInt('BENCH_SAMPLES', 200);
/**
 * Entity counts at which the growing ledger is measured (pages, sizes,
 * PostgreSQL buffers), ascending; the last is BENCH_ENTITIES.
 */
const CHECKPOINTS = [
  ...new Set([
    ...(process.env.BENCH_CHECKPOINTS ?? '')
      .split(',')
      .map(s => s.trim())
      .filter(Boolean)
      .map(Number)
      .filter(n => {
        if (!Number.isInteger(n) || n < 1 || n > ENTITIES) {
          throw new Error(
            `BENCH_CHECKPOINTS must list entity counts from 1 to BENCH_ENTITIES, got '${process.env.BENCH_CHECKPOINTS}'`,
          );
        }
        return n < ENTITIES;
      }),
    ENTITIES,
  ]),
].sort((a, b) => a - b);
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,postgres')
  .split(',')
  .map(s => s.trim())
  .filter(Boolean);
const POSTGRES_URL =
  process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432';

const PATH = ['dev', 'staging', 'production'];
const PROVIDER = 'bench';
const TARGET = 'bench/target';
const HOUR = 3600_000;
const START = Date.UTC(2024, 0, 1);

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got '${raw}'`);
  }
  return value;
}

/** Deterministic pseudo-random numbers (mulberry32), so runs are comparable. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const entityRef = (i: number) => `component:default/service-${i}`;
const sha = (entity: number, version: number) =>
  `${entity.toString(16).padStart(8, '0')}${version
    .toString(16)
    .padStart(32, '0')}`;

/**
 * One entity's history as a provider backfill reports it: each version goes
 * to dev, then staging, then production (a few fail there), with queued →
 * in progress → final statuses, as the seed pipeline runs.
 */
function historyOf(entity: number): LedgerDeployment[] {
  const next = random(entity + 1);
  const deployments: LedgerDeployment[] = [];
  for (let n = 0; deployments.length < DEPLOYMENTS; n++) {
    const version = Math.floor(n / PATH.length);
    const environment = PATH[n % PATH.length];
    const created = START + version * 6 * HOUR + (n % PATH.length) * HOUR;
    const failed = environment === 'production' && next() < 0.05;
    const statuses: DeploymentStatusEntry[] = [
      { state: 'queued', at: new Date(created).toISOString() },
      { state: 'in_progress', at: new Date(created + 30_000).toISOString() },
      {
        state: failed ? 'failure' : 'success',
        at: new Date(created + 300_000 + next() * 300_000).toISOString(),
        logUrl: `https://ci.example.com/runs/${entity}-${n}/logs`,
      },
    ];
    deployments.push({
      providerDeploymentId: `${entity}-${n}`,
      environment,
      version: {
        sha: sha(entity, version),
        tag: `v1.${version}.0`,
        message: `Release ${version} of service ${entity}`,
      },
      statuses,
      createdAt: new Date(created).toISOString(),
      updatedAt: statuses[statuses.length - 1].at,
      triggeredBy: next() < 0.5 ? 'alice' : 'ci-bot',
      url: `https://ci.example.com/runs/${entity}-${n}`,
      strategy:
        environment === 'production'
          ? { type: 'canary', trafficPercent: 100 }
          : { type: 'all-at-once' },
    });
  }
  return deployments;
}

function openGateOf(entity: number): LedgerGate[] {
  if (entity % 3 !== 0) return [];
  return [
    {
      providerGateId: `gate-${entity}`,
      environment: 'production',
      version: { sha: sha(entity, 0), tag: 'v1.0.0' },
      reviewers: [{ type: 'team', name: 'team-payments' }],
      since: new Date(START).toISOString(),
      waitTimerMinutes: 5,
      details: { runId: String(entity) },
    },
  ];
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(
    sorted.length - 1,
    Math.max(0, Math.ceil((p / 100) * sorted.length) - 1),
  );
  return sorted[index];
}

async function timed<T>(samples: number[], fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await fn();
  samples.push(performance.now() - started);
  return result;
}

interface Pages {
  environments: { p50: number; p95: number };
  timeline: { p50: number; p95: number };
  timelineNextPage: { p50: number; p95: number };
  /**
   * PostgreSQL: shared buffers (8 kB pages) one page load touches, summed
   * over its statements (EXPLAIN ANALYZE BUFFERS), for the environments
   * summary and the first timeline page of one entity.
   */
  buffers?: { environments: number; timeline: number };
}

/** The ledger measured once it holds `deployments`. */
interface Checkpoint extends Pages {
  deployments: number;
  size?: string;
  /** Bytes per table and index of the ledger's three big tables. */
  relations?: Record<string, number>;
}

interface Result extends Checkpoint {
  database: string;
  ingestSeconds: number;
  deploymentsPerSecond: number;
  replayedPerSecond: number;
  checkpoints: Checkpoint[];
}

/** The tables that grow with every deployment, whose sizes the benchmark reports. */
const LEDGER_TABLES = ['deployments', 'deployment_statuses', 'versions'];

async function runOn(database: string): Promise<Result> {
  let knex: Knex;
  let cleanup: () => Promise<void>;
  let size: () => Promise<string | undefined>;
  let relations: () => Promise<Record<string, number>>;

  if (database === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'stagecraft-bench-'));
    const filename = join(dir, 'ledger.sqlite');
    knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename },
      useNullAsDefault: true,
    });
    cleanup = async () => {
      await knex.destroy();
      rmSync(dir, { recursive: true, force: true });
    };
    size = async () => `${(statSync(filename).size / 2 ** 20).toFixed(0)} MiB`;
    relations = async () => {
      // dbstat: pages per table and index (sqlite_autoindex_* are the
      // primary keys of tables without a rowid key).
      const rows: Array<{ name: string; bytes: number }> = await knex.raw(
        `SELECT s.name AS name, SUM(s.pgsize) AS bytes FROM dbstat s
           JOIN sqlite_master m ON m.name = s.name
          WHERE m.tbl_name IN (${LEDGER_TABLES.map(() => '?').join(', ')})
          GROUP BY s.name`,
        LEDGER_TABLES,
      );
      return Object.fromEntries(rows.map(r => [r.name, Number(r.bytes)]));
    };
  } else if (database === 'postgres') {
    const name = `stagecraft_bench_${process.pid}`;
    const admin = knexFactory({
      client: 'pg',
      connection: `${POSTGRES_URL}/postgres`,
    });
    await admin.raw('CREATE DATABASE ??', [name]);
    knex = knexFactory({ client: 'pg', connection: `${POSTGRES_URL}/${name}` });
    cleanup = async () => {
      await knex.destroy();
      if (process.env.BENCH_KEEP_DATABASE === '1') {
        console.log(`  postgres: kept database ${name} (drop it when done)`);
      } else {
        await admin.raw('DROP DATABASE IF EXISTS ??', [name]);
      }
      await admin.destroy();
    };
    size = async () => {
      const { rows } = await knex.raw(
        'SELECT pg_size_pretty(pg_database_size(current_database())) AS size',
      );
      return rows[0].size;
    };
    relations = async () => {
      const { rows } = await knex.raw(
        `SELECT c.relname AS name, pg_relation_size(c.oid) AS bytes
           FROM pg_class c
           LEFT JOIN pg_index i ON i.indexrelid = c.oid
           LEFT JOIN pg_class t ON t.oid = i.indrelid
          WHERE c.relnamespace = 'public'::regnamespace
            AND (c.relname = ANY(?) OR t.relname = ANY(?))`,
        [LEDGER_TABLES, LEDGER_TABLES],
      );
      return Object.fromEntries(
        rows.map((r: { name: string; bytes: string }) => [
          r.name,
          Number(r.bytes),
        ]),
      );
    };
  } else {
    throw new Error(`Unknown database '${database}' in BENCH_DATABASES`);
  }

  try {
    const store = await KnexDeploymentStore.create({
      database: { getClient: async () => knex },
    });

    // --- page queries, measured at each checkpoint of the growing ledger ---
    // What the environments route reads of the store: the page (lanes,
    // cached diffs, gates, requests, sync, protection, traffic, provider
    // windows) and the entity's targets.
    const environmentsPage = (ref: string) =>
      Promise.all([
        store.getEnvironmentPage(ref, PATH, { changeSource: 'github' }),
        store.targetsOfEntity(ref),
      ]);
    const timelinePage = (ref: string) =>
      store.getTimeline(ref, { environments: PATH, limit: 50 });

    /** Shared buffers the statements of one call touch (PostgreSQL). */
    const buffersOf = async (call: () => Promise<unknown>) => {
      const statements: Array<{ sql: string; bindings: unknown[] }> = [];
      const listener = (query: { sql: string; bindings?: unknown[] }) =>
        statements.push({ sql: query.sql, bindings: query.bindings ?? [] });
      knex.on('query', listener);
      try {
        await call();
      } finally {
        knex.removeListener('query', listener);
      }
      let buffers = 0;
      for (const { sql, bindings } of statements) {
        const { rows } = await knex.raw(
          `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql.replace(
            /\$\d+/g,
            '?',
          )}`,
          bindings as Knex.RawBinding[],
        );
        const plan = rows[0]['QUERY PLAN'][0].Plan;
        buffers += plan['Shared Hit Blocks'] + plan['Shared Read Blocks'];
      }
      return buffers;
    };

    const measurePages = async (entities: number): Promise<Pages> => {
      const pick = random(42);
      const sampled = Array.from({ length: SAMPLES }, () =>
        Math.floor(pick() * entities),
      );
      const environments: number[] = [];
      const timeline: number[] = [];
      const timelineNext: number[] = [];
      // Warm-up: connections, statement caches, the OS page cache.
      for (const entity of sampled.slice(0, 20)) {
        await environmentsPage(entityRef(entity));
        await timelinePage(entityRef(entity));
      }
      for (const entity of sampled) {
        const ref = entityRef(entity);
        const [page] = await timed(environments, () => environmentsPage(ref));
        if (!page.states.production.current) {
          throw new Error(`No current production deployment for ${ref}`);
        }
        const first = await timed(timeline, () => timelinePage(ref));
        if (first.rows.length !== Math.min(50, Math.ceil(DEPLOYMENTS / 3))) {
          throw new Error(`Timeline of ${ref} has ${first.rows.length} rows`);
        }
        if (first.nextCursor) {
          await timed(timelineNext, () =>
            store.getTimeline(ref, {
              environments: PATH,
              limit: 50,
              cursor: first.nextCursor,
            }),
          );
        }
      }
      const summary = (values: number[]) => {
        const sorted = [...values].sort((a, b) => a - b);
        return {
          p50: round(percentile(sorted, 50)),
          p95: round(percentile(sorted, 95)),
        };
      };
      const probe = entityRef(sampled[0]);
      return {
        environments: summary(environments),
        timeline: summary(timeline),
        timelineNextPage: timelineNext.length
          ? summary(timelineNext)
          : { p50: NaN, p95: NaN },
        ...(database === 'postgres'
          ? {
              buffers: {
                environments: await buffersOf(() => environmentsPage(probe)),
                timeline: await buffersOf(() => timelinePage(probe)),
              },
            }
          : {}),
      };
    };

    // --- ingest -----------------------------------------------------------
    let ingestMs = 0;
    let total = 0;
    const checkpoints: Checkpoint[] = [];
    for (let entity = 0; entity < ENTITIES; entity++) {
      const history = historyOf(entity);
      const started = performance.now();
      const { inserted } = await store.upsertDeployments(
        entityRef(entity),
        PROVIDER,
        history,
      );
      ingestMs += performance.now() - started;
      total += inserted;
      await store.replaceOpenGates(
        entityRef(entity),
        PROVIDER,
        TARGET,
        openGateOf(entity),
      );
      await store.recordSyncSuccess({
        entityRef: entityRef(entity),
        provider: PROVIDER,
        targetKey: TARGET,
        cursor: `cursor-${entity}`,
        at: new Date(),
      });
      if ((entity + 1) % 100 === 0 || entity + 1 === ENTITIES) {
        process.stderr.write(
          `  ${database}: ${
            entity + 1
          }/${ENTITIES} entities, ${total} deployments, ${Math.round(
            total / (ingestMs / 1000),
          )}/s\n`,
        );
      }
      if (CHECKPOINTS.includes(entity + 1)) {
        if (database === 'postgres') {
          // What autovacuum does shortly after a bulk load (since
          // PostgreSQL 13 inserts alone trigger its vacuum, which sets the
          // visibility map that index-only scans need): without statistics
          // the planner guesses row counts of an empty table.
          await knex.raw('VACUUM (ANALYZE)');
        }
        checkpoints.push({
          deployments: total,
          ...(await measurePages(entity + 1)),
          size: await size(),
          relations: await relations(),
        });
        process.stderr.write(
          `  ${database}: measured at ${total} deployments\n`,
        );
      }
    }

    // A poll overlapping what is stored: every deployment is known already,
    // so this measures the merge path (nothing may change).
    const replayed = Math.min(ENTITIES, 100);
    const replayStarted = performance.now();
    for (let entity = 0; entity < replayed; entity++) {
      const { inserted, updated } = await store.upsertDeployments(
        entityRef(entity),
        PROVIDER,
        historyOf(entity),
      );
      if (inserted + updated !== 0) {
        throw new Error(`Replay of ${entityRef(entity)} changed the ledger`);
      }
    }
    const replayRate = Math.round(
      (replayed * DEPLOYMENTS) / ((performance.now() - replayStarted) / 1000),
    );

    return {
      database,
      ingestSeconds: round(ingestMs / 1000),
      deploymentsPerSecond: Math.round(total / (ingestMs / 1000)),
      replayedPerSecond: replayRate,
      ...checkpoints[checkpoints.length - 1],
      checkpoints,
    };
  } finally {
    await cleanup();
  }
}

function round(value: number) {
  return Math.round(value * 100) / 100;
}

async function main() {
  process.stderr.write(
    `Ledger benchmark: ${ENTITIES} entities × ${DEPLOYMENTS} deployments, ${SAMPLES} samples, ${
      cpus().length
    } CPUs, Node ${process.version}\n`,
  );
  const results: Result[] = [];
  for (const database of DATABASES) {
    results.push(await runOn(database));
  }
  const lines = [
    `| database | ingest (deployments/s) | replay (deployments/s) | environments summary p50 / p95 (ms) | first timeline page p50 / p95 (ms) | next timeline page p50 / p95 (ms) | size |`,
    `|---|---|---|---|---|---|---|`,
    ...results.map(r => {
      const cells = [
        r.database,
        `${r.deploymentsPerSecond.toLocaleString('en-US')} (${
          r.ingestSeconds
        } s)`,
        r.replayedPerSecond.toLocaleString('en-US'),
        `${r.environments.p50} / ${r.environments.p95}`,
        `${r.timeline.p50} / ${r.timeline.p95}`,
        `${r.timelineNextPage.p50} / ${r.timelineNextPage.p95}`,
        r.size ?? '',
      ];
      return `| ${cells.join(' | ')} |`;
    }),
  ];
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  const indexBytes = (c: Checkpoint) =>
    Object.entries(c.relations ?? {})
      .filter(([name]) => !LEDGER_TABLES.includes(name))
      .reduce((sum, [, bytes]) => sum + bytes, 0);
  const growth = [
    '',
    `| database | deployments | environments summary p50 / p95 (ms) | first timeline page p50 / p95 (ms) | buffers per page (environments / timeline) | indexes | size |`,
    `|---|---|---|---|---|---|---|`,
    ...results.flatMap(r =>
      r.checkpoints.map(c =>
        [
          '',
          r.database,
          c.deployments.toLocaleString('en-US'),
          `${c.environments.p50} / ${c.environments.p95}`,
          `${c.timeline.p50} / ${c.timeline.p95}`,
          c.buffers ? `${c.buffers.environments} / ${c.buffers.timeline}` : '',
          mib(indexBytes(c)),
          c.size ?? '',
          '',
        ]
          .join(' | ')
          .trim(),
      ),
    ),
  ];
  const sizes = [
    '',
    `| database | table or index | size |`,
    `|---|---|---|`,
    ...results.flatMap(r =>
      Object.entries(r.relations ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, bytes]) => `| ${r.database} | ${name} | ${mib(bytes)} |`),
    ),
  ];
  process.stdout.write(`${[...lines, ...growth, ...sizes].join('\n')}\n`);
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
