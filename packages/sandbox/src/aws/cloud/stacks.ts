import type { StackStatus } from '@aws-sdk/client-cloudformation';
import { ENTITY_TAG, ENVIRONMENT_TAG, arn, uuid } from './account';
import { AwsCloud } from './AwsCloud';
import { StackRecord, StackResourceRecord } from './model';

export interface StackSpec {
  stackName: string;
  description: string;
  entity: string;
  environment: string;
  parameters: Record<string, string>;
  outputs: StackRecord['outputs'];
  resources: Array<Omit<StackResourceRecord, 'status' | 'updatedAt'>>;
}

/**
 * Records a stack as `sam deploy` creates it: in CREATE_IN_PROGRESS, with the
 * entity, environment and GitSha tags the example's pipeline passes.
 */
export function beginStackCreate(
  cloud: AwsCloud,
  spec: StackSpec,
): StackRecord {
  const now = cloud.now();
  const stack: StackRecord = {
    stackId: arn(
      'cloudformation',
      `stack/${spec.stackName}/${uuid(cloud.random)}`,
    ),
    stackName: spec.stackName,
    description: spec.description,
    createdAt: now,
    status: 'REVIEW_IN_PROGRESS',
    entity: spec.entity,
    environment: spec.environment,
    parameters: { ...spec.parameters },
    tags: stackTags(spec.entity, spec.environment, spec.parameters.GitSha),
    outputs: spec.outputs,
    resources: spec.resources.map(r => ({
      ...r,
      status: 'CREATE_IN_PROGRESS',
      updatedAt: now,
    })),
    events: [],
  };
  cloud.stacks.push(stack);
  setStackStatus(cloud, stack, 'CREATE_IN_PROGRESS', 'User Initiated');
  for (const resource of stack.resources)
    stackEvent(cloud, stack, resource.logicalId, 'CREATE_IN_PROGRESS');
  return stack;
}

export function completeStackCreate(cloud: AwsCloud, stack: StackRecord) {
  for (const resource of stack.resources)
    setResourceStatus(cloud, stack, resource.logicalId, 'CREATE_COMPLETE');
  setStackStatus(cloud, stack, 'CREATE_COMPLETE');
}

export function stackTags(entity: string, environment: string, gitSha: string) {
  return {
    [ENTITY_TAG]: entity,
    [ENVIRONMENT_TAG]: environment,
    GitSha: gitSha,
  };
}

/** The stack's own status changes; CloudFormation logs them as events of the stack. */
export function setStackStatus(
  cloud: AwsCloud,
  stack: StackRecord,
  status: StackStatus,
  reason?: string,
) {
  stack.status = status;
  stack.statusReason = reason;
  if (status !== 'CREATE_IN_PROGRESS' && status !== 'CREATE_COMPLETE')
    stack.updatedAt = cloud.now();
  stack.events.push({
    eventId: uuid(cloud.random),
    timestamp: cloud.now(),
    logicalResourceId: stack.stackName,
    physicalResourceId: stack.stackId,
    resourceType: 'AWS::CloudFormation::Stack',
    resourceStatus: status,
    resourceStatusReason: reason,
  });
  cloud.emit({ kind: 'stack-status', stack });
}

export function setResourceStatus(
  cloud: AwsCloud,
  stack: StackRecord,
  logicalId: string,
  status: string,
  reason?: string,
) {
  const resource = stack.resources.find(r => r.logicalId === logicalId);
  if (resource) {
    resource.status = status;
    resource.updatedAt = cloud.now();
  }
  stackEvent(cloud, stack, logicalId, status, reason);
}

function stackEvent(
  cloud: AwsCloud,
  stack: StackRecord,
  logicalId: string,
  status: string,
  reason?: string,
) {
  const resource = stack.resources.find(r => r.logicalId === logicalId);
  stack.events.push({
    eventId: `${logicalId}-${status}-${new Date(cloud.now()).toISOString()}`,
    timestamp: cloud.now(),
    logicalResourceId: logicalId,
    physicalResourceId: resource?.physicalId ?? '',
    resourceType: resource?.type ?? 'AWS::CloudFormation::Stack',
    resourceStatus: status,
    resourceStatusReason: reason,
  });
}
