/*
 * Benchmark of the delivery metrics (DORA): a ledger of ENTITIES ×
 * DEPLOYMENTS deployments (a year of history per entity: each version to
 * dev, staging, production; some production failures each followed by a
 * roll back and a hotfix), then the per-entity figures for a 90-day period
 * (the period, the one before, the weeks) as `GET …/metrics` computes them,
 * on SQLite and PostgreSQL. The real store, migrations and queries; nothing
 * is mocked.
 *
 *   node bench/runMetrics.js            (from plugins/deployments-backend)
 *   BENCH_ENTITIES=50 BENCH_DATABASES=sqlite node bench/runMetrics.js
 *
 * Environment: BENCH_ENTITIES (default 1000), BENCH_DEPLOYMENTS per entity
 * (default 1000), BENCH_SAMPLES (default 200), BENCH_DATABASES (sqlite,
 * postgres), BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432),
 * BENCH_PERIOD_DAYS (default 90).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import knexFactory, { Knex } from 'knex';
import type { DeploymentStatusEntry } from '@stagecraft/plugin-deployments-common';
import type { LedgerDeployment } from '../src/database/DeploymentStore';
import { KnexDeploymentStore } from '../src/database/KnexDeploymentStore';
import { KnexDeliveryMetrics } from '../src/database/metrics/KnexDeliveryMetrics';
import {
  classifyEntity,
  deliveryMetrics,
  DEFAULT_HOTFIX_WINDOW_MS,
} from '../src/reads/DeliveryMetrics';

const ENTITIES = positiveInt('BENCH_ENTITIES', 1000);
const DEPLOYMENTS = positiveInt('BENCH_DEPLOYMENTS', 1000);
const SAMPLES = positiveInt('BENCH_SAMPLES', 200);
const PERIOD_DAYS = positiveInt('BENCH_PERIOD_DAYS', 90);
const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,postgres')
  .split(',')
  .map(s => s.trim())
  .filter(Boolean);
const POSTGRES_URL =
  process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432';

const PATH = ['dev', 'staging', 'production'];
const PROVIDER = 'bench';
const HOUR = 3600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2025, 0, 1);
/** A version every 26 hours: 1000 deployments are about a year. */
const VERSION_EVERY = 26 * HOUR;
const RULES = {
  hotfixWindowMs: DEFAULT_HOTFIX_WINDOW_MS,
  hotfixPattern: /^\s*(hotfix|revert)\b/i,
};

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
 * One entity's year: each version goes to dev, staging, production; 6 % of
 * production deployments fail, and are followed by a roll back (the last
 * good version again) and a hotfix as the next version.
 */
function historyOf(entity: number): LedgerDeployment[] {
  const next = random(entity + 1);
  const out: LedgerDeployment[] = [];
  let lastGood = -1;
  let hotfix = false;
  const push = (
    n: number,
    environment: string,
    version: number,
    created: number,
    final: 'success' | 'failure',
  ) => {
    const statuses: DeploymentStatusEntry[] = [
      { state: 'queued', at: new Date(created).toISOString() },
      { state: 'in_progress', at: new Date(created + 30_000).toISOString() },
      {
        state: final,
        at: new Date(created + 300_000 + next() * 300_000).toISOString(),
      },
    ];
    out.push({
      providerDeploymentId: `${entity}-${n}`,
      environment,
      version: {
        sha: sha(entity, version),
        tag: `v1.${version}.0`,
        message: `${
          hotfix ? 'Hotfix: ' : ''
        }Release ${version} of service ${entity}`,
      },
      statuses,
      createdAt: new Date(created).toISOString(),
      updatedAt: statuses[statuses.length - 1].at,
      url: `https://ci.example.com/runs/${entity}-${n}`,
    });
  };
  for (let version = 0; out.length < DEPLOYMENTS; version++) {
    const base = START + version * VERSION_EVERY;
    for (const [index, environment] of PATH.entries()) {
      if (out.length >= DEPLOYMENTS) break;
      const failed = environment === 'production' && next() < 0.06;
      push(
        out.length,
        environment,
        version,
        base + index * 2 * HOUR,
        failed ? 'failure' : 'success',
      );
      if (environment !== 'production') continue;
      if (failed && lastGood >= 0 && out.length < DEPLOYMENTS) {
        push(out.length, 'production', lastGood, base + 7 * HOUR, 'success');
      }
      if (!failed) lastGood = version;
    }
    hotfix =
      out[out.length - 1]?.statuses[2].state === 'failure' ||
      (out.length >= 2 && out[out.length - 2]?.statuses[2].state === 'failure');
  }
  return out;
}

function percentile(sorted: number[], p: number): number {
  return sorted[
    Math.min(
      sorted.length - 1,
      Math.max(0, Math.ceil((p / 100) * sorted.length) - 1),
    )
  ];
}
const round = (value: number) => Math.round(value * 100) / 100;

interface Result {
  database: string;
  deployments: number;
  ingestSeconds: number;
  perEntity: { p50: number; p95: number; max: number };
  rowsPerEntity: number;
  size?: string;
}

