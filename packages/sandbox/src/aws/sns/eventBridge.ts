import { randomUUID } from 'node:crypto';
import { ACCOUNT_ID, REGION, arn } from '../cloud/account';
import { AwsCloud, AwsEvent } from '../cloud/AwsCloud';

/** An EventBridge event as a rule's SNS target receives it (the SNS Message). */
export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** EventBridge writes times to the second: `2026-03-02T12:00:00Z`. */
function time(ms: number) {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/**
 * The events an EventBridge rule forwards to the sandbox's SNS topic:
 * CodePipeline execution, stage and action state changes, CodeDeploy
 * deployment state changes and CloudFormation stack status changes.
 */
export function eventBridgeEventOf(
  cloud: AwsCloud,
  event: AwsEvent,
): EventBridgeEvent {
  const envelope = (
    detailType: string,
    source: string,
    resources: string[],
    detail: Record<string, unknown>,
  ): EventBridgeEvent => ({
    version: '0',
    // Not from the seeded generator: sending events must not shift the world.
    id: randomUUID(),
    'detail-type': detailType,
    source,
    account: ACCOUNT_ID,
    time: time(cloud.now()),
    region: REGION,
    resources,
    detail,
  });
  switch (event.kind) {
    case 'stack-status':
      return envelope(
        'CloudFormation Stack Status Change',
        'aws.cloudformation',
        [event.stack.stackId],
        {
          'stack-id': event.stack.stackId,
          'status-details': {
            status: event.stack.status,
            'status-reason': event.stack.statusReason ?? '',
          },
        },
      );
    case 'codedeploy': {
      const { deployment, group } = event;
      return envelope(
        'CodeDeploy Deployment State-change Notification',
        'aws.codedeploy',
        [
          arn('codedeploy', `application:${group.applicationName}`),
          arn(
            'codedeploy',
            `deploymentgroup:${group.applicationName}/${group.groupName}`,
          ),
        ],
        {
          region: REGION,
          deploymentId: deployment.id,
          instanceGroupId: group.groupId,
          deploymentGroup: group.groupName,
          state: event.state,
          application: group.applicationName,
        },
      );
    }
    case 'pipeline-execution':
      return envelope(
        'CodePipeline Pipeline Execution State Change',
        'aws.codepipeline',
        [event.pipeline.arn],
        {
          pipeline: event.pipeline.name,
          'execution-id': event.execution.id,
          'start-time': new Date(event.execution.startTime).toISOString(),
          'execution-trigger': {
            'trigger-type': event.execution.trigger.type,
            'trigger-detail': event.execution.trigger.detail,
          },
          state: event.state,
          version: event.pipeline.version,
          'pipeline-execution-attempt': 1,
        },
      );
    case 'pipeline-stage':
      return envelope(
        'CodePipeline Stage Execution State Change',
        'aws.codepipeline',
        [event.pipeline.arn],
        {
          pipeline: event.pipeline.name,
          'execution-id': event.execution.id,
          'start-time': new Date(event.execution.startTime).toISOString(),
          stage: event.stage,
          state: event.state,
          version: event.pipeline.version,
          'pipeline-execution-attempt': 1,
        },
      );
    case 'pipeline-action':
    default: {
      const { action } = event;
      const record = [...event.execution.actions]
        .reverse()
        .find(a => a.stageName === event.stage && a.actionName === action.name);
      return envelope(
        'CodePipeline Action Execution State Change',
        'aws.codepipeline',
        [event.pipeline.arn],
        {
          pipeline: event.pipeline.name,
          'execution-id': event.execution.id,
          'start-time': new Date(event.execution.startTime).toISOString(),
          stage: event.stage,
          'action-execution-id': record?.id,
          action: action.name,
          state: event.state,
          region: REGION,
          type: {
            owner: action.owner,
            provider: action.provider,
            category: action.category,
            version: '1',
          },
          version: event.pipeline.version,
          'pipeline-execution-attempt': 1,
        },
      );
    }
  }
}
