import {
  BatchGetDeploymentTargetsCommand,
  BatchGetDeploymentsCommand,
  GetDeploymentConfigCommand,
  GetDeploymentGroupCommand,
  ListDeploymentTargetsCommand,
  ListDeploymentsCommand,
  StopDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import {
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { GetAliasCommand } from '@aws-sdk/client-lambda';
import { SandboxServer } from '../../server';
import { github, startTestSandbox } from '../../__testUtils__/sandbox';
import { awsClients, rejection } from '../../__testUtils__/aws';

describe('CodeDeploy stand-in (through @aws-sdk/client-codedeploy)', () => {
  let server: SandboxServer;
  let aws: ReturnType<typeof awsClients>;
  let group: { applicationName: string; deploymentGroupName: string };

  beforeEach(async () => {
    server = await startTestSandbox();
    aws = awsClients(server);
    // Found as the provider finds it: from the stack's SAM-generated resources.
    const { StackResources } = await aws.cloudformation.send(
      new DescribeStackResourcesCommand({
        StackName: 'python-service-production',
      }),
    );
    const physical = (logicalId: string) =>
      StackResources!.find(r => r.LogicalResourceId === logicalId)!
        .PhysicalResourceId!;
    group = {
      applicationName: physical('ServerlessDeploymentApplication'),
      deploymentGroupName: physical('FraudScoreFunctionDeploymentGroup'),
    };
  });
  afterEach(() => server.close());

  const deploymentsOf = async (statuses?: any[]) =>
    (
      await aws.codedeploy.send(
        new ListDeploymentsCommand({ ...group, includeOnlyStatuses: statuses }),
      )
    ).deployments!;
  const info = async (id: string) =>
    (
      await aws.codedeploy.send(
        new BatchGetDeploymentsCommand({ deploymentIds: [id] }),
      )
    ).deploymentsInfo![0];
  const target = async (id: string) => {
    const { targetIds } = await aws.codedeploy.send(
      new ListDeploymentTargetsCommand({ deploymentId: id }),
    );
    const { deploymentTargets } = await aws.codedeploy.send(
      new BatchGetDeploymentTargetsCommand({ deploymentId: id, targetIds }),
    );
    return deploymentTargets![0].lambdaTarget!;
  };
  const alias = () =>
    aws.lambda.send(
      new GetAliasCommand({
        FunctionName: 'python-service-production',
        Name: 'live',
      }),
    );
  const stack = async () =>
    (
      await aws.cloudformation.send(
        new DescribeStacksCommand({ StackName: 'python-service-production' }),
      )
    ).Stacks![0];
  const gitSha = async () =>
    (await stack()).Parameters!.find(p => p.ParameterKey === 'GitSha')!
      .ParameterValue;

  /** Approves python-service's waiting production run on GitHub; its deploy job starts the canary. */
  async function startCanary() {
    const repository = server.simulation.world.findRepository(
      'acme',
      'python-service',
    )!;
    const run = repository.runs.find(r => r.status === 'waiting')!;
    const production = repository.environments.find(
      e => e.name === 'production',
    )!;
    const approved = await github(server, 'alice').post(
      `/repos/acme/python-service/actions/runs/${run.id}/pending_deployments`,
      {
        environment_ids: [production.id],
        state: 'approved',
        comment: 'Ship it',
      },
    );
    expect(approved.status).toBe(200);
    server.react(); // queued
    server.react(); // in progress: sam deploy
    const [newest] = await deploymentsOf();
    return { run, repository, deploymentId: newest, sha: run.headSha };
  }

  it('shifts 10 % of the live alias to the new version, bakes five ticks, then shifts the rest', async () => {
    const before = await gitSha();
    const { deploymentId, sha, repository, run } = await startCanary();
    const started = await info(deploymentId);
    expect(started).toMatchObject({
      status: 'InProgress',
      creator: 'CloudFormation',
      deploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
      computePlatform: 'Lambda',
    });
    expect((await stack()).StackStatus).toBe('UPDATE_IN_PROGRESS');
    expect(await gitSha()).toBe(sha);
    expect(before).not.toBe(sha);
    const { currentVersion, targetVersion } = (await target(deploymentId))
      .lambdaFunctionInfo!;

    server.tick();
    expect(
      (await target(deploymentId)).lambdaFunctionInfo!.targetVersionWeight,
    ).toBe(0.1);
    const canary = await alias();
    expect(canary.FunctionVersion).toBe(currentVersion);
    expect(canary.RoutingConfig!.AdditionalVersionWeights).toEqual({
      [targetVersion!]: 0.1,
    });
    for (let i = 0; i < 4; i++) server.tick();
    expect((await alias()).RoutingConfig!.AdditionalVersionWeights).toEqual({
      [targetVersion!]: 0.1,
    });

    server.tick();
    const done = await alias();
    expect(done.FunctionVersion).toBe(targetVersion);
    expect(done.RoutingConfig).toBeUndefined();
    expect((await info(deploymentId)).status).toBe('Succeeded');
    const lifecycle = (await target(deploymentId)).lifecycleEvents!;
    expect(lifecycle.map(e => [e.lifecycleEventName, e.status])).toEqual([
      ['BeforeAllowTraffic', 'Succeeded'],
      ['AllowTraffic', 'Succeeded'],
      ['AfterAllowTraffic', 'Succeeded'],
    ]);
    server.tick();
    expect((await stack()).StackStatus).toBe('UPDATE_COMPLETE');
    // The GitHub deploy job (sam deploy) finishes with the stack.
    server.react();
    const deployment = repository.deployments.find(
      d => d.id === run.gate!.deploymentId,
    )!;
    expect(deployment.statuses.map(s => s.state)).toContain('success');
  });

  it('stops a canary on request and rolls traffic, the stack and the GitHub deployment back', async () => {
    const before = await gitSha();
    const { deploymentId, repository, run } = await startCanary();
    server.tick();
    const { currentVersion } = (await target(deploymentId)).lambdaFunctionInfo!;
    const stopped = await aws.codedeploy.send(
      new StopDeploymentCommand({ deploymentId, autoRollbackEnabled: true }),
    );
    expect(stopped.status).toBe('Pending');
    const deployment = await info(deploymentId);
    expect(deployment).toMatchObject({
      status: 'Stopped',
      errorInformation: { code: 'MANUAL_STOP' },
    });
    const rollbackId = deployment.rollbackInfo!.rollbackDeploymentId!;
    server.react();
    expect(await info(rollbackId)).toMatchObject({
      status: 'Succeeded',
      creator: 'codeDeployRollback',
      rollbackInfo: { rollbackTriggeringDeploymentId: deploymentId },
    });
    expect((await alias()).FunctionVersion).toBe(currentVersion);
    expect((await alias()).RoutingConfig).toBeUndefined();
    expect((await stack()).StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(await gitSha()).toBe(before);
    server.react();
    const release = repository.deployments.find(
      d => d.id === run.gate!.deploymentId,
    )!;
    expect(release.statuses[release.statuses.length - 1]).toMatchObject({
      state: 'failure',
      description: expect.stringContaining(deploymentId),
    });
    expect(
      (
        await rejection(
          aws.codedeploy.send(new StopDeploymentCommand({ deploymentId })),
        )
      ).name,
    ).toBe('DeploymentAlreadyCompletedException');
  });

  it('keeps the canary that tripped an alarm in its history, with its automatic rollback', async () => {
    const stoppedIds = await deploymentsOf(['Stopped']);
    expect(stoppedIds).toHaveLength(1);
    const tripped = await info(stoppedIds[0]);
    expect(tripped.errorInformation).toMatchObject({
      code: 'ALARM_ACTIVE',
      message: expect.stringContaining('NewVersionErrorsAlarm'),
    });
    expect(tripped.autoRollbackConfiguration).toMatchObject({
      enabled: true,
      events: expect.arrayContaining(['DEPLOYMENT_STOP_ON_ALARM']),
    });
    const rollback = await info(tripped.rollbackInfo!.rollbackDeploymentId!);
    expect(rollback).toMatchObject({
      status: 'Succeeded',
      creator: 'codeDeployRollback',
      rollbackInfo: { rollbackTriggeringDeploymentId: tripped.deploymentId },
    });
    // GitHub's deploy job failed with it.
    const repository = server.simulation.world.findRepository(
      'acme',
      'python-service',
    )!;
    expect(
      repository.deployments.some(d =>
        d.statuses.some(
          s =>
            s.state === 'failure' &&
            s.description.includes(tripped.deploymentId!),
        ),
      ),
    ).toBe(true);
  });

  it('pages deployments and batches at most 25 of them', async () => {
    const first = await aws.codedeploy.send(new ListDeploymentsCommand({}));
    expect(first.deployments).toHaveLength(100);
    const second = await aws.codedeploy.send(
      new ListDeploymentsCommand({ nextToken: first.nextToken }),
    );
    expect(second.deployments!.length).toBeGreaterThan(0);
    expect(second.deployments).not.toContain(first.deployments![0]);
    const batch = await aws.codedeploy.send(
      new BatchGetDeploymentsCommand({
        deploymentIds: first.deployments!.slice(0, 25),
      }),
    );
    expect(batch.deploymentsInfo).toHaveLength(25);
    expect(
      (
        await rejection(
          aws.codedeploy.send(
            new BatchGetDeploymentsCommand({
              deploymentIds: first.deployments!.slice(0, 26),
            }),
          ),
        )
      ).name,
    ).toBe('BatchLimitExceededException');
    expect(
      (
        await rejection(
          aws.codedeploy.send(
            new BatchGetDeploymentsCommand({ deploymentIds: ['nope'] }),
          ),
        )
      ).name,
    ).toBe('InvalidDeploymentIdException');
    expect(
      (
        await rejection(
          aws.codedeploy.send(
            new ListDeploymentsCommand({ nextToken: 'bogus' }),
          ),
        )
      ).name,
    ).toBe('InvalidNextTokenException');
  });

  it('describes the canary config and the group with its alarms', async () => {
    const { deploymentConfigInfo } = await aws.codedeploy.send(
      new GetDeploymentConfigCommand({
        deploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
      }),
    );
    expect(deploymentConfigInfo!.trafficRoutingConfig).toEqual({
      type: 'TimeBasedCanary',
      timeBasedCanary: { canaryPercentage: 10, canaryInterval: 5 },
    });
    const { deploymentGroupInfo } = await aws.codedeploy.send(
      new GetDeploymentGroupCommand(group),
    );
    expect(
      deploymentGroupInfo!.alarmConfiguration!.alarms!.map(a => a.name),
    ).toEqual([
      expect.stringMatching(
        /^python-service-production-NewVersionErrorsAlarm-/,
      ),
      expect.stringMatching(/^python-service-production-AliasErrorsAlarm-/),
    ]);
    expect(deploymentGroupInfo!.deploymentStyle).toEqual({
      deploymentType: 'BLUE_GREEN',
      deploymentOption: 'WITH_TRAFFIC_CONTROL',
    });
    expect(
      (
        await rejection(
          aws.codedeploy.send(
            new GetDeploymentConfigCommand({ deploymentConfigName: 'Nope' }),
          ),
        )
      ).name,
    ).toBe('DeploymentConfigDoesNotExistException');
    expect(
      (
        await rejection(
          aws.codedeploy.send(
            new GetDeploymentGroupCommand({
              ...group,
              deploymentGroupName: 'nope',
            }),
          ),
        )
      ).name,
    ).toBe('DeploymentGroupDoesNotExistException');
  });
});
