/*
 * Seeds the deployments plugin's database for `npm run bench:http`: the
 * demo entity component:default/payments-api with a 500-version history,
 * plus other entities' histories until the ledger holds the asked number of
 * deployments, all written through the real KnexDeploymentStore and its
 * migrations (loaded with the Backstage CLI's node transform, as the backend
 * loads them) before the backend starts on the same database.
 *
 *   node scripts/bench-http-seed.cjs <knex client> <connection> <deployments>
 *
 * <connection> is the SQLite file (better-sqlite3) or a PostgreSQL URL (pg).
 */
require('@backstage/cli/config/nodeTransform.cjs');
const knexFactory = require('knex');
const {
  KnexDeploymentStore,
} = require('../plugins/deployments-backend/src/database/KnexDeploymentStore.ts');
const { history, PROVIDER } = require('./bench-ui-seed.cjs');

const [client, connection, deploymentsArg] = process.argv.slice(2);
const TOTAL = Number(deploymentsArg);
const MEASURED = 'component:default/payments-api';
const FILLER_VERSIONS = 334; // about 1,000 deployments per entity

async function main() {
  if (!client || !connection || !Number.isInteger(TOTAL) || TOTAL < 1) {
    throw new Error(
      'usage: node scripts/bench-http-seed.cjs <better-sqlite3|pg> <file|url> <deployments>',
    );
  }
  const knex = knexFactory(
    client === 'better-sqlite3'
      ? { client, connection: { filename: connection }, useNullAsDefault: true }
      : { client, connection },
  );
  try {
    const store = await KnexDeploymentStore.create({
      database: { getClient: async () => knex },
    });
    const now = Date.now();
    const started = Date.now();
    let written = (
      await store.upsertDeployments(MEASURED, PROVIDER, history(now, 500))
    ).inserted;
    await store.recordSyncSuccess({
      entityRef: MEASURED,
      provider: PROVIDER,
      targetKey: 'acme/payments-api',
      at: new Date(now - 60_000),
    });
    for (let n = 1; written < TOTAL; n++) {
      const ref = `component:default/bench-filler-${n}`;
      const reports = history(now, FILLER_VERSIONS).slice(0, TOTAL - written);
      written += (await store.upsertDeployments(ref, PROVIDER, reports))
        .inserted;
      if (n % 100 === 0) {
        process.stdout.write(
          `[bench:http] seeded ${written.toLocaleString('en-US')} deployments\n`,
        );
      }
    }
    if (client === 'pg') await knex.raw('ANALYZE');
    process.stdout.write(
      `[bench:http] seeded ${written.toLocaleString(
        'en-US',
      )} deployments in ${Math.round((Date.now() - started) / 1000)} s\n`,
    );
  } finally {
    await knex.destroy();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
