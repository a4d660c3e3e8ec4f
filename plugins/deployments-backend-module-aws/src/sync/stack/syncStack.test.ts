import {
  ACCOUNT,
  awsCalls,
  createTestProvider,
  entityWith,
  REGION,
  resetAws,
} from '../../__testUtils__/awsMocks';
import { at, sha } from '../../__testUtils__/pipelineFixtures';
import {
  ALARM,
  APPLICATION,
  codeDeployDeployment,
  FUNCTION,
  GROUP,
  mockSamStack,
  stack,
  STACK,
  versionSha,
} from '../../__testUtils__/stackFixtures';

const entity = entityWith({
  'stagecraft.io/aws-stacks': `dev=payments-dev,production=${STACK}`,
});

function setup() {
  const { provider, logger } = createTestProvider();
  const sync = async (cursor?: string) => {
    const targets = await provider.targetsOf(entity);
    const target = targets.find(t => t.settings?.stackName === STACK)!;
    return provider.sync({ entity, target, cursor });
  };
  return { provider, logger, sync };
}

const CANARY = 'd-CANARY001';
const OLD = 'd-OLDRELEAS';

beforeEach(() => resetAws());

describe('stack sync', () => {
  it('shows a canary mid-rollout as one deployment with its strategy step, traffic split and alarm checks', async () => {
    mockSamStack({
      stack: stack('UPDATE_IN_PROGRESS'),
      deployments: [codeDeployDeployment(CANARY, 'InProgress')],
      alias: { version: '6', weights: { '7': 0.1 } },
    });
    const { sync } = setup();

    const snapshot = await sync();

    expect(snapshot.deployments).toHaveLength(1);
    const [rollout] = snapshot.deployments;
    expect(rollout).toMatchObject({
      providerDeploymentId: `cloudformation/${STACK}/${CANARY}`,
      environment: 'production',
      version: {
        sha: sha(2),
        artifact: { kind: 'lambda-version', id: `${FUNCTION}:7` },
      },
      strategy: {
        type: 'canary',
        name: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
        steps: [{ percent: 10, waitMinutes: 5 }, { percent: 100 }],
        trafficPercent: 10,
        currentStep: 0,
      },
      checks: [
        expect.objectContaining({
          name: 'hook BeforeAllowTraffic',
          state: 'passing',
          at: at(2).toISOString(),
        }),
        expect.objectContaining({
          name: 'hook AfterAllowTraffic',
          state: 'pending',
        }),
        expect.objectContaining({ name: `alarm ${ALARM}`, state: 'passing' }),
      ],
      urlLabel: `stack ${STACK}`,
    });
    expect(rollout.statuses.at(-1)?.state).toBe('in_progress');
    expect(snapshot.traffic).toEqual([
      {
        environment: 'production',
        at: expect.any(String),
        shares: [
          {
            version: {
              artifact: expect.objectContaining({ id: `${FUNCTION}:6` }),
            },
            percent: 90,
            role: 'live',
          },
          {
            version: expect.objectContaining({ sha: sha(2) }),
            percent: 10,
            role: 'canary',
            providerDeploymentId: `cloudformation/${STACK}/${CANARY}`,
          },
        ],
      },
    ]);
  });

  it('finishes the same rollout when the stack update completes, with all traffic on the new version', async () => {
    mockSamStack({
      stack: stack('UPDATE_IN_PROGRESS'),
      deployments: [codeDeployDeployment(CANARY, 'InProgress')],
      alias: { version: '6', weights: { '7': 0.1 } },
    });
    const { sync } = setup();
    const first = await sync();
    resetAws();
    mockSamStack({
      stack: stack('UPDATE_COMPLETE'),
      deployments: [codeDeployDeployment(CANARY, 'Succeeded')],
      alias: { version: '7' },
    });

    const snapshot = await sync(first.cursor);

    expect(snapshot.deployments).toHaveLength(1);
    expect(snapshot.deployments[0]).toMatchObject({
      providerDeploymentId: `cloudformation/${STACK}/${CANARY}`,
      strategy: { trafficPercent: 100, currentStep: 1 },
    });
    expect(snapshot.deployments[0].statuses.at(-1)).toMatchObject({
      state: 'success',
      at: at(8).toISOString(),
    });
    expect(snapshot.traffic?.[0].shares).toEqual([
      {
        version: expect.objectContaining({ sha: sha(2) }),
        percent: 100,
        role: 'live',
      },
    ]);
  });

  it('reports an alarm-triggered automatic rollback with its reason and the version restored', async () => {
    mockSamStack({
      stack: stack('UPDATE_IN_PROGRESS'),
      deployments: [codeDeployDeployment(CANARY, 'InProgress')],
      alias: { version: '6', weights: { '7': 0.1 } },
    });
    const { sync } = setup();
    const first = await sync();
    resetAws();
    mockSamStack({
      // After the rollback the stack's GitSha is the previous commit again.
      stack: stack('UPDATE_ROLLBACK_COMPLETE', { n: 1 }),
      deployments: [
        codeDeployDeployment(CANARY, 'Stopped', {
          extra: {
            errorInformation: {
              code: 'ALARM_ACTIVE',
              message: 'One or more alarms have been activated',
            },
            rollbackInfo: { rollbackDeploymentId: 'd-ROLLBACK1' },
          },
        }),
        codeDeployDeployment('d-ROLLBACK1', 'Succeeded', {
          created: at(4),
          extra: {
            creator: 'codeDeployRollback',
            rollbackInfo: { rollbackTriggeringDeploymentId: CANARY },
          },
        }),
      ],
      alias: { version: '6' },
      alarmState: 'ALARM',
    });

    const snapshot = await sync(first.cursor);

    expect(snapshot.deployments).toHaveLength(1);
    const [rollout] = snapshot.deployments;
    expect(rollout.providerDeploymentId).toBe(
      `cloudformation/${STACK}/${CANARY}`,
    );
    expect(rollout.version.sha).toBe(sha(2));
    expect(rollout.statuses.at(-1)?.state).toBe('rolled_back');
    expect(rollout.rollback).toEqual({
      automatic: true,
      reason: `alarm ${ALARM}: One or more alarms have been activated`,
      restoredVersion: expect.objectContaining({ sha: sha(1) }),
    });
    expect(rollout.checks).toContainEqual(
      expect.objectContaining({ name: `alarm ${ALARM}`, state: 'failing' }),
    );
    expect(rollout.strategy?.trafficPercent).toBe(0);
    expect(snapshot.traffic?.[0].shares).toEqual([
      {
        version: expect.objectContaining({ sha: sha(1) }),
        percent: 100,
        role: 'live',
      },
    ]);
  });

  it('costs one call for a stack that has not changed since the last sync', async () => {
    mockSamStack({
      stack: stack('UPDATE_COMPLETE'),
      deployments: [codeDeployDeployment(CANARY, 'Succeeded')],
    });
    const { sync } = setup();
    const first = await sync();
    resetAws();
    mockSamStack({
      stack: stack('UPDATE_COMPLETE'),
      deployments: [codeDeployDeployment(CANARY, 'Succeeded')],
    });

    const snapshot = await sync(first.cursor);

    expect(awsCalls()).toEqual(['cloudformation.DescribeStacks']);
    expect(snapshot).toEqual({
      deployments: [],
      openGates: [],
      cursor: expect.any(String),
    });
  });

  it('keeps the id an update got before its CodeDeploy deployment started', async () => {
    mockSamStack({ stack: stack('UPDATE_IN_PROGRESS'), deployments: [] });
    const { sync } = setup();
    const first = await sync();
    expect(first.deployments[0].providerDeploymentId).toBe(
      `cloudformation/${STACK}/update/${at(0).toISOString()}`,
    );
    resetAws();
    mockSamStack({
      stack: stack('UPDATE_IN_PROGRESS'),
      deployments: [codeDeployDeployment(CANARY, 'InProgress')],
      alias: { version: '6', weights: { '7': 0.1 } },
    });

    const second = await sync(first.cursor);

    expect(second.deployments.map(d => d.providerDeploymentId)).toEqual([
      `cloudformation/${STACK}/update/${at(0).toISOString()}`,
    ]);
    expect(second.deployments[0].strategy?.trafficPercent).toBe(10);
  });

  it('backfills earlier CodeDeploy deployments of the group as past rollouts, with their Lambda versions', async () => {
    mockSamStack({
      stack: stack('UPDATE_COMPLETE'),
      deployments: [
        codeDeployDeployment(CANARY, 'Succeeded'),
        codeDeployDeployment(OLD, 'Succeeded', {
          created: at(-600),
          from: '5',
          to: '6',
        }),
      ],
    });
    const { sync } = setup();

    const snapshot = await sync();

    expect(snapshot.deployments.map(d => d.providerDeploymentId)).toEqual([
      `cloudformation/${STACK}/${CANARY}`,
      `cloudformation/${STACK}/${OLD}`,
    ]);
    expect(snapshot.deployments[1]).toMatchObject({
      version: {
        // The commit from the Lambda version's description.
        sha: versionSha(6),
        artifact: { kind: 'lambda-version', id: `${FUNCTION}:6` },
      },
      urlLabel: `CodeDeploy ${OLD}`,
    });
    expect(snapshot.deployments[1].statuses.at(-1)?.state).toBe('success');
  });

  it('routes CodeDeploy events of the stack to its target once a sync found the deployment group', async () => {
    mockSamStack({
      stack: stack('UPDATE_COMPLETE'),
      deployments: [codeDeployDeployment(CANARY, 'Succeeded')],
    });
    const { provider, sync } = setup();
    await sync();

    const targets = await provider.targetsOf(entity);

    expect(
      targets.find(t => t.settings?.stackName === STACK)?.routingKeys,
    ).toEqual([
      `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${STACK}`,
      `arn:aws:codedeploy:${REGION}:${ACCOUNT}:deploymentgroup:${APPLICATION}/${GROUP}`,
    ]);
  });

  it('reports a stack without CodeDeploy by its update, with the commit from GitSha', async () => {
    mockSamStack({
      stack: stack('UPDATE_COMPLETE', { n: 4 }),
      deployments: [],
    });
    const { sync } = setup();

    const snapshot = await sync();

    expect(snapshot.deployments).toEqual([
      expect.objectContaining({
        providerDeploymentId: `cloudformation/${STACK}/update/${at(
          0,
        ).toISOString()}`,
        version: { sha: sha(4) },
      }),
    ]);
    expect(snapshot.deployments[0].statuses.map(s => s.state)).toEqual([
      'in_progress',
      'success',
    ]);
  });

  it('costs a small, fixed number of calls per poll while a canary runs', async () => {
    mockSamStack({
      stack: stack('UPDATE_IN_PROGRESS'),
      deployments: [codeDeployDeployment(CANARY, 'InProgress')],
      alias: { version: '6', weights: { '7': 0.1 } },
    });
    const { sync } = setup();
    const first = await sync();
    expect(awsCalls().sort()).toEqual(
      [
        'cloudformation.DescribeStacks',
        'cloudformation.DescribeStackEvents',
        'cloudformation.ListStackResources',
        'codedeploy.GetDeploymentGroup',
        'codedeploy.ListDeployments',
        'codedeploy.BatchGetDeployments',
        'codedeploy.ListDeploymentTargets',
        'codedeploy.BatchGetDeploymentTargets',
        'cloudwatch.DescribeAlarms',
        'lambda.GetAlias',
      ].sort(),
    );
    resetAws();
    mockSamStack({
      stack: stack('UPDATE_IN_PROGRESS'),
      deployments: [codeDeployDeployment(CANARY, 'InProgress')],
      alias: { version: '6', weights: { '7': 0.2 } },
    });

    const second = await sync(first.cursor);

    expect(awsCalls().sort()).toEqual(
      [
        'cloudformation.DescribeStacks',
        'codedeploy.ListDeployments',
        'codedeploy.BatchGetDeployments',
        'codedeploy.ListDeploymentTargets',
        'codedeploy.BatchGetDeploymentTargets',
        'cloudwatch.DescribeAlarms',
        'lambda.GetAlias',
      ].sort(),
    );
    expect(second.traffic?.[0].shares.map(s => s.percent)).toEqual([80, 20]);
  });

  it('reports nothing for a stack whose first change set waits for review', async () => {
    mockSamStack({ stack: stack('REVIEW_IN_PROGRESS'), deployments: [] });
    const { sync } = setup();

    const snapshot = await sync();

    expect(snapshot.deployments).toEqual([]);
    expect(awsCalls()).toEqual(['cloudformation.DescribeStacks']);
  });

  it('marks an update that a newer one followed before it was seen to finish', async () => {
    mockSamStack({ stack: stack('UPDATE_IN_PROGRESS'), deployments: [] });
    const { sync } = setup();
    const first = await sync();
    resetAws();
    mockSamStack({
      stack: stack('UPDATE_COMPLETE', { n: 3, updatedAt: at(30) }),
      deployments: [],
      completedAt: at(38),
    });

    const snapshot = await sync(first.cursor);

    expect(
      snapshot.deployments.map(d => [
        d.providerDeploymentId,
        d.statuses.at(-1)?.state,
      ]),
    ).toEqual([
      [`cloudformation/${STACK}/update/${at(30).toISOString()}`, 'success'],
      [`cloudformation/${STACK}/update/${at(0).toISOString()}`, 'inactive'],
    ]);
  });

  it('backfills a finished stack with 30 past deployments in 12 calls', async () => {
    mockSamStack({
      stack: stack('UPDATE_COMPLETE'),
      deployments: [
        codeDeployDeployment(CANARY, 'Succeeded'),
        ...Array.from({ length: 30 }, (_, i) =>
          codeDeployDeployment(
            `d-PAST${String(i).padStart(5, '0')}`,
            'Succeeded',
            {
              created: at(-60 * (i + 1)),
            },
          ),
        ),
      ],
    });
    const { sync } = setup();

    const snapshot = await sync();

    expect(snapshot.deployments).toHaveLength(31);
    expect(awsCalls().sort()).toEqual(
      [
        'cloudformation.DescribeStacks',
        'cloudformation.ListStackResources',
        'cloudformation.DescribeStackEvents',
        'codedeploy.GetDeploymentGroup',
        'codedeploy.ListDeployments',
        'codedeploy.BatchGetDeployments',
        'codedeploy.BatchGetDeployments',
        'codedeploy.ListDeploymentTargets',
        'codedeploy.BatchGetDeploymentTargets',
        'cloudwatch.DescribeAlarms',
        'lambda.GetAlias',
        'lambda.ListVersionsByFunction',
      ].sort(),
    );
  });

  it('keeps one rollout when LastUpdatedTime moves with every status change, going by the stack events', async () => {
    mockSamStack({ stack: stack('UPDATE_IN_PROGRESS'), deployments: [] });
    const { sync } = setup();
    const first = await sync();
    resetAws();
    mockSamStack({
      stack: stack('UPDATE_COMPLETE', { updatedAt: at(8) }),
      startedAt: at(0),
      completedAt: at(8),
      deployments: [codeDeployDeployment(CANARY, 'Succeeded')],
    });

    const second = await sync(first.cursor);

    expect(second.deployments).toHaveLength(1);
    expect(second.deployments[0]).toMatchObject({
      providerDeploymentId: `cloudformation/${STACK}/update/${at(
        0,
      ).toISOString()}`,
      createdAt: at(0).toISOString(),
      strategy: { trafficPercent: 100 },
    });
    expect(second.deployments[0].statuses.at(-1)).toMatchObject({
      state: 'success',
      at: at(8).toISOString(),
    });
  });

  it('names a finished rollout by its CodeDeploy deployment on a first sync, whatever LastUpdatedTime says', async () => {
    mockSamStack({
      stack: stack('UPDATE_COMPLETE', { updatedAt: at(8) }),
      startedAt: at(0),
      deployments: [codeDeployDeployment(CANARY, 'Succeeded')],
    });
    const { sync } = setup();

    const snapshot = await sync();

    expect(snapshot.deployments[0]).toMatchObject({
      providerDeploymentId: `cloudformation/${STACK}/${CANARY}`,
      createdAt: at(0).toISOString(),
    });
  });
});
