import {
  createBackendModule,
  type BackendFeature,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { deploymentProvidersExtensionPoint } from '@stagecraft/plugin-deployments-node';
import {
  TEST_TARGET_ANNOTATION,
  TestDeploymentProvider,
  type TestDeploymentProviderOptions,
} from '@stagecraft/plugin-deployments-node/testing';
import request from 'supertest';
import { KnexDeploymentStore } from '../database/KnexDeploymentStore';
import { deploymentsPlugin } from '../plugin';
import {
  ALICE,
  as,
  databases,
  deployment,
  idempotencyKey,
  S1,
  S2,
  S3,
} from './__testUtils__/routerTestKit';

jest.setTimeout(60_000);

const REF = 'component:default/ledger-api';
const BASE = '/api/deployments/entities/component/default/ledger-api';

function entity(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'ledger-api', namespace: 'default', annotations },
    spec: { type: 'service', owner: 'team-payments', lifecycle: 'production' },
  };
}

function providerModule(providers: TestDeploymentProvider[]): BackendFeature {
  return createBackendModule({
    pluginId: 'deployments',
    moduleId: 'test-providers',
    register(reg) {
      reg.registerInit({
        deps: { extension: deploymentProvidersExtensionPoint },
        async init({ extension }) {
          extension.addProvider(...providers);
        },
      });
    },
  });
}

/**
 * An entity whose dev and staging come from its source control's CI
 * (`test`, which can compare) and whose production comes from a
 * deployment engine without git (`stacks`, which can only abort).
 */
async function start(
  stacksTarget = 'ledger-prod@production',
  stacksCapabilities: TestDeploymentProviderOptions['capabilities'] = ['abort'],
  gitCapabilities?: TestDeploymentProviderOptions['capabilities'],
  config: object = {},
  stacksTargetCapabilities?: TestDeploymentProviderOptions['capabilities'],
) {
  const knex = await databases.init('SQLITE_3');
  const git = new TestDeploymentProvider({ capabilities: gitCapabilities });
  const stacks = new TestDeploymentProvider({
    id: 'stacks',
    changeSource: false,
    capabilities: stacksCapabilities,
    targetCapabilities: stacksTargetCapabilities,
  });
  const { server } = await startTestBackend({
    features: [
      deploymentsPlugin,
      providerModule([git, stacks]),
      catalogServiceMock.factory({
        entities: [
          entity({
            [TEST_TARGET_ANNOTATION]: 'acme/ledger-api',
            'stagecraft.io/stacks-target': stacksTarget,
          }),
        ],
      }),
      mockServices.database.factory({ knex }),
      mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      mockServices.rootConfig.factory({ data: config }),
    ],
  });
  const store = await KnexDeploymentStore.create({
    database: mockServices.database({ knex }),
  });
  await store.upsertDeployments(REF, 'test', [
    deployment('dev', S1, 10),
    deployment('staging', S1, 9),
    deployment('dev', S2, 5),
    deployment('staging', S2, 4),
    deployment('dev', S3, 1),
  ]);
  await store.upsertDeployments(REF, 'stacks', [
    deployment('production', S1, 8),
  ]);
  return { server, store, git, stacks };
}

