import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { TestDeploymentProvider } from '@stagecraft/plugin-deployments-node/testing';
import type { DeploymentStore } from '../database/DeploymentStore';
import { KnexDeploymentStore } from '../database/KnexDeploymentStore';
import {
  ENTITY_REF,
  databases,
  history,
  paymentsApi,
} from '../http/__testUtils__/routerTestKit';
import { readDeploymentPolicies } from '../policy/PromotionPolicy';
import { EntitySources } from '../sources/EntitySources';
import { EntityReads } from './EntityReads';

jest.setTimeout(60_000);

const PATH = ['dev', 'staging', 'production'];
const INCLUDE = {
  include: ['permissions', 'timeline'] as Array<'permissions' | 'timeline'>,
  timelineLimit: 2,
};

/**
 * A real store whose read of an entity's targets (what the entity's sources
 * are made of) is held until the test lets it go, and that records the
 * order of the reads it is asked for.
 */
async function storeWithHeldTargets(providerId: string) {
  const knex = await databases.init('SQLITE_3');
  const store = await KnexDeploymentStore.create({
    database: mockServices.database({ knex }),
  });
  await store.upsertDeployments(ENTITY_REF, providerId, history());
  const reads: string[] = [];
  let release: () => void = () => {};
  const released = new Promise<void>(resolve => {
    release = resolve;
  });
  const held: DeploymentStore = Object.create(store);
  held.targetsOfEntity = async (...args) => {
    reads.push('targets');
    await released;
    reads.push('targets answered');
    return store.targetsOfEntity(...args);
  };
  held.getTimeline = async (...args) => {
    reads.push('timeline');
    return store.getTimeline(...args);
  };
  return { store: held, reads, release };
}

function entityReads(store: DeploymentStore, provider: TestDeploymentProvider) {
  const permissions = mockServices.permissions.mock();
  permissions.authorize.mockImplementation(async requests =>
    requests.map(() => ({ result: AuthorizeResult.ALLOW })),
  );
  const reads = new EntityReads({
    store,
    sources: new EntitySources({
      store,
      providers: new Map([[provider.id, provider]]),
      logger: mockServices.logger.mock(),
    }),
    policies: readDeploymentPolicies(mockServices.rootConfig({ data: {} })),
    permissions,
  });
  return { reads, permissions };
}

describe('EntityReads', () => {
  it('reads the timeline page and the permissions while the entity’s sources are still being read', async () => {
    const provider = new TestDeploymentProvider();
    const {
      store,
      reads: order,
      release,
    } = await storeWithHeldTargets(provider.id);
    const { reads, permissions } = entityReads(store, provider);

    const answer = reads.environments(
      { entity: paymentsApi, entityRef: ENTITY_REF, path: PATH },
      INCLUDE,
      mockCredentials.user(),
    );
    // Before the targets answer, both other parts have been asked for.
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(order).toEqual(['targets', 'timeline']);
    expect(permissions.authorize).toHaveBeenCalledTimes(1);

    release();
    const response = await answer;
    expect(order.slice(0, 3)).toEqual([
      'targets',
      'timeline',
      'targets answered',
    ]);
    expect(response.environments.map(lane => lane.name)).toEqual(PATH);
    expect(response.timeline?.rows).toHaveLength(2);
    expect(response.timeline?.reason).toBeUndefined();
    expect(response.permissions?.promote).toBe(true);
  });

  it('answers an entity no provider knows with the reason, on the lanes and on the timeline, though the page was read', async () => {
    const provider = new TestDeploymentProvider();
    const { store, release } = await storeWithHeldTargets(provider.id);
    release();
    const { reads } = entityReads(store, provider);
    const unknown = {
      ...paymentsApi,
      metadata: { name: 'no-source', namespace: 'default' },
    };

    const response = await reads.environments(
      { entity: unknown, entityRef: 'component:default/no-source', path: PATH },
      INCLUDE,
      mockCredentials.user(),
    );

    expect(response.environments).toEqual([]);
    expect(response.reason).toEqual(expect.any(String));
    expect(response.timeline).toEqual({
      entityRef: 'component:default/no-source',
      environments: PATH,
      rows: [],
      reason: response.reason,
    });
  });

  it.each([[['permissions']], [['timeline']], [['permissions', 'timeline']]])(
    'fails the answer when the entity’s sources cannot be read, and leaves no rejection unhandled (include %j)',
    async include => {
      const provider = new TestDeploymentProvider();
      const { store, release } = await storeWithHeldTargets(provider.id);
      release();
      store.targetsOfEntity = async () => {
        throw new Error('database is gone');
      };
      const { reads } = entityReads(store, provider);
      const unhandled = jest.fn();
      process.on('unhandledRejection', unhandled);
      try {
        await expect(
          reads.environments(
            { entity: paymentsApi, entityRef: ENTITY_REF, path: PATH },
            {
              include: include as Array<'permissions' | 'timeline'>,
              timelineLimit: 2,
            },
            mockCredentials.user(),
          ),
        ).rejects.toThrow('database is gone');
        await new Promise(resolve => setTimeout(resolve, 20));
        expect(unhandled).not.toHaveBeenCalled();
      } finally {
        process.off('unhandledRejection', unhandled);
      }
    },
  );
});
