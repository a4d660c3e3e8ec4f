import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { AuthenticationError, NotFoundError } from '@backstage/errors';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type {
  DeploymentProvider,
  ProviderDeployment,
  ProviderGate,
  ProviderSnapshot,
  ProviderTarget,
  ProviderWebhookEvent,
  ProviderWebhookRequest,
  ProviderWebhookResult,
} from '@stagecraft/plugin-deployments-node';
import { KnexDeploymentStore } from '../database/KnexDeploymentStore';
import { DeploymentSync } from './DeploymentSync';

jest.setTimeout(30_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

const SLUG_ANNOTATION = 'example.com/repo';

function component(name: string, repo?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      annotations: repo ? { [SLUG_ANNOTATION]: repo } : {},
    },
    spec: { type: 'service' },
  };
}

const sha = (n: number) => n.toString(16).padStart(40, '0');

function deployment(id: string, environment = 'dev'): ProviderDeployment {
  return {
    providerDeploymentId: id,
    environment,
    version: { sha: sha(Number(id) || 1) },
    statuses: [{ state: 'success', at: '2026-11-01T12:00:00.000Z' }],
    createdAt: '2026-11-01T11:59:00.000Z',
    updatedAt: '2026-11-01T12:00:00.000Z',
  };
}

/**
 * A provider that serves repositories from memory, as a real provider
 * serves them from its API. Webhooks are "signed" with a shared secret
 * header and carry their events as JSON.
 */
class InMemoryProvider implements DeploymentProvider {
  readonly id = 'memory';
  readonly repos = new Map<
    string,
    { deployments: ProviderDeployment[]; gates: ProviderGate[] }
  >();
  readonly failing = new Set<string>();
  readonly syncCalls: Array<{ repo: string; cursor?: string }> = [];

  async targetsOf(entity: Entity): Promise<ProviderTarget[]> {
    const repo = entity.metadata.annotations?.[SLUG_ANNOTATION];
    return repo
      ? [{ key: repo, routingKeys: [repo], environments: 'all' }]
      : [];
  }

  async sync(request: {
    target: ProviderTarget;
    cursor?: string;
  }): Promise<ProviderSnapshot> {
    this.syncCalls.push({ repo: request.target.key, cursor: request.cursor });
    if (this.failing.has(request.target.key)) {
      throw new Error(`upstream answered 502 for ${request.target.key}`);
    }
    const repo = this.repos.get(request.target.key) ?? {
      deployments: [],
      gates: [],
    };
    return {
      deployments: repo.deployments,
      openGates: repo.gates,
      cursor: `seen-${repo.deployments.length}`,
    };
  }

  async handleWebhook(
    request: ProviderWebhookRequest,
  ): Promise<ProviderWebhookResult> {
    if (request.headers['x-signature'] !== 'secret') {
      throw new AuthenticationError('Webhook signature does not match');
    }
    const body = JSON.parse(request.rawBody.toString('utf8'));
    return { deliveryKey: body.delivery, events: body.events };
  }
}

function webhook(delivery: string, events: ProviderWebhookEvent[]) {
  return {
    headers: { 'x-signature': 'secret' },
    rawBody: Buffer.from(JSON.stringify({ delivery, events })),
  };
}

