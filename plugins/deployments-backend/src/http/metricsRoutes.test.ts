import {
  mockServices,
  startTestBackend,
  TestDatabaseId,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { LedgerDeployment } from '../database/DeploymentStore';
import { KnexDeploymentStore } from '../database/KnexDeploymentStore';
import { deploymentsPlugin } from '../plugin';
import request from 'supertest';
import { ALICE, as, databases } from './__testUtils__/routerTestKit';

jest.setTimeout(60_000);

const T0 = Date.UTC(2026, 9, 5, 0, 0);
const HOUR = 3_600_000;
const h = (hours: number) => new Date(T0 + hours * HOUR).toISOString();
const FROM = h(0);
const TO = h(14 * 24);

const owned = (name: string, owner: string, path?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    ...(path ? { annotations: { 'stagecraft.io/promotion-path': path } } : {}),
  },
  spec: { type: 'service', owner, lifecycle: 'production' },
  relations: [{ type: 'ownedBy', targetRef: `group:default/${owner}` }],
});

const PAYMENTS = 'component:default/payments-api';
const WORKER = 'component:default/ledger-worker';
const DOCS = 'component:default/docs-site';
const SECRET = 'component:default/secret-service';
const ENTITIES = [
  owned('payments-api', 'team-payments'),
  // Its last environment is eu-production, not production.
  owned('ledger-worker', 'team-payments', 'dev,production,eu-production'),
  owned('docs-site', 'team-docs'),
];

let ids = 0;
function deployment(
  environment: string,
  sha: string,
  hour: number,
  end: 'success' | 'failure',
  message = 'A change',
): LedgerDeployment {
  ids += 1;
  return {
    providerDeploymentId: `m${ids}`,
    environment,
    version: { sha: sha.repeat(40), message },
    statuses: [
      { state: 'in_progress', at: h(hour) },
      { state: end, at: h(hour + 1) },
    ],
    createdAt: h(hour),
    updatedAt: h(hour + 1),
  };
}

/**
 * payments-api: a first deployed at 0 h into dev, production at 10 h
 * (lead 11 h); b into dev at 50 h, production fails at 60 h, c into
 * production at 70 h (lead 21 h from its dev deployment at 50 h).
 * ledger-worker: d into dev at 0 h and eu-production at 30 h (lead 31 h);
 * its production deployments do not count. docs-site and a service the
 * catalog does not show each have one production deployment.
 */
async function start(databaseId: TestDatabaseId) {
  const knex = await databases.init(databaseId);
  const { server } = await startTestBackend({
    features: [
      deploymentsPlugin,
      catalogServiceMock.factory({ entities: ENTITIES }),
      mockServices.database.factory({ knex }),
      mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      mockServices.rootConfig.factory({ data: {} }),
    ],
  });
  const store = await KnexDeploymentStore.create({
    database: mockServices.database({ knex }),
  });
  await store.upsertDeployments(PAYMENTS, 'test', [
    deployment('dev', 'a', 0, 'success'),
    deployment('production', 'a', 10, 'success'),
    deployment('dev', 'b', 50, 'success'),
    deployment('dev', 'c', 50, 'success'),
    deployment('production', 'b', 60, 'failure'),
    deployment('production', 'c', 70, 'success'),
  ]);
  await store.upsertDeployments(WORKER, 'test', [
    deployment('dev', 'd', 0, 'success'),
    deployment('production', 'd', 20, 'success'),
    deployment('eu-production', 'd', 30, 'success'),
  ]);
  await store.upsertDeployments(DOCS, 'test', [
    deployment('production', 'e', 5, 'success'),
  ]);
  await store.upsertDeployments(SECRET, 'test', [
    deployment('production', 'f', 5, 'failure'),
  ]);
  return { server, knex };
}

const ENTITY_BASE = '/api/deployments/entities/component/default';

