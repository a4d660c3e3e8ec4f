import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetDeploymentGroupCommand } from '@aws-sdk/client-codedeploy';
import { DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { SandboxServer } from '../../server';
import { startTestSandbox } from '../../__testUtils__/sandbox';
import { awsClients, rejection } from '../../__testUtils__/aws';

describe('CloudWatch stand-in (through @aws-sdk/client-cloudwatch, JSON 1.0)', () => {
  let server: SandboxServer;
  let aws: ReturnType<typeof awsClients>;

  beforeAll(async () => {
    server = await startTestSandbox();
    aws = awsClients(server);
  });
  afterAll(() => server.close());

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
