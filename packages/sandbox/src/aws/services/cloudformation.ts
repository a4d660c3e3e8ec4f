import type {
  DescribeStackEventsOutput,
  DescribeStackResourcesOutput,
  DescribeStacksOutput,
  ListStackResourcesOutput,
  Stack,
} from '@aws-sdk/client-cloudformation';
import { Router } from 'express';
import { AwsCloud } from '../cloud/AwsCloud';
import { AwsServiceError } from '../cloud/errors';
import { StackRecord } from '../cloud/model';
import { page } from '../protocols/json';
import { createQueryProtocolRouter } from '../protocols/query';
import { SNS_TOPIC_ARN } from '../sns/topic';

/** CloudFormation's query API (`Action=…&Version=2010-05-15`, XML answers). */
export function createCloudFormationRouter(options: {
  cloud: AwsCloud;
}): Router {
  const { cloud } = options;
  const invalidToken = () =>
    new AwsServiceError('ValidationError', 'Invalid NextToken');
  const stackNamed = (params: URLSearchParams): StackRecord => {
    const name = params.get('StackName');
    if (!name)
      throw new AwsServiceError(
        'ValidationError',
        "1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null",
      );
    const stack = cloud.findStack(name);
    if (!stack)
      throw new AwsServiceError(
        'ValidationError',
        `Stack with id ${name} does not exist`,
      );
    return stack;
  };

  return createQueryProtocolRouter({
    version: '2010-05-15',
    xmlNamespace: 'http://cloudformation.amazonaws.com/doc/2010-05-15/',
    handlers: {
      DescribeStacks: (params): DescribeStacksOutput => {
        const stacks = params.get('StackName')
          ? [stackNamed(params)]
          : cloud.stacks;
        const { items, next } = page(stacks, {
          token: params.get('NextToken') ?? undefined,
          size: 100,
          invalid: invalidToken,
        });
        return { Stacks: items.map(stackOf), NextToken: next };
      },

      DescribeStackEvents: (params): DescribeStackEventsOutput => {
        const stack = stackNamed(params);
        const { items, next } = page([...stack.events].reverse(), {
          token: params.get('NextToken') ?? undefined,
          size: 100,
          invalid: invalidToken,
        });
        return {
          StackEvents: items.map(e => ({
            StackId: stack.stackId,
            EventId: e.eventId,
            StackName: stack.stackName,
            LogicalResourceId: e.logicalResourceId,
            PhysicalResourceId: e.physicalResourceId,
            ResourceType: e.resourceType,
            Timestamp: new Date(e.timestamp),
            ResourceStatus: e.resourceStatus as any,
            ResourceStatusReason: e.resourceStatusReason,
          })),
          NextToken: next,
        };
      },

      DescribeStackResources: (params): DescribeStackResourcesOutput => {
        const stack = stackNamed(params);
        const logicalId = params.get('LogicalResourceId');
        return {
          StackResources: stack.resources
            .filter(r => !logicalId || r.logicalId === logicalId)
            .map(r => ({
              StackName: stack.stackName,
              StackId: stack.stackId,
              LogicalResourceId: r.logicalId,
              PhysicalResourceId: r.physicalId,
              ResourceType: r.type,
              Timestamp: new Date(r.updatedAt),
              ResourceStatus: r.status as any,
              DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
            })),
        };
      },

      ListStackResources: (params): ListStackResourcesOutput => {
        const stack = stackNamed(params);
        const { items, next } = page(stack.resources, {
          token: params.get('NextToken') ?? undefined,
          size: 100,
          invalid: invalidToken,
        });
        return {
          StackResourceSummaries: items.map(r => ({
            LogicalResourceId: r.logicalId,
            PhysicalResourceId: r.physicalId,
            ResourceType: r.type,
            LastUpdatedTimestamp: new Date(r.updatedAt),
            ResourceStatus: r.status as any,
            DriftInformation: { StackResourceDriftStatus: 'NOT_CHECKED' },
          })),
          NextToken: next,
        };
      },
    },
  });
}

function stackOf(stack: StackRecord): Stack {
  return {
    StackId: stack.stackId,
    StackName: stack.stackName,
    Description: stack.description,
    Parameters: Object.entries(stack.parameters).map(
      ([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue,
      }),
    ),
    CreationTime: new Date(stack.createdAt),
    LastUpdatedTime: stack.updatedAt ? new Date(stack.updatedAt) : undefined,
    StackStatus: stack.status,
    StackStatusReason: stack.statusReason,
    DisableRollback: false,
    NotificationARNs: [SNS_TOPIC_ARN],
    Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_AUTO_EXPAND'],
    Outputs: stack.outputs.map(o => ({
      OutputKey: o.key,
      OutputValue: o.value,
      Description: o.description,
    })),
    Tags: Object.entries(stack.tags).map(([Key, Value]) => ({ Key, Value })),
    EnableTerminationProtection: false,
    DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
  };
}
