import { mockServices } from '@backstage/backend-test-utils';
import { TestDeploymentProvider } from '@stagecraft/plugin-deployments-node/testing';
import { KnexDeploymentStore } from '../database/KnexDeploymentStore';
import {
  ENTITY_REF,
  databases,
  history,
  paymentsApi,
} from '../http/__testUtils__/routerTestKit';
import { readDeploymentPolicies } from '../policy/PromotionPolicy';
import { FreezeCalendar } from '../policy/freeze/FreezeCalendar';
import { EntitySources } from '../sources/EntitySources';
import { environmentLanes } from './EnvironmentLanes';

const weekend = {
  name: 'weekend',
  environments: ['production'],
  rrule: 'FREQ=WEEKLY;BYDAY=FR;BYHOUR=17',
  duration: { days: 2, hours: 16 },
  timeZone: 'Europe/Berlin',
  reason: 'Weekend freeze',
};

async function lanesAt(now: string) {
  const knex = await databases.init('SQLITE_3');
  const store = await KnexDeploymentStore.create({
    database: mockServices.database({ knex }),
  });
  const provider = new TestDeploymentProvider();
  await store.upsertDeployments(ENTITY_REF, provider.id, history());
  const config = mockServices.rootConfig({
    data: { deployments: { freezes: [weekend] } },
  });
  const policies = {
    ...readDeploymentPolicies(config),
    // The lanes ask the calendar's clock; the test fixes it.
    freezes: FreezeCalendar.fromConfig(config, { now: () => new Date(now) }),
  };
  const sources = new EntitySources({
    store,
    providers: new Map([[provider.id, provider]]),
    logger: mockServices.logger.mock(),
  });
  return environmentLanes({
    store,
    entityRef: ENTITY_REF,
    path: ['dev', 'staging', 'production'],
    policies,
    sources: await sources.of(paymentsApi),
    entity: paymentsApi,
  });
}

describe('environment lanes during a freeze window', () => {
  it('say until when and why the frozen environment is frozen, and nothing of the others', async () => {
    // Saturday 5 December 2026.
    const { environments } = await lanesAt('2026-12-05T11:00:00Z');
    expect(environments.map(e => [e.name, e.freeze])).toEqual([
      ['dev', undefined],
      ['staging', undefined],
      [
        'production',
        {
          name: 'weekend',
          reason: 'Weekend freeze',
          timeZone: 'Europe/Berlin',
          since: '2026-12-04T16:00:00.000Z',
          until: '2026-12-07T08:00:00.000Z',
        },
      ],
    ]);
  });

  it('carry no freeze outside the window', async () => {
    const { environments } = await lanesAt('2026-12-03T11:00:00Z');
    expect(environments.every(e => e.freeze === undefined)).toBe(true);
  });
});
