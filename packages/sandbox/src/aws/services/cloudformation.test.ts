import {
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  StackEvent,
} from '@aws-sdk/client-cloudformation';
import { SandboxServer } from '../../server';
import { startTestSandbox } from '../../__testUtils__/sandbox';
import { awsClients, rejection } from '../../__testUtils__/aws';

describe('CloudFormation stand-in (through @aws-sdk/client-cloudformation, query protocol)', () => {
  let server: SandboxServer;
  let aws: ReturnType<typeof awsClients>;

  beforeAll(async () => {
    server = await startTestSandbox();
    aws = awsClients(server);
  });
  afterAll(() => server.close());

  it('records the commit of each python-service stack as parameter, tag and output: the newest GitHub deployment that succeeded there', async () => {
    const repository = server.simulation.world.findRepository(
      'acme',
      'python-service',
    )!;
    for (const environment of ['dev', 'staging', 'production']) {
      const { Stacks } = await aws.cloudformation.send(
        new DescribeStacksCommand({
          StackName: `python-service-${environment}`,
        }),
      );
      const [stack] = Stacks!;
      const newestSuccess = [...repository.deployments]
        .reverse()
        .find(
          d =>
            d.environment === environment &&
            d.statuses.some(s => s.state === 'success'),
        )!;
      expect(stack.StackStatus).toBe('UPDATE_COMPLETE');
      expect(stack.Parameters).toEqual(
        expect.arrayContaining([
          { ParameterKey: 'GitSha', ParameterValue: newestSuccess.sha },
          { ParameterKey: 'Environment', ParameterValue: environment },
        ]),
      );
      expect(stack.Tags).toEqual(
        expect.arrayContaining([
          { Key: 'GitSha', Value: newestSuccess.sha },
          {
            Key: 'stagecraft.io/entity',
            Value: 'component:default/python-service',
          },
          { Key: 'stagecraft.io/environment', Value: environment },
        ]),
      );
      expect(stack.Outputs).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            OutputKey: 'GitSha',
            OutputValue: newestSuccess.sha,
          }),
        ]),
      );
      expect(stack.StackId).toMatch(
        new RegExp(
          `^arn:aws:cloudformation:eu-west-1:123456789012:stack/python-service-${environment}/[0-9a-f-]{36}$`,
        ),
      );
      expect(stack.LastUpdatedTime!.getTime()).toBeGreaterThan(
        stack.CreationTime!.getTime(),
      );
    }
  });

  it('describes every stack without a name, and answers an unknown stack with ValidationError', async () => {
    const { Stacks } = await aws.cloudformation.send(
      new DescribeStacksCommand({}),
    );
    expect(Stacks!.map(s => s.StackName).sort()).toEqual([
      'ledger-worker-dev',
      'ledger-worker-production',
      'ledger-worker-staging',
      'python-service-dev',
      'python-service-production',
      'python-service-staging',
    ]);
    const error = await rejection(
      aws.cloudformation.send(new DescribeStacksCommand({ StackName: 'nope' })),
    );
    expect(error.name).toBe('ValidationError');
    expect(error.message).toBe('Stack with id nope does not exist');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('pages the stack events newest first', async () => {
    const events: StackEvent[] = [];
    let NextToken: string | undefined;
    do {
      const page = await aws.cloudformation.send(
        new DescribeStackEventsCommand({
          StackName: 'python-service-production',
          NextToken,
        }),
      );
      expect(page.StackEvents!.length).toBeLessThanOrEqual(100);
      events.push(...page.StackEvents!);
      NextToken = page.NextToken;
    } while (NextToken);
    expect(events.length).toBeGreaterThan(300);
    const times = events.map(e => e.Timestamp!.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const statuses = new Set(
      events
        .filter(e => e.ResourceType === 'AWS::CloudFormation::Stack')
        .map(e => e.ResourceStatus),
    );
    for (const status of [
      'CREATE_COMPLETE',
      'UPDATE_IN_PROGRESS',
      'UPDATE_COMPLETE',
      'UPDATE_ROLLBACK_COMPLETE',
    ])
      expect(statuses).toContain(status);
    expect(
      (
        await rejection(
          aws.cloudformation.send(
            new DescribeStackEventsCommand({
              StackName: 'python-service-production',
              NextToken: 'bogus',
            }),
          ),
        )
      ).name,
    ).toBe('ValidationError');
  });

  it('lists the SAM-generated resources: the function, its alias, the CodeDeploy application and group', async () => {
    const { StackResources } = await aws.cloudformation.send(
      new DescribeStackResourcesCommand({
        StackName: 'python-service-production',
      }),
    );
    const byLogicalId = Object.fromEntries(
      StackResources!.map(r => [r.LogicalResourceId, r]),
    );
    expect(byLogicalId.FraudScoreFunction).toMatchObject({
      ResourceType: 'AWS::Lambda::Function',
      PhysicalResourceId: 'python-service-production',
    });
    expect(byLogicalId.FraudScoreFunctionAliaslive).toMatchObject({
      ResourceType: 'AWS::Lambda::Alias',
      PhysicalResourceId:
        'arn:aws:lambda:eu-west-1:123456789012:function:python-service-production:live',
    });
    expect(byLogicalId.ServerlessDeploymentApplication).toMatchObject({
      ResourceType: 'AWS::CodeDeploy::Application',
      PhysicalResourceId: expect.stringMatching(
        /^python-service-production-ServerlessDeploymentApplication-[A-Z0-9]{12}$/,
      ),
    });
    expect(byLogicalId.FraudScoreFunctionDeploymentGroup.ResourceType).toBe(
      'AWS::CodeDeploy::DeploymentGroup',
    );
    const versions = StackResources!.filter(
      r => r.ResourceType === 'AWS::Lambda::Version',
    );
    expect(versions).toHaveLength(1);
    expect(versions[0].LogicalResourceId).toMatch(
      /^FraudScoreFunctionVersion[0-9a-f]{10}$/,
    );

    const { StackResourceSummaries } = await aws.cloudformation.send(
      new ListStackResourcesCommand({ StackName: 'python-service-production' }),
    );
    expect(StackResourceSummaries!.map(r => r.LogicalResourceId)).toEqual(
      StackResources!.map(r => r.LogicalResourceId),
    );
    const one = await aws.cloudformation.send(
      new DescribeStackResourcesCommand({
        StackName: 'python-service-production',
        LogicalResourceId: 'FraudScoreFunctionAliaslive',
      }),
    );
    expect(one.StackResources).toHaveLength(1);
  });
});