describe('deployments router with two providers', () => {
  it('shows one lane per environment with the provider that owns it and what that provider can do', async () => {
    const { server } = await start();
    const response = await request(server)
      .get(`${BASE}/environments`)
      .set(as(ALICE));
    expect(response.status).toBe(200);
    const lanes = response.body.environments;
    expect(
      lanes.map((lane: any) => [
        lane.name,
        lane.provider,
        lane.current?.provider,
      ]),
    ).toEqual([
      ['dev', 'test', 'test'],
      ['staging', 'test', 'test'],
      ['production', 'stacks', 'stacks'],
    ]);
    expect(lanes[0].capabilities.promote).toEqual({ available: true });
    expect(lanes[2].ownership).toEqual({ declaredBy: 'provider' });
    expect(lanes[2].capabilities).toEqual({
      // The CI that deploys the stack promotes into it.
      promote: { available: true },
      rollback: { available: true },
      review: {
        available: false,
        reason:
          'stacks cannot decide gates of production (the provider has no review capability)',
      },
      abort: { available: true },
      compare: { available: true },
    });
  });

  it('promotes into an environment whose owner cannot deploy through the one other provider that covers it and can', async () => {
    const { server, git, stacks } = await start(
      undefined,
      undefined,
      undefined,
      { deployments: { policies: { approvalRequired: [] } } },
    );
    const response = await request(server)
      .post(`${BASE}/promote`)
      .set(as(ALICE))
      .set('Idempotency-Key', idempotencyKey())
      .send({ environment: 'production', comment: 'ship it' });
    expect(response.status).toBe(200);
    expect(response.body.request.state).toBe('executed');
    expect(
      git.promoteCalls.map(call => [
        call.target.key,
        call.environment,
        call.version.sha,
      ]),
    ).toEqual([['acme/ledger-api', 'production', S2]]);
    expect(stacks.promoteCalls).toEqual([]);
  });

  it('refuses a promotion no provider of the entity can carry out with a 422 naming the capability, and writes no request', async () => {
    const { server, store, git, stacks } = await start(
      'ledger-prod@production',
      ['abort'],
      ['compare', 'resolveVersion', 'review', 'handleWebhook'],
    );
    const response = await request(server)
      .post(`${BASE}/promote`)
      .set(as(ALICE))
      .set('Idempotency-Key', idempotencyKey())
      .send({ environment: 'production', comment: 'ship it' });
    expect(response.status).toBe(422);
    expect(response.body.checks).toEqual(
      expect.arrayContaining([
        {
          rule: 'provider-capability',
          passed: false,
          message:
            'stacks cannot deploy into production from the portal (the provider has no promote capability)',
        },
      ]),
    );
    expect(git.promoteCalls).toEqual([]);
    expect(stacks.promoteCalls).toEqual([]);
    expect(await store.listPendingRequests(REF)).toEqual([]);
  });

  it('reads capabilities per target: a provider that can promote somewhere does not promote where its target cannot', async () => {
    const { server, git, stacks } = await start(
      undefined,
      // stacks has every capability…
      [
        'compare',
        'resolveVersion',
        'promote',
        'review',
        'abort',
        'handleWebhook',
      ],
      undefined,
      { deployments: { policies: { approvalRequired: [] } } },
      ['abort'], // …but its production stack can only stop a rollout
    );
    const lanes = (
      await request(server).get(`${BASE}/environments`).set(as(ALICE))
    ).body.environments;
    expect(lanes[2].capabilities.review).toEqual({
      available: false,
      reason:
        'stacks cannot decide gates of production (target ledger-prod has no review capability)',
    });
    const response = await request(server)
      .post(`${BASE}/promote`)
      .set(as(ALICE))
      .set('Idempotency-Key', idempotencyKey())
      .send({ environment: 'production', comment: 'ship it' });
    expect(response.status).toBe(200);
    expect(stacks.promoteCalls).toEqual([]);
    expect(git.promoteCalls).toHaveLength(1);
  });

  it('lists the changes into a production that a provider without git deployed, through the entity’s source control', async () => {
    const { server, git } = await start();
    git.comparisons.set(`${S1}...${S2}`, {
      status: 'ahead',
      aheadBy: 2,
      behindBy: 0,
      totalCommits: 2,
      commits: [
        {
          sha: S2,
          message: 'Add ledger export',
          author: 'Bob',
          date: '2026-11-20T10:00:00Z',
          pullRequest: {
            number: 31,
            title: 'Add ledger export',
            url: 'https://example.com/pull/31',
          },
        },
      ],
      files: [
        {
          filename: 'src/export.py',
          status: 'added',
          additions: 40,
          deletions: 0,
        },
      ],
      additions: 40,
      deletions: 0,
    });
    const response = await request(server)
      .get(`${BASE}/diff`)
      .query({ from: 'production', to: 'staging' })
      .set(as(ALICE));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      from: { ref: 'production', sha: S1 },
      to: { ref: 'staging', sha: S2 },
      aheadBy: 2,
      commits: [{ pullRequest: { number: 31 } }],
      files: [{ filename: 'src/export.py' }],
    });
    expect(git.compareCalls).toEqual([{ fromSha: S1, toSha: S2 }]);
  });

  it('says why it cannot compare a version whose commit is unknown', async () => {
    const { server, store } = await start();
    await store.upsertDeployments(REF, 'stacks', [
      {
        ...deployment('production', S1, 0.5),
        version: {
          sha: 'artifact:lambda-version:12',
          artifact: { kind: 'lambda-version', id: '12' },
          commitUnknown: true,
        },
      },
    ]);
    const response = await request(server)
      .get(`${BASE}/diff`)
      .query({ from: 'production', to: 'staging' })
      .set(as(ALICE));
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      commits: [],
      reason:
        'production runs lambda-version 12, whose commit the provider did not report, so there is nothing to compare',
    });
  });

  it('never picks the first provider when two claim an environment: the lane says why and actions are refused', async () => {
    const { server } = await start('ledger-all', ['promote', 'abort']);
    const lanes = (
      await request(server).get(`${BASE}/environments`).set(as(ALICE))
    ).body.environments;
    expect(lanes[2].provider).toBeUndefined();
    expect(lanes[2].ownership.problem).toBe(
      'test and stacks all report production; name its owner in stagecraft.io/environments (e.g. production=test)',
    );
    expect(lanes[2].capabilities.promote).toEqual({
      available: false,
      reason: lanes[2].ownership.problem,
    });
    const refused = await request(server)
      .post(`${BASE}/promote`)
      .set(as(ALICE))
      .set('Idempotency-Key', idempotencyKey())
      .send({ environment: 'production', comment: 'ship it' });
    expect(refused.status).toBe(422);
    expect(refused.body.checks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rule: 'environment-owner', passed: false }),
      ]),
    );
  });
});
