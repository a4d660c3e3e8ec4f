/*
 * Seeds the deployments plugin's SQLite database for `npm run bench:ui`: one
 * entity with a long history, written through the real KnexDeploymentStore
 * (loaded with the Backstage CLI's node transform, as the backend loads it)
 * and its migrations, before the backend starts on the same file.
 *
 *   node scripts/bench-ui-seed.cjs <sqlite file> <entity ref> <versions>
 *
 * Each version goes to dev, then staging, then production (about 5 % fail in
 * production), every six hours up to now. The newest version is only in dev
 * and the one before it has reached staging, so the dev and staging lanes can
 * be promoted. The sync state says the entity was synced a minute ago.
 */
require('@backstage/cli/config/nodeTransform.cjs');
const knexFactory = require('knex');
const {
  KnexDeploymentStore,
} = require('../plugins/deployments-backend/src/database/KnexDeploymentStore.ts');

const [filename, entityRef, versionsArg] = process.argv.slice(2);

const PROVIDER = 'github';
const PATH = ['dev', 'staging', 'production'];
const HOUR = 3600_000;
const REPOSITORY = 'https://github.com/acme/payments-api';
const PEOPLE = ['alice', 'bob', 'guest', 'github-actions[bot]'];

/** Deterministic pseudo-random numbers (mulberry32), so every run seeds the same history. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sha = version =>
  `5eed${version.toString(16).padStart(8, '0')}`.padEnd(40, '0');

/** The seeded entity's history of `VERSIONS` versions, the newest a few minutes before `now`. */
function history(now, VERSIONS) {
  const next = random(42);
  const newest = now - 5 * 60_000;
  const deployments = [];
  let id = 4_000_000;
  for (let version = 0; version < VERSIONS; version++) {
    // The newest version is only in dev, the one before it reached staging.
    const reached = PATH.length - Math.max(0, version - (VERSIONS - 3));
    const versionAt = newest - (VERSIONS - 1 - version) * 6 * HOUR;
    for (let step = 0; step < reached; step++) {
      const environment = PATH[step];
      const created = versionAt - (reached - 1 - step) * HOUR;
      const failed = environment === 'production' && next() < 0.05;
      const runId = 900_000 + version * 3 + step;
      const statuses = [
        { state: 'queued', at: new Date(created).toISOString() },
        { state: 'in_progress', at: new Date(created + 30_000).toISOString() },
        {
          state: failed ? 'failure' : 'success',
          at: new Date(
            Math.min(now, created + 120_000 + next() * 240_000),
          ).toISOString(),
          logUrl: `${REPOSITORY}/actions/runs/${runId}`,
        },
      ];
      deployments.push({
        providerDeploymentId: String(id++),
        environment,
        version: {
          sha: sha(version),
          tag: `v2.${version}.0`,
          message: `Release ${version}: payment capture and refund changes`,
          url: `${REPOSITORY}/commit/${sha(version)}`,
        },
        statuses,
        createdAt: new Date(created).toISOString(),
        updatedAt: statuses[statuses.length - 1].at,
        triggeredBy: PEOPLE[Math.floor(next() * PEOPLE.length)],
        url: `${REPOSITORY}/actions/runs/${runId}`,
        strategy: { type: 'all-at-once' },
      });
    }
  }
  return deployments;
}

async function main() {
  const VERSIONS = Number(versionsArg);
  if (!filename || !entityRef || !Number.isInteger(VERSIONS) || VERSIONS < 2) {
    throw new Error(
      'usage: node scripts/bench-ui-seed.cjs <sqlite file> <entity ref> <versions ≥ 2>',
    );
  }
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
  });
  try {
    const store = await KnexDeploymentStore.create({
      database: { getClient: async () => knex },
    });
    const now = Date.now();
    const deployments = history(now, VERSIONS);
    const result = await store.upsertDeployments(
      entityRef,
      PROVIDER,
      deployments,
    );
    await store.recordSyncSuccess({
      entityRef,
      provider: PROVIDER,
      // The entity's GitHub target: its repository (github.com/project-slug).
      targetKey: 'acme/payments-api',
      at: new Date(now - 60_000),
    });
    const [{ versions }] = await knex('versions')
      .where({ entity_ref: entityRef })
      .count({ versions: '*' });
    console.log(
      `[bench:ui] seeded ${entityRef}: ${result.inserted} deployments, ${versions} versions`,
    );
  } finally {
    await knex.destroy();
  }
}

module.exports = { history, PROVIDER };

if (require.main === module) {
  main().catch(error => {
    console.error(error);
    process.exit(1);
  });
}
