/*
 * Where SQLite's ingest time goes: the ledger's own tables (from its
 * migrations) written with plain better-sqlite3 prepared statements, one
 * transaction per entity of 1,000 deployments with three statuses each (the
 * ledger benchmark's shape), without Knex or the store — the floor any
 * store code on this schema can reach — and the same with some of the
 * deployments table's secondary indexes dropped. Prints deployments per
 * second for each quarter of the run, so a rate that falls as the file grows
 * shows.
 *
 *   node bench/sqliteIndexCost.js [entities, default 200]
 */
const { mkdtempSync, copyFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');
const Database = require('better-sqlite3');
const knexFactory = require('knex');

const ENTITIES = Number(process.argv[2] ?? 200);
const COLUMNS = [
  'provider',
  'provider_deployment_id',
  'entity_ref',
  'environment',
  'sha',
  'tag',
  'message',
  'state',
  'state_at',
  'created_at',
  'updated_at',
  'finished_at',
  'triggered_by',
  'url',
  'strategy',
  'traffic_percent',
  'commit_unknown',
];
const START = Date.UTC(2024, 0, 1);
const HOUR = 3600_000;

function deployment(entity, n) {
  const created = START + Math.floor(n / 3) * 6 * HOUR + (n % 3) * HOUR;
  return {
    provider: 'bench',
    provider_deployment_id: `${entity}-${n}`,
    entity_ref: `component:default/service-${entity}`,
    environment: ['dev', 'staging', 'production'][n % 3],
    sha: `${entity.toString(16).padStart(8, '0')}${Math.floor(n / 3)
      .toString(16)
      .padStart(32, '0')}`,
    tag: `v1.${Math.floor(n / 3)}.0`,
    message: `Release ${Math.floor(n / 3)} of service ${entity}`,
    state: 'success',
    state_at: created + 300_000,
    created_at: created,
    updated_at: created + 300_000,
    finished_at: created + 300_000,
    triggered_by: 'alice',
    url: `https://ci.example.com/runs/${entity}-${n}`,
    strategy: 'canary',
    traffic_percent: 100,
    commit_unknown: 0,
  };
}

/**
 * The schema change the ingest goal would need: the deployments table's
 * entity-led indexes keyed by a small integer for the entity instead of its
 * ~30-byte ref (the ref stays in the row).
 */
const INTEGER_ENTITY_KEY = [
  'ALTER TABLE deployments ADD COLUMN entity_id INTEGER',
  'DROP INDEX deployments_entity_key_uniq',
  'DROP INDEX deployments_current_idx',
  'DROP INDEX deployments_latest_idx',
  'DROP INDEX deployments_entity_sha_idx',
  'CREATE UNIQUE INDEX deployments_entity_key_uniq ON deployments (entity_id, provider, provider_deployment_id)',
  'CREATE INDEX deployments_current_idx ON deployments (entity_id, environment, state, created_at)',
  'CREATE INDEX deployments_latest_idx ON deployments (entity_id, environment, created_at)',
  'CREATE INDEX deployments_entity_sha_idx ON deployments (entity_id, sha, environment)',
];

function run(schema, label, dropIndexes, alterations = []) {
  const file = join(tmpdir(), `stagecraft-index-cost-${process.pid}.sqlite`);
  copyFileSync(schema, file);
  const db = new Database(file);
  for (const statement of alterations) db.exec(statement);
  for (const index of dropIndexes) db.exec(`DROP INDEX ${index}`);
  const columns = alterations.length ? [...COLUMNS, 'entity_id'] : COLUMNS;
  const insert = db.prepare(
    `INSERT INTO deployments (${columns.join(', ')}) VALUES (${columns.map(
      () => '?',
    ).join(', ')}) ON CONFLICT DO NOTHING RETURNING id`,
  );
  const status = db.prepare(
    'INSERT INTO deployment_statuses (deployment_id, state, at, log_url) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const entity = db.transaction(e => {
    for (let n = 0; n < 1000; n++) {
      const d = deployment(e, n);
      d.entity_id = e + 1;
      const { id } = insert.get(columns.map(c => d[c]));
      status.run(id, 'queued', d.created_at, null);
      status.run(id, 'in_progress', d.created_at + 30_000, null);
      status.run(id, 'success', d.finished_at, `${d.url}/logs`);
    }
  });
  const quarters = [];
  let started = performance.now();
  const quarter = Math.max(1, Math.floor(ENTITIES / 4));
  for (let e = 0; e < ENTITIES; e++) {
    entity(e);
    if ((e + 1) % quarter === 0) {
      quarters.push(
        Math.round((quarter * 1000) / ((performance.now() - started) / 1000)),
      );
      started = performance.now();
    }
  }
  db.close();
  rmSync(file, { force: true });
  console.log(
    `${label.padEnd(44)} ${quarters
      .map(q => q.toLocaleString('en-US').padStart(7))
      .join(' ')}   deployments/s per quarter`,
  );
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'stagecraft-index-cost-'));
  const schema = join(dir, 'schema.sqlite');
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: schema },
    useNullAsDefault: true,
  });
  await knex.migrate.latest({ directory: join(__dirname, '..', 'migrations') });
  await knex.destroy();
  console.log(
    `SQLite ingest floor: ${ENTITIES} entities × 1,000 deployments, 3 statuses each`,
  );
  // Alternated twice, so a busy moment of the machine does not favour one.
  for (let round = 0; round < 2; round++) {
    run(schema, 'all indexes (the ledger as migrated)', []);
    run(schema, 'without deployments_created_idx', ['deployments_created_idx']);
    run(schema, 'integer entity key', [], INTEGER_ENTITY_KEY);
    run(
      schema,
      'integer entity key, without created_idx',
      ['deployments_created_idx'],
      INTEGER_ENTITY_KEY,
    );
    run(schema, 'without the four secondary indexes', [
      'deployments_created_idx',
      'deployments_current_idx',
      'deployments_latest_idx',
      'deployments_entity_sha_idx',
    ]);
  }
  rmSync(dir, { recursive: true, force: true });
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
