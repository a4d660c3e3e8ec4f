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
import { fullScans, statementsOf } from './__testUtils__/queryPlans';

jest.setTimeout(60_000);

const databases = storeTestDatabases();

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
