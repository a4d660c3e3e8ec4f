import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import type { SignalPayload } from '@backstage/plugin-signals-node';
import {
  ENTITY,
  gate,
  storeTestDatabases,
  useStore,
} from '../database/__testUtils__/storeTestKit';
import { createLiveLedger, readLiveConfig } from './createLiveLedger';

const databases = storeTestDatabases();

describe('readLiveConfig', () => {
  it('turns everything on unless config says otherwise', () => {
    expect(readLiveConfig(mockServices.rootConfig())).toEqual({
      signals: 'auto',
      notifications: 'auto',
      kinds: { approvalNeeded: true, decided: true, failed: true },
    });
    expect(
      readLiveConfig(
        mockServices.rootConfig({
          data: {
            deployments: {
              signals: { enabled: false },
              notifications: { decided: false },
            },
          },
        }),
      ),
    ).toEqual({
      signals: false,
      notifications: 'auto',
      kinds: { approvalNeeded: true, decided: false, failed: true },
    });
  });
});

describe('createLiveLedger', () => {
  const db = useStore(databases, 'SQLITE_3');

  async function live(options: { installed: string[]; config?: object }) {
    const published: SignalPayload[] = [];
    const sent: NotificationSendOptions[] = [];
    const logger = mockServices.logger.mock();
    const created = await createLiveLedger({
      store: db.store,
      config: mockServices.rootConfig({ data: options.config ?? {} }),
      logger,
      database: mockServices.database({ knex: db.knex }),
      instanceMetadata: {
        getId: () => 'test',
        getInstalledPlugins: async () =>
          options.installed.map(pluginId => ({ pluginId, modules: [] })),
      },
      signals: { publish: async signal => void published.push(signal) },
      notifications: { send: async n => void sent.push(n) },
      catalog: catalogServiceMock({
        entities: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: { name: 'payments-api', namespace: 'default' },
            spec: { owner: 'team-payments' },
          },
        ],
      }),
      auth: mockServices.auth(),
      promotionPathOf: () => ['dev', 'production'],
    });
    await created.store.openGates(ENTITY, 'github', 'acme/payments', [
      gate('7'),
    ]);
    await created.settled();
    return { ...created, published, sent, logger };
  }

  it('signals open pages and notifies people when both plugins are installed', async () => {
    const { published, sent, logger } = await live({
      installed: ['signals', 'notifications', 'deployments'],
    });
    expect(published.map(p => p.channel)).toEqual([
      'deployments:component:default/payments-api',
    ]);
    expect(sent.map(s => s.payload.topic)).toEqual([
      'Deployments: approval needed',
    ]);
    expect(logger.info).toHaveBeenCalledWith(
      'Deployments live updates: signals on, notifications on',
    );
  });

  it('leaves the store as it is, and says why, when neither plugin is installed', async () => {
    const { store, published, sent, logger } = await live({
      installed: ['deployments'],
    });
    expect(store).toBe(db.store);
    expect(published).toEqual([]);
    expect(sent).toEqual([]);
    expect(logger.info).toHaveBeenCalledWith(
      'Deployments live updates: signals off (the signals plugin is not installed), notifications off (the notifications plugin is not installed)',
    );
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('turns each on by config for a split deployment, where the plugins run in another backend', async () => {
    const { published, sent } = await live({
      installed: ['deployments'],
      config: {
        deployments: {
          signals: { enabled: true },
          notifications: { enabled: true },
        },
      },
    });
    expect(published).toHaveLength(1);
    expect(sent).toHaveLength(1);
  });

  it('turns each off by config even when its plugin is installed', async () => {
    const { published, sent } = await live({
      installed: ['signals', 'notifications'],
      config: {
        deployments: {
          signals: { enabled: false },
          notifications: { enabled: false },
        },
      },
    });
    expect(published).toEqual([]);
    expect(sent).toEqual([]);
  });
});