describe('DeploymentSync', () => {
  let store: KnexDeploymentStore;
  let provider: InMemoryProvider;
  let logger: ReturnType<typeof mockServices.logger.mock>;

  async function setup(entities: Entity[]) {
    const knex = await databases.init('SQLITE_3');
    store = await KnexDeploymentStore.create({
      database: { getClient: async () => knex },
    });
    provider = new InMemoryProvider();
    logger = mockServices.logger.mock();
    const providers = new Map<string, DeploymentProvider>();
    const sync = new DeploymentSync({
      store,
      providers,
      catalog: catalogServiceMock({ entities }),
      auth: mockServices.auth(),
      logger,
      catalogPageSize: 2,
    });
    // Registered after construction, as the extension point does.
    providers.set(provider.id, provider);
    return sync;
  }

  describe('syncAll', () => {
    it('syncs every entity a provider recognises, across catalog pages', async () => {
      const sync = await setup([
        component('payments-api', 'acme/payments'),
        component('ledger-worker', 'acme/ledger'),
        component('no-deployments'),
        component('storefront', 'acme/storefront'),
      ]);
      provider.repos.set('acme/payments', {
        deployments: [deployment('1'), deployment('2', 'staging')],
        gates: [
          {
            providerGateId: 'run-7',
            environment: 'production',
            version: { sha: sha(2) },
            reviewers: [{ type: 'user', name: 'alice' }],
            since: '2026-11-01T12:05:00.000Z',
          },
        ],
      });
      provider.repos.set('acme/ledger', {
        deployments: [deployment('3')],
        gates: [],
      });

      await expect(sync.syncAll()).resolves.toEqual({ synced: 3, failed: 0 });

      const payments = 'component:default/payments-api';
      const states = await store.getEnvironmentStates(payments, [
        'dev',
        'staging',
      ]);
      expect(states.dev.current?.id).toBe('memory:1');
      expect(states.staging.current?.id).toBe('memory:2');
      expect((await store.listOpenGates(payments)).map(g => g.id)).toEqual([
        'memory:run-7',
      ]);
      expect(
        await store.getSyncState(payments, 'memory', 'acme/payments'),
      ).toEqual(expect.objectContaining({ cursor: 'seen-2' }));
      expect(
        (await store.targetsForRoutingKey('memory', 'acme/ledger')).map(
          t => t.entityRef,
        ),
      ).toEqual(['component:default/ledger-worker']);
    });

    it('continues from the stored cursor on the next run', async () => {
      const sync = await setup([component('payments-api', 'acme/payments')]);
      provider.repos.set('acme/payments', {
        deployments: [deployment('1')],
        gates: [],
      });
      await sync.syncAll();
      await sync.syncAll();
      expect(provider.syncCalls).toEqual([
        { repo: 'acme/payments', cursor: undefined },
        { repo: 'acme/payments', cursor: 'seen-1' },
      ]);
    });

    it('keeps the last known data of a failing entity, records the error once and recovers', async () => {
      const sync = await setup([
        component('payments-api', 'acme/payments'),
        component('ledger-worker', 'acme/ledger'),
      ]);
      provider.repos.set('acme/payments', {
        deployments: [deployment('1')],
        gates: [],
      });
      provider.repos.set('acme/ledger', {
        deployments: [deployment('3')],
        gates: [],
      });
      await sync.syncAll();

      provider.failing.add('acme/payments');
      provider.repos.get('acme/ledger')!.deployments.push(deployment('4'));
      await expect(sync.syncAll()).resolves.toEqual({ synced: 1, failed: 1 });

      const payments = 'component:default/payments-api';
      expect(
        (await store.getEnvironmentStates(payments, ['dev'])).dev.current?.id,
      ).toBe('memory:1');
      expect(await store.listSyncStatus(payments)).toEqual([
        expect.objectContaining({
          provider: 'memory',
          target: 'acme/payments',
          stale: true,
          lastError: 'Error: upstream answered 502 for acme/payments',
        }),
      ]);
      expect(
        logger.warn.mock.calls.filter(([message]) =>
          String(message).includes('upstream answered 502'),
        ),
      ).toHaveLength(1);
      // The other entity was not held back by the failure.
      expect(
        (
          await store.getEnvironmentStates('component:default/ledger-worker', [
            'dev',
          ])
        ).dev.current?.id,
      ).toBe('memory:4');

      provider.failing.delete('acme/payments');
      await expect(sync.syncAll()).resolves.toEqual({ synced: 2, failed: 0 });
      const [recovered] = await store.listSyncStatus(payments);
      expect(recovered.stale).toBe(false);
      expect(recovered.lastError).toBeUndefined();
    });

    it('stops between entities when the task is aborted', async () => {
      const sync = await setup([
        component('a', 'acme/a'),
        component('b', 'acme/b'),
      ]);
      const controller = new AbortController();
      controller.abort();
      await expect(
        sync.syncAll({ signal: controller.signal }),
      ).resolves.toEqual({
        synced: 0,
        failed: 0,
      });
      expect(provider.syncCalls).toEqual([]);
    });
  });

  describe('syncEntity', () => {
    it('syncs one entity and refuses one the catalog does not know', async () => {
      const sync = await setup([component('payments-api', 'acme/payments')]);
      provider.repos.set('acme/payments', {
        deployments: [deployment('1')],
        gates: [],
      });
      await expect(
        sync.syncEntity('component:default/payments-api'),
      ).resolves.toEqual({ synced: 1, failed: 0 });
      await expect(sync.syncEntity('component:default/ghost')).rejects.toThrow(
        NotFoundError,
      );
    });
  });

  describe('ingestWebhook', () => {
    it('routes events to the entity of the target and drops a redelivery', async () => {
      const sync = await setup([
        component('payments-api', 'acme/payments'),
        component('ledger-worker', 'acme/ledger'),
      ]);
      await sync.syncAll();

      const delivery = webhook('delivery-1', [
        {
          routingKey: 'acme/payments',
          deployments: [deployment('9', 'staging')],
          openedGates: [
            {
              providerGateId: 'run-8',
              environment: 'production',
              version: { sha: sha(9) },
              reviewers: [],
              since: '2026-11-01T12:05:00.000Z',
            },
          ],
        },
        { routingKey: 'acme/unknown', deployments: [deployment('10')] },
      ]);
      await expect(sync.ingestWebhook('memory', delivery)).resolves.toEqual({
        status: 'accepted',
        events: 2,
      });
      await expect(sync.ingestWebhook('memory', delivery)).resolves.toEqual({
        status: 'duplicate',
      });

      const payments = await store.getEnvironmentStates(
        'component:default/payments-api',
        ['staging'],
      );
      expect(payments.staging.latest?.providerDeploymentId).toBe('9');
      expect(
        await store.listOpenGates('component:default/payments-api'),
      ).toEqual([expect.objectContaining({ id: 'memory:run-8' })]);
      expect(
        await store.listOpenGates('component:default/ledger-worker'),
      ).toEqual([]);
      expect(
        await store.getDeployment(
          'component:default/payments-api',
          'memory:10',
        ),
      ).toBeUndefined();
      expect(
        await store.getDeployment(
          'component:default/ledger-worker',
          'memory:10',
        ),
      ).toBeUndefined();
    });

    it('closes gates that a delivery says were decided', async () => {
      const sync = await setup([component('payments-api', 'acme/payments')]);
      provider.repos.set('acme/payments', {
        deployments: [],
        gates: [
          {
            providerGateId: 'run-7',
            environment: 'production',
            version: { sha: sha(2) },
            reviewers: [],
            since: '2026-11-01T12:05:00.000Z',
          },
        ],
      });
      await sync.syncAll();
      await sync.ingestWebhook(
        'memory',
        webhook('delivery-2', [
          { routingKey: 'acme/payments', closedGateIds: ['run-7'] },
        ]),
      );
      expect(
        await store.listOpenGates('component:default/payments-api'),
      ).toEqual([]);
    });

    it('resyncs entities in the background for events that carry too little', async () => {
      const sync = await setup([component('payments-api', 'acme/payments')]);
      await sync.syncAll();
      provider.repos.set('acme/payments', {
        deployments: [deployment('5')],
        gates: [],
      });

      await expect(
        sync.ingestWebhook(
          'memory',
          webhook('delivery-3', [
            { routingKey: 'acme/payments', resync: true },
          ]),
        ),
      ).resolves.toEqual({ status: 'accepted', events: 1 });
      await sync.backgroundWorkSettled();

      expect(
        await store.getDeployment('component:default/payments-api', 'memory:5'),
      ).toEqual(
        expect.objectContaining({
          entityRef: 'component:default/payments-api',
        }),
      );
    });

    it('lets the provider refuse a bad signature without recording the delivery', async () => {
      const sync = await setup([component('payments-api', 'acme/payments')]);
      const forged = {
        ...webhook('delivery-4', []),
        headers: { 'x-signature': 'guess' },
      };
      await expect(sync.ingestWebhook('memory', forged)).rejects.toThrow(
        AuthenticationError,
      );
      await expect(
        sync.ingestWebhook('memory', webhook('delivery-4', [])),
      ).resolves.toEqual({ status: 'accepted', events: 0 });
    });

    it('processes a redelivery again when the first processing failed', async () => {
      const sync = await setup([component('payments-api', 'acme/payments')]);
      await sync.syncAll();
      const broken = webhook('delivery-5', [
        {
          routingKey: 'acme/payments',
          deployments: [{ ...deployment('6'), createdAt: 'not a time' }],
        },
      ]);
      await expect(sync.ingestWebhook('memory', broken)).rejects.toThrow(
        /Invalid time 'not a time'/,
      );
      await expect(sync.ingestWebhook('memory', broken)).rejects.toThrow(
        /Invalid time/,
      );
    });

    it('refuses an unknown provider', async () => {
      const sync = await setup([]);
      await expect(
        sync.ingestWebhook('gitlab', webhook('x', [])),
      ).rejects.toThrow("No deployment provider 'gitlab'");
    });
  });

  describe('version names', () => {
    it('gives a deployment of a known commit its tag, whether it arrives by sync or by webhook', async () => {
      const sync = await setup([component('payments-api', 'acme/payments')]);
      const ref = 'component:default/payments-api';
      const tagged = {
        ...deployment('1', 'dev'),
        version: { sha: sha(1), tag: 'v1.81.0' },
      };
      // A roll back or promotion the provider carried out reports only the commit.
      provider.repos.set('acme/payments', {
        deployments: [tagged, deployment('2', 'staging')].map((d, i) =>
          i === 1 ? { ...d, version: { sha: sha(1) } } : d,
        ),
        gates: [],
      });
      await sync.syncAll();
      await sync.ingestWebhook(
        'memory',
        webhook('delivery-tags', [
          {
            routingKey: 'acme/payments',
            deployments: [
              { ...deployment('3', 'production'), version: { sha: sha(1) } },
            ],
          },
        ]),
      );
      const states = await store.getEnvironmentStates(ref, [
        'dev',
        'staging',
        'production',
      ]);
      expect(
        ['dev', 'staging', 'production'].map(
          env => states[env].current?.version.tag,
        ),
      ).toEqual(['v1.81.0', 'v1.81.0', 'v1.81.0']);
    });
  });
});
