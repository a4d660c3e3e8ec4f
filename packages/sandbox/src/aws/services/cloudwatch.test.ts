import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetDeploymentGroupCommand } from '@aws-sdk/client-codedeploy';
import { DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { SandboxServer } from '../../server';
import { startTestSandbox } from '../../__testUtils__/sandbox';
import { awsClients, rejection } from '../../__testUtils__/aws';

describe('CloudWatch stand-in (through @aws-sdk/client-cloudwatch, JSON 1.0)', () => {
  let server: SandboxServer;
  let aws: ReturnType<typeof awsClients>;

  beforeEach(async () => {
    server = await startTestSandbox();
    aws = awsClients(server);
  });
  afterEach(() => server.close());

  it("describes the deployment group's alarms by name, with their state", async () => {
    const { StackResources } = await aws.cloudformation.send(
      new DescribeStackResourcesCommand({
        StackName: 'python-service-production',
      }),
    );
    const physical = (id: string) =>
      StackResources!.find(r => r.LogicalResourceId === id)!
        .PhysicalResourceId!;
    const { deploymentGroupInfo } = await aws.codedeploy.send(
      new GetDeploymentGroupCommand({
        applicationName: physical('ServerlessDeploymentApplication'),
        deploymentGroupName: physical('FraudScoreFunctionDeploymentGroup'),
      }),
    );
    const AlarmNames = deploymentGroupInfo!.alarmConfiguration!.alarms!.map(
      a => a.name!,
    );
    const { MetricAlarms } = await aws.cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNames }),
    );
    expect(MetricAlarms!.map(a => a.AlarmName)).toEqual(AlarmNames);
    expect(MetricAlarms![0]).toMatchObject({
      StateValue: 'OK',
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      AlarmArn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${AlarmNames[0]}`,
    });
    expect(MetricAlarms![0].StateUpdatedTimestamp).toBeInstanceOf(Date);
  });

  it("shows the new version's alarm in ALARM while it trips a canary, and OK after the rollback", async () => {
    const { pipeline, world } = server.simulation;
    const repository = world.findRepository('acme', 'python-service')!;
    const [, previous] = [...repository.tags].reverse();
    // A release fated to trip the alarm, through the GitHub workflow and its review.
    const run = pipeline.dispatch(
      repository,
      {
        ref: previous.name,
        inputs: { environment: 'production', version: previous.name },
        actor: 'alice',
      },
      { failAt: 'production' },
    );
    for (let i = 0; i < 3; i++) server.react();
    pipeline.review(repository, run, {
      environmentIds: [
        repository.environments.find(e => e.name === 'production')!.id,
      ],
      state: 'approved',
      comment: '',
      user: 'bob',
    });
    for (let i = 0; i < 3; i++) server.react();
    const alarmed = async () =>
      (
        await aws.cloudwatch.send(
          new DescribeAlarmsCommand({ StateValue: 'ALARM' }),
        )
      ).MetricAlarms!;
    server.tick();
    server.tick();
    expect(await alarmed()).toEqual([]);
    server.tick();
    const [alarm] = await alarmed();
    expect(alarm.AlarmName).toMatch(
      /^python-service-production-NewVersionErrorsAlarm-/,
    );
    expect(alarm.StateReason).toMatch(/^Threshold Crossed/);
    server.tick(); // the rollback completes: traffic back, alarm OK
    expect(await alarmed()).toEqual([]);
    server.react();
    expect(run.conclusion).toBe('failure');
  });

  it('filters by state and refuses an unknown state value', async () => {
    const { MetricAlarms } = await aws.cloudwatch.send(
      new DescribeAlarmsCommand({ StateValue: 'ALARM' }),
    );
    expect(MetricAlarms).toEqual([]);
    const error = await rejection(
      aws.cloudwatch.send(
        new DescribeAlarmsCommand({ StateValue: 'LOUD' as any }),
      ),
    );
    expect(error.name).toBe('InvalidParameterValueException');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });
});