async function open(database: string) {
  if (database === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'stagecraft-metrics-bench-'));
    const filename = join(dir, 'ledger.sqlite');
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: { filename },
      useNullAsDefault: true,
    });
    return {
      knex,
      cleanup: async () => {
        await knex.destroy();
        rmSync(dir, { recursive: true, force: true });
      },
      size: async () => `${(statSync(filename).size / 2 ** 20).toFixed(0)} MiB`,
    };
  }
  if (database === 'postgres') {
    const name = `stagecraft_metrics_bench_${process.pid}`;
    const admin = knexFactory({
      client: 'pg',
      connection: `${POSTGRES_URL}/postgres`,
    });
    await admin.raw('CREATE DATABASE ??', [name]);
    const knex: Knex = knexFactory({
      client: 'pg',
      connection: `${POSTGRES_URL}/${name}`,
    });
    return {
      knex,
      cleanup: async () => {
        await knex.destroy();
        await admin.raw('DROP DATABASE IF EXISTS ??', [name]);
        await admin.destroy();
      },
      size: async () => {
        const { rows } = await knex.raw(
          'SELECT pg_size_pretty(pg_database_size(current_database())) AS size',
        );
        return rows[0].size as string;
      },
    };
  }
  throw new Error(`Unknown database '${database}' in BENCH_DATABASES`);
}

async function runOn(database: string): Promise<Result> {
  const { knex, cleanup, size } = await open(database);
  try {
    const store = await KnexDeploymentStore.create({
      database: { getClient: async () => knex },
    });
    let ingestMs = 0;
    let total = 0;
    let end = 0;
    for (let entity = 0; entity < ENTITIES; entity++) {
      const history = historyOf(entity);
      end = Math.max(end, ...history.map(d => Date.parse(d.createdAt)));
      const started = performance.now();
      const { inserted } = await store.upsertDeployments(
        entityRef(entity),
        PROVIDER,
        history,
      );
      ingestMs += performance.now() - started;
      total += inserted;
      if ((entity + 1) % 100 === 0 || entity + 1 === ENTITIES) {
        process.stderr.write(
          `  ${database}: ${
            entity + 1
          }/${ENTITIES} entities, ${total} deployments, ${Math.round(
            total / (ingestMs / 1000),
          )}/s\n`,
        );
      }
    }
    if (database === 'postgres') await knex.raw('ANALYZE');

    const metrics = new KnexDeliveryMetrics(knex);
    const to = new Date(end + HOUR);
    const range = { from: new Date(to.getTime() - PERIOD_DAYS * DAY), to };
    const compute = async (entity: number) =>
      deliveryMetrics(
        await classifyEntity(metrics, {
          entityRef: entityRef(entity),
          environment: 'production',
          range,
          rules: RULES,
          now: to,
        }),
        range,
        RULES,
      );
    const pick = random(42);
    const sampled = Array.from({ length: SAMPLES }, () =>
      Math.floor(pick() * ENTITIES),
    );
    for (const entity of sampled.slice(0, 20)) await compute(entity); // warm-up
    const times: number[] = [];
    let rows = 0;
    for (const entity of sampled) {
      const started = performance.now();
      const result = await compute(entity);
      times.push(performance.now() - started);
      rows += result.deployments.length;
      if (result.figures.deployments.count === 0) {
        throw new Error(
          `No production deployments counted for ${entityRef(entity)}`,
        );
      }
    }
    const sorted = [...times].sort((a, b) => a - b);
    return {
      database,
      deployments: total,
      ingestSeconds: round(ingestMs / 1000),
      perEntity: {
        p50: round(percentile(sorted, 50)),
        p95: round(percentile(sorted, 95)),
        max: round(sorted[sorted.length - 1]),
      },
      rowsPerEntity: Math.round(rows / sampled.length),
      size: await size(),
    };
  } finally {
    await cleanup();
  }
}

async function main() {
  process.stderr.write(
    `Delivery metrics benchmark: ${ENTITIES} entities × ${DEPLOYMENTS} deployments, ${PERIOD_DAYS}-day period, ${SAMPLES} samples, ${
      cpus().length
    } CPUs, load ${loadavg()
      .map(l => l.toFixed(2))
      .join(' ')}, Node ${process.version}\n`,
  );
  const results: Result[] = [];
  for (const database of DATABASES) results.push(await runOn(database));
  const lines = [
    `| database | deployments | ingest (s) | per-entity ${PERIOD_DAYS}-day metrics p50 / p95 / max (ms) | deployments listed per entity | size |`,
    `|---|---|---|---|---|---|`,
    ...results.map(
      r =>
        `| ${r.database} | ${r.deployments.toLocaleString('en-US')} | ${
          r.ingestSeconds
        } | ${r.perEntity.p50} / ${r.perEntity.p95} / ${r.perEntity.max} | ${
          r.rowsPerEntity
        } | ${r.size ?? ''} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  process.stderr.write(
    `load after: ${loadavg()
      .map(l => l.toFixed(2))
      .join(' ')}\n`,
  );
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

main().catch(error => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exitCode = 1;
});
