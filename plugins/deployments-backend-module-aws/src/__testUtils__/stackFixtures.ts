import {
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  Stack,
} from '@aws-sdk/client-cloudformation';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  BatchGetDeploymentTargetsCommand,
  BatchGetDeploymentsCommand,
  DeploymentInfo,
  GetDeploymentGroupCommand,
  ListDeploymentsCommand,
  ListDeploymentTargetsCommand,
} from '@aws-sdk/client-codedeploy';
import {
  GetAliasCommand,
  ListVersionsByFunctionCommand,
} from '@aws-sdk/client-lambda';
import { ACCOUNT, aws, REGION } from './awsMocks';
import { at, sha } from './pipelineFixtures';

export const STACK = 'payments-prod';
export const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${STACK}/5b7e0f60-0000-11ef-8000-0a1b2c3d4e5f`;
export const APPLICATION = `${STACK}-ServerlessDeploymentApplication-1A2B3C`;
export const GROUP = `${STACK}-PaymentsFunctionDeploymentGroup-4D5E6F`;
export const FUNCTION = `${STACK}-PaymentsFunction-7G8H9I`;
export const ALARM = 'payments-5xx';

/** The commit a published Lambda version's description names in these fixtures. */
export function versionSha(version: number): string {
  return sha(100 + version);
}

export function stack(
  status: string,
  options: { n?: number; updatedAt?: Date } = {},
): Stack {
  const n = options.n ?? 2;
  return {
    StackId: STACK_ID,
    StackName: STACK,
    StackStatus: status as Stack['StackStatus'],
    CreationTime: at(-1000),
    LastUpdatedTime: options.updatedAt ?? at(0),
    Parameters: [{ ParameterKey: 'GitSha', ParameterValue: sha(n) }],
    Tags: [{ Key: 'GitSha', Value: sha(n) }],
  };
}

export function codeDeployDeployment(
  id: string,
  status: string,
  options: {
    created?: Date;
    from?: string;
    to?: string;
    config?: string;
    extra?: Partial<DeploymentInfo>;
  } = {},
): DeploymentInfo {
  const created = options.created ?? at(1);
  const appSpec = JSON.stringify({
    version: 0.0,
    Resources: [
      {
        PaymentsFunction: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Name: FUNCTION,
            Alias: 'live',
            CurrentVersion: options.from ?? '6',
            TargetVersion: options.to ?? '7',
          },
        },
      },
    ],
  });
  return {
    deploymentId: id,
    applicationName: APPLICATION,
    deploymentGroupName: GROUP,
    deploymentConfigName:
      options.config ?? 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
    status: status as DeploymentInfo['status'],
    creator: 'CloudFormation',
    createTime: created,
    startTime: new Date(created.getTime() + 5_000),
    ...(['Succeeded', 'Failed', 'Stopped'].includes(status)
      ? { completeTime: new Date(created.getTime() + 6 * 60_000) }
      : {}),
    revision: {
      revisionType: 'AppSpecContent',
      appSpecContent: { content: appSpec },
    },
    autoRollbackConfiguration: {
      enabled: true,
      events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'],
    },
    ...options.extra,
  };
}

/** Mocks a SAM stack with one function behind a CodeDeploy canary. */
export function mockSamStack(options: {
  stack: Stack;
  deployments: DeploymentInfo[];
  alias?: { version: string; weights?: Record<string, number> };
  alarmState?: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  completedAt?: Date;
  /** When the update started (its UPDATE_IN_PROGRESS event). Default: the stack's LastUpdatedTime. */
  startedAt?: Date;
  /** Status of the PostTraffic hook (the PreTraffic one succeeded). Default Pending. */
  postTraffic?: string;
}) {
  aws.codedeploy
    .on(ListDeploymentTargetsCommand)
    .resolves({ targetIds: [`${FUNCTION}:live`] });
  aws.codedeploy.on(BatchGetDeploymentTargetsCommand).resolves({
    deploymentTargets: [
      {
        deploymentTargetType: 'LambdaFunction' as never,
        lambdaTarget: {
          targetId: `${FUNCTION}:live`,
          lifecycleEvents: [
            {
              lifecycleEventName: 'BeforeAllowTraffic',
              status: 'Succeeded',
              endTime: at(2),
            },
            { lifecycleEventName: 'AllowTraffic', status: 'InProgress' },
            {
              lifecycleEventName: 'AfterAllowTraffic',
              status: (options.postTraffic ?? 'Pending') as never,
            },
          ],
        },
      },
    ],
  });
  aws.cloudformation
    .on(DescribeStacksCommand)
    .resolves({ Stacks: [options.stack] });
  aws.cloudformation.on(ListStackResourcesCommand).resolves({
    StackResourceSummaries: [
      resource(
        'ServerlessDeploymentApplication',
        'AWS::CodeDeploy::Application',
        APPLICATION,
      ),
      resource(
        'PaymentsFunctionDeploymentGroup',
        'AWS::CodeDeploy::DeploymentGroup',
        GROUP,
      ),
      resource('PaymentsFunction', 'AWS::Lambda::Function', FUNCTION),
      resource(
        'PaymentsFunctionAliaslive',
        'AWS::Lambda::Alias',
        `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${FUNCTION}:live`,
      ),
    ],
  });
  aws.codedeploy.on(GetDeploymentGroupCommand).resolves({
    deploymentGroupInfo: {
      applicationName: APPLICATION,
      deploymentGroupName: GROUP,
      alarmConfiguration: { enabled: true, alarms: [{ name: ALARM }] },
    },
  });
  aws.codedeploy
    .on(ListDeploymentsCommand)
    .resolves({ deployments: options.deployments.map(d => d.deploymentId!) });
  aws.codedeploy.on(BatchGetDeploymentsCommand).callsFake(input => ({
    deploymentsInfo: options.deployments.filter(d =>
      input.deploymentIds.includes(d.deploymentId),
    ),
  }));
  // Published versions 1..7, each described with its commit (SAM VersionDescription).
  aws.lambda.on(ListVersionsByFunctionCommand).resolves({
    Versions: [
      { Version: '$LATEST', Description: '' },
      ...[1, 2, 3, 4, 5, 6, 7].map(v => ({
        Version: String(v),
        Description: `payments-api ${versionSha(v)}`,
      })),
    ],
  });
  aws.lambda.on(GetAliasCommand).resolves({
    Name: 'live',
    FunctionVersion: options.alias?.version ?? '7',
    ...(options.alias?.weights
      ? { RoutingConfig: { AdditionalVersionWeights: options.alias.weights } }
      : {}),
  });
  aws.cloudwatch.on(DescribeAlarmsCommand).resolves({
    MetricAlarms: [
      {
        AlarmName: ALARM,
        StateValue: options.alarmState ?? 'OK',
        StateReason:
          'Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).',
        StateUpdatedTimestamp: at(3),
      },
    ],
  });
  const stackEvent = (id: string, status: string, timestamp: Date) => ({
    StackId: STACK_ID,
    StackName: STACK,
    EventId: id,
    LogicalResourceId: STACK,
    ResourceType: 'AWS::CloudFormation::Stack',
    ResourceStatus: status as never,
    Timestamp: timestamp,
  });
  const status = options.stack.StackStatus ?? '';
  const started = options.startedAt ?? options.stack.LastUpdatedTime ?? at(0);
  aws.cloudformation.on(DescribeStackEventsCommand).resolves({
    // Newest first, with a resource event between, as CloudFormation lists them.
    StackEvents: [
      ...(status.endsWith('_IN_PROGRESS')
        ? []
        : [stackEvent('e-3', status, options.completedAt ?? at(8))]),
      {
        ...stackEvent('e-2', 'UPDATE_COMPLETE', at(5)),
        LogicalResourceId: 'PaymentsFunction',
        ResourceType: 'AWS::Lambda::Function',
      },
      ...(status.includes('ROLLBACK') && status.endsWith('_IN_PROGRESS')
        ? [stackEvent('e-r', status, at(6))]
        : []),
      stackEvent('e-1', 'UPDATE_IN_PROGRESS', started),
    ],
  });
}

function resource(logical: string, type: string, physical: string) {
  return {
    LogicalResourceId: logical,
    ResourceType: type,
    PhysicalResourceId: physical,
    LastUpdatedTimestamp: at(0),
    ResourceStatus: 'UPDATE_COMPLETE' as const,
  };
}