describe.each(databases.eachSupportedId())(
  'delivery metrics routes on %s',
  databaseId => {
    it("answers an entity's figures in its last environment, with the deployments behind them", async () => {
      const { server } = await start(databaseId);
      const response = await request(server)
        .get(`${ENTITY_BASE}/payments-api/metrics`)
        .query({ from: FROM, to: TO })
        .set(as(ALICE));
      expect(response.status).toBe(200);
      const body = response.body;
      expect(body.entityRef).toBe(PAYMENTS);
      expect(body.environment).toBe('production');
      expect(body.from).toBe(FROM);
      expect(body.to).toBe(TO);
      expect(body.figures.deployments.count).toBe(2);
      expect(body.figures.leadTime.medianSeconds).toBe(16 * 3600); // 11 h, 21 h
      expect(body.figures.changeFailureRate).toMatchObject({
        rate: 0.3333,
        failures: 1,
        changes: 3,
      });
      // b failed at 60 h, c succeeded at 71 h.
      expect(body.figures.timeToRestore.medianSeconds).toBe(11 * 3600);
      expect(body.weeks).toHaveLength(2);
      expect(body.previous.figures.deployments.count).toBe(0);
      const listed = new Map(
        body.deployments.map((d: any) => [d.id, d.version.sha[0]]),
      );
      expect(
        body.figures.changeFailureRate.deploymentIds.map((id: string) =>
          listed.get(id),
        ),
      ).toEqual(['b']);
      expect(
        body.figures.deployments.deploymentIds.map((id: string) =>
          listed.get(id),
        ),
      ).toEqual(['a', 'c']);
    });

    it("takes the last environment of the entity's own promotion path", async () => {
      const { server } = await start(databaseId);
      const response = await request(server)
        .get(`${ENTITY_BASE}/ledger-worker/metrics`)
        .query({ from: FROM, to: TO })
        .set(as(ALICE));
      expect(response.status).toBe(200);
      expect(response.body.environment).toBe('eu-production');
      expect(response.body.figures.deployments.count).toBe(1);
      expect(response.body.figures.leadTime.medianSeconds).toBe(31 * 3600);
    });

    it('sums up the entities an owner owns, and gives each its own figures', async () => {
      const { server } = await start(databaseId);
      const response = await request(server)
        .get('/api/deployments/metrics')
        .query({ owner: 'group:default/team-payments', from: FROM, to: TO })
        .set(as(ALICE));
      expect(response.status).toBe(200);
      const body = response.body;
      expect(body.owner).toBe('group:default/team-payments');
      expect(
        body.entities.map((e: any) => [
          e.entityRef,
          e.environment,
          e.figures.deployments.count,
        ]),
      ).toEqual([
        [PAYMENTS, 'production', 2],
        [WORKER, 'eu-production', 1],
      ]);
      expect(body.figures.deployments.count).toBe(3);
      // 11 h, 21 h, 31 h
      expect(body.figures.leadTime.medianSeconds).toBe(21 * 3600);
      expect(body.figures.changeFailureRate).toMatchObject({
        failures: 1,
        changes: 4,
        rate: 0.25,
      });
      expect(new Set(body.deployments.map((d: any) => d.entityRef))).toEqual(
        new Set([PAYMENTS, WORKER]),
      );
      expect(body.truncated).toBeUndefined();

      const short = await request(server)
        .get('/api/deployments/metrics')
        .query({ owner: 'team-docs', from: FROM, to: TO })
        .set(as(ALICE));
      expect(short.status).toBe(200);
      expect(short.body.owner).toBe('group:default/team-docs');
      expect(short.body.entities.map((e: any) => e.entityRef)).toEqual([DOCS]);
    });

    it('answers 404 for an entity the catalog does not show', async () => {
      const { server } = await start(databaseId);
      const response = await request(server)
        .get(`${ENTITY_BASE}/secret-service/metrics`)
        .set(as(ALICE));
      expect(response.status).toBe(404);
    });

    it.each([
      [{ period: 'ninety' }, /period/],
      [{ period: '0d' }, /period must be 1d to 366d/],
      [{ period: '400d' }, /period must be 1d to 366d/],
      [{ period: '30d', from: FROM }, /either period or from\/to/],
      [{ from: TO, to: FROM }, /from must come before to/],
      [{ to: TO }, /to needs a from/],
      [{ from: '2025-01-01', to: '2026-06-01' }, /at most 366 days/],
      [{ from: 'yesterday' }, /from/],
      [{ limit: '5' }, /limit/],
    ])(
      'refuses the query %p with a 400 that names the problem',
      async (query, message) => {
        const { server, knex } = await start(databaseId);
        const before = await knex('deployments').count({ n: '*' });
        const response = await request(server)
          .get(`${ENTITY_BASE}/payments-api/metrics`)
          .query(query)
          .set(as(ALICE));
        expect(response.status).toBe(400);
        expect(response.body.error.message).toMatch(message);
        expect(await knex('deployments').count({ n: '*' })).toEqual(before);
      },
    );

    it.each([
      [{}, /owner/],
      [{ owner: 'component:default/payments-api' }, /group or a user/],
      [{ owner: 'group:default/team a' }, /owner/],
      [{ owner: 'team-payments', period: 'x' }, /period/],
    ])('refuses the owner query %p with a 400', async (query, message) => {
      const { server } = await start(databaseId);
      const response = await request(server)
        .get('/api/deployments/metrics')
        .query(query)
        .set(as(ALICE));
      expect(response.status).toBe(400);
      expect(response.body.error.message).toMatch(message);
    });
  },
);
