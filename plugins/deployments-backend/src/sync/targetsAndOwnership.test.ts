import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type {
  DeploymentProvider,
  ProviderDeployment,
} from '@stagecraft/plugin-deployments-node';
import {
  TEST_SIGNATURE_HEADER,
  TestDeploymentProvider,
} from '@stagecraft/plugin-deployments-node/testing';
import { KnexDeploymentStore } from '../database/KnexDeploymentStore';
import { DeploymentSync } from './DeploymentSync';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const sha = (n: number) => n.toString(16).padStart(40, '0');

function component(name: string, annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'service' },
  };
}

function deployment(
  id: string,
  environment: string,
  n = Number(id),
): ProviderDeployment {
  const at = new Date(Date.UTC(2026, 10, 1, 12, n)).toISOString();
  return {
    providerDeploymentId: id,
    environment,
    version: { sha: sha(n) },
    statuses: [{ state: 'success', at }],
    createdAt: at,
    updatedAt: at,
  };
}

describe.each(databases.eachSupportedId())(
  'DeploymentSync with several targets and providers, on %p',
  databaseId => {
    let store: KnexDeploymentStore;
    let git: TestDeploymentProvider;
    let stacks: TestDeploymentProvider;
    let knex: Awaited<ReturnType<typeof databases.init>>;

    async function setup(entities: Entity[]) {
      knex = await databases.init(databaseId);
      store = await KnexDeploymentStore.create({
        database: { getClient: async () => knex },
      });
      git = new TestDeploymentProvider();
      stacks = new TestDeploymentProvider({
        id: 'stacks',
        changeSource: false,
        capabilities: ['abort', 'handleWebhook'],
      });
      const providers = new Map<string, DeploymentProvider>([
        [git.id, git],
        [stacks.id, stacks],
      ]);
      const make = () =>
        new DeploymentSync({
          store,
          providers,
          catalog: catalogServiceMock({ entities }),
          auth: mockServices.auth(),
          logger: mockServices.logger.mock(),
        });
      return { sync: make(), restarted: make };
    }

    function signed(provider: TestDeploymentProvider, body: object) {
      const rawBody = Buffer.from(JSON.stringify(body));
      return {
        headers: { [TEST_SIGNATURE_HEADER]: provider.sign(rawBody) },
        rawBody,
      };
    }

    it('keeps cursors and sync state per target', async () => {
      const ref = 'component:default/api';
      const { sync } = await setup([
        component('api', {
          'stagecraft.io/test-target':
            'pipeline@dev|staging, release@production',
        }),
      ]);
      git.snapshots.set('pipeline', {
        deployments: [deployment('1', 'dev')],
        openGates: [],
        cursor: 'pipeline-1',
      });
      git.snapshots.set('release', {
        deployments: [deployment('2', 'production')],
        openGates: [],
        cursor: 'release-1',
      });
      await expect(sync.syncAll()).resolves.toEqual({ synced: 2, failed: 0 });
      await sync.syncAll();
      // The targets of one entity sync side by side: in either order within a run.
      const byTarget = (calls: typeof git.syncCalls) =>
        [...calls].sort((a, b) => a.targetKey.localeCompare(b.targetKey));
      expect(git.syncCalls).toHaveLength(4);
      expect(byTarget(git.syncCalls.slice(0, 2))).toEqual([
        { targetKey: 'pipeline', cursor: undefined },
        { targetKey: 'release', cursor: undefined },
      ]);
      expect(byTarget(git.syncCalls.slice(2))).toEqual([
        { targetKey: 'pipeline', cursor: 'pipeline-1' },
        { targetKey: 'release', cursor: 'release-1' },
      ]);
      expect(
        (await store.listSyncStatus(ref)).map(s => [s.provider, s.target]),
      ).toEqual(
        expect.arrayContaining([
          ['test', 'pipeline'],
          ['test', 'release'],
        ]),
      );
    });

    it('stores the owner’s rollout as the row and another provider’s report of it as a link', async () => {
      const ref = 'component:default/api';
      const { sync } = await setup([
        component('api', {
          'stagecraft.io/test-target': 'acme/api',
          'stagecraft.io/stacks-target': 'api-prod@production',
        }),
      ]);
      // The CI job that ran the deploy reports it, and so does the stack.
      git.snapshots.set('acme/api', {
        deployments: [
          deployment('11', 'dev', 5),
          {
            ...deployment('12', 'production', 5),
            // The CI knows the release's name; the stack only the commit.
            version: { sha: sha(5), tag: 'v1.5.0' },
            url: 'https://ci.example.com/runs/812',
            urlLabel: 'run #812',
          },
        ],
        openGates: [],
      });
      stacks.snapshots.set('api-prod', {
        deployments: [
          {
            ...deployment('d-1', 'production', 5),
            url: 'https://console.example.com/d-1',
          },
        ],
        openGates: [],
      });
      await sync.syncAll();
      await sync.syncAll();

      const states = await store.getEnvironmentStates(ref, [
        'dev',
        'production',
      ]);
      expect(states.dev.current?.provider).toBe('test');
      expect(states.production.current).toMatchObject({
        id: 'stacks:d-1',
        provider: 'stacks',
        version: { sha: sha(5), tag: 'v1.5.0' },
        links: [
          {
            provider: 'test',
            providerDeploymentId: '12',
            url: 'https://ci.example.com/runs/812',
            label: 'run #812',
          },
        ],
      });
      // One row for the production rollout, not two.
      const timeline = await store.getTimeline(ref, {
        environments: ['production'],
        limit: 10,
      });
      expect(timeline.rows).toHaveLength(1);
      expect(timeline.rows[0].cells.production?.deploymentId).toBe(
        'stacks:d-1',
      );
    });

    it('keeps two entities sharing a repository apart through ten alternating syncs and webhooks', async () => {
      const api = 'component:default/api';
      const worker = 'component:default/worker';
      const { sync } = await setup([
        component('api', {
          'stagecraft.io/test-target':
            'acme/mono@dev=api-dev|production=api-prod',
        }),
        component('worker', {
          'stagecraft.io/test-target':
            'acme/mono@dev=worker-dev|production=worker-prod',
        }),
      ]);
      const history = [
        deployment('1', 'api-dev'),
        deployment('2', 'worker-dev'),
        deployment('3', 'api-prod'),
        deployment('4', 'worker-prod'),
      ];
      git.snapshots.set('acme/mono', { deployments: history, openGates: [] });
      const owners = async () => {
        const rows: Record<string, string[]> = {};
        for (const ref of [api, worker]) {
          const timeline = await store.getTimeline(ref, {
            environments: ['dev', 'production'],
            limit: 50,
          });
          rows[ref] = timeline.rows
            .flatMap(row => Object.values(row.cells))
            .flatMap(cell => (cell ? [cell.deploymentId] : []))
            .sort();
        }
        return rows;
      };
      const expected = {
        [api]: ['test:1', 'test:3'],
        [worker]: ['test:2', 'test:4'],
      };
      // Every row in the ledger, whatever its environment: nothing of the
      // other entity's is stored under a name the lanes do not show.
      const rowsByEntity = async () =>
        (
          await knex('deployments')
            .select('entity_ref', 'provider_deployment_id')
            .orderBy(['entity_ref', 'provider_deployment_id'])
        ).map(r => `${r.entity_ref} ${r.provider_deployment_id}`);
      const expectedRows = [
        `${api} 1`,
        `${api} 3`,
        `${worker} 2`,
        `${worker} 4`,
      ];
      for (let round = 0; round < 10; round++) {
        if (round % 2 === 0) {
          await sync.syncAll();
        } else {
          await sync.ingestWebhook(
            'test',
            signed(git, {
              deliveryId: `delivery-${round}`,
              targetKey: 'acme/mono',
              deployments: history,
            }),
          );
        }
        expect(await owners()).toEqual(expected);
        expect(await rowsByEntity()).toEqual(expectedRows);
      }
    });

    it('gives each of two entities that both take a whole repository its own rows, stable across syncs and webhooks', async () => {
      const { sync } = await setup([
        component('service', { 'stagecraft.io/test-target': 'acme/shared' }),
        component('service-docs', {
          'stagecraft.io/test-target': 'acme/shared',
        }),
      ]);
      const history = [deployment('1', 'dev'), deployment('2', 'production')];
      git.snapshots.set('acme/shared', { deployments: history, openGates: [] });
      for (let round = 0; round < 10; round++) {
        if (round % 2 === 0) await sync.syncAll();
        else
          await sync.ingestWebhook(
            'test',
            signed(git, {
              deliveryId: `shared-${round}`,
              targetKey: 'acme/shared',
              deployments: [
                ...history,
                {
                  ...deployment('1', 'dev'),
                  statuses: [...history[0].statuses],
                },
              ],
            }),
          );
        const counts = await knex('deployments')
          .select('entity_ref')
          .count({ n: '*' })
          .groupBy('entity_ref')
          .orderBy('entity_ref');
        expect(counts.map((c: any) => [c.entity_ref, Number(c.n)])).toEqual([
          ['component:default/service', 2],
          ['component:default/service-docs', 2],
        ]);
      }
    });

    it('maps environment names of a webhook right after a restart from the stored target', async () => {
      const ref = 'component:default/api';
      const { sync, restarted } = await setup([
        component('api', {
          'stagecraft.io/test-target': 'acme/api@dev|production=prod',
        }),
      ]);
      git.snapshots.set('acme/api', { deployments: [], openGates: [] });
      await sync.syncAll();

      // Another replica, or this one after a restart: nothing in memory.
      await restarted().ingestWebhook(
        'test',
        signed(git, {
          deliveryId: 'after-restart',
          targetKey: 'acme/api',
          deployments: [deployment('7', 'prod')],
        }),
      );
      const states = await store.getEnvironmentStates(ref, ['production']);
      expect(states.production.current?.id).toBe('test:7');
    });

    it('stores environment protection and traffic that a sync reports', async () => {
      const ref = 'component:default/api';
      const { sync } = await setup([
        component('api', { 'stagecraft.io/test-target': 'acme/api' }),
      ]);
      git.snapshots.set('acme/api', {
        deployments: [deployment('1', 'production')],
        openGates: [],
        environments: [
          {
            name: 'production',
            requiredReviewers: [{ type: 'team', name: 'sre' }],
            waitTimerMinutes: 5,
          },
        ],
        traffic: [
          {
            environment: 'production',
            at: '2026-11-01T12:10:00.000Z',
            shares: [
              { version: { sha: sha(1) }, percent: 90, role: 'live' },
              { version: { sha: sha(2) }, percent: 10, role: 'canary' },
            ],
          },
        ],
      });
      await sync.syncAll();
      expect(await store.listEnvironmentProtection(ref)).toEqual([
        expect.objectContaining({
          provider: 'test',
          environment: 'production',
          requiredReviewers: [{ type: 'team', name: 'sre' }],
          waitTimerMinutes: 5,
        }),
      ]);
      expect((await store.getTraffic(ref)).production).toMatchObject({
        provider: 'test',
        shares: [
          { version: { sha: sha(1) }, percent: 90, role: 'live' },
          { version: { sha: sha(2) }, percent: 10, role: 'canary' },
        ],
      });
    });
  },
);
