import { Knex } from 'knex';
import {
  ENTITY,
  OTHER,
  PATH,
  at,
  gate,
  report,
  sha,
  status,
  storeTestDatabases,
  useStore,
} from './__testUtils__/storeTestKit';
import type { KnexDeploymentStore } from './KnexDeploymentStore';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

/** The statements a store call sends, with their bindings. */
async function statementsOf(
  knex: Knex,
  call: () => Promise<unknown>,
): Promise<Array<{ sql: string; bindings: readonly unknown[] }>> {
  const seen: Array<{ sql: string; bindings: readonly unknown[] }> = [];
  const listener = (query: { sql: string; bindings?: readonly unknown[] }) =>
    seen.push({ sql: query.sql, bindings: query.bindings ?? [] });
  knex.on('query', listener);
  try {
    await call();
  } finally {
    knex.removeListener('query', listener);
  }
  return seen.filter(s => /^\s*(select|with|delete)/i.test(s.sql));
}

/**
 * The plan lines that read a whole table. PostgreSQL is told to avoid
 * sequential scans, so one shows only where no index serves the query
 * (on tables this small it would otherwise prefer one anyway).
 */
async function fullScans(
  knex: Knex,
  statement: { sql: string; bindings: readonly unknown[] },
): Promise<string[]> {
  if (knex.client.config.client === 'pg') {
    return knex.transaction(async tx => {
      await tx.raw('SET LOCAL enable_seqscan = off');
      // The query event shows PostgreSQL's numbered placeholders.
      const { rows } = await tx.raw(
        `EXPLAIN ${statement.sql.replace(/\$\d+/g, '?')}`,
        statement.bindings as any[],
      );
      return rows
        .map((row: { 'QUERY PLAN': string }) => row['QUERY PLAN'])
        .filter((line: string) => /Seq Scan/.test(line));
    });
  }
  const plan: Array<{ detail: string }> = await knex.raw(
    `EXPLAIN QUERY PLAN ${statement.sql}`,
    statement.bindings as any[],
  );
  // `SCAN x` without an index; the bounded subqueries of the environment
  // states aside (`lookup_n`: one row, `before_n`: two rows), whose own
  // reads of `deployments` must still use an index.
  return plan
    .map(row => row.detail)
    .filter(
      detail =>
        /^SCAN /.test(detail) &&
        !/USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY|^SCAN (lookup|before)_\d+|CONSTANT ROW/.test(
          detail,
        ),
    );
}

describe.each(databases.eachSupportedId())(
  'Indexes of page queries on %p',
  databaseId => {
    const db = useStore(databases, databaseId);

    beforeEach(async () => {
      const { store } = db;
      for (const entity of [ENTITY, OTHER]) {
        await store.upsertDeployments(
          entity,
          'github',
          [1, 2, 3].map(n =>
            report(String(n), {
              environment: PATH[n - 1],
              version: { sha: sha(n) },
              statuses: [status('success', n)],
            }),
          ),
        );
        await store.setEntityTargets(entity, 'github', [
          {
            key: 'acme/payments',
            routingKeys: ['acme/payments'],
            environments: 'all',
          },
        ]);
        await store.openGates(entity, 'github', 'acme/payments', [gate('1')]);
        await store.recordSyncSuccess({
          entityRef: entity,
          provider: 'github',
          targetKey: 'acme/payments',
          at: new Date(at(0)),
        });
      }
    });

    const pageQueries: Array<
      [string, (store: KnexDeploymentStore) => Promise<unknown>]
    > = [
      [
        'environments: states and links',
        s => s.getEnvironmentStates(ENTITY, PATH),
      ],
      ['environments: gates of the entity', s => s.listOpenGates(ENTITY)],
      ['environments: sync status', s => s.listSyncStatus(ENTITY)],
      ['environments: traffic', s => s.getTraffic(ENTITY)],
      ['environments: protection', s => s.listEnvironmentProtection(ENTITY)],
      ['environments: targets', s => s.targetsOfEntity(ENTITY)],
      [
        'timeline',
        s => s.getTimeline(ENTITY, { environments: PATH, limit: 50 }),
      ],
      ['audit', s => s.listAudit(ENTITY, {}, { limit: 50 })],
      ['approvals: gates across entities', s => s.listOpenGates()],
      ['approvals: pending requests', s => s.listPendingRequests()],
      ['a deployment', s => s.getDeployment(ENTITY, 'github:2')],
      ['a gate', s => s.getGate(ENTITY, 'github:1')],
      [
        'webhooks: routing key',
        s => s.targetsForRoutingKey('github', 'acme/payments'),
      ],
      ['promotion order', s => s.hasSucceeded(ENTITY, 'staging', sha(2))],
      [
        'roll back target',
        s => s.previousSuccessfulVersion(ENTITY, 'production'),
      ],
      [
        'retention',
        s =>
          s.prune({
            webhookDeliveries: new Date(),
            idempotencyKeys: new Date(),
            diffCache: new Date(),
            deployments: new Date(),
            auditLog: new Date(),
          }),
      ],
    ];

    it('sees a query that no index serves', async () => {
      const [statement] = await statementsOf(db.knex, () =>
        db.knex('audit_log').where('actor', 'user:default/alice').select(),
      );
      expect(await fullScans(db.knex, statement)).toHaveLength(1);
    });

    it.each(pageQueries)('serves %s from indexes', async (_name, call) => {
      const statements = await statementsOf(db.knex, () => call(db.store));
      expect(statements.length).toBeGreaterThan(0);
      for (const statement of statements) {
        expect({
          sql: statement.sql,
          scans: await fullScans(db.knex, statement),
        }).toEqual({ sql: statement.sql, scans: [] });
      }
    });
  },
);
