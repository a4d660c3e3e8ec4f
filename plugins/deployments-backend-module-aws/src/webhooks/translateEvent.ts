import type { ProviderWebhookEvent } from '@stagecraft/plugin-deployments-node';
import {
  deploymentGroupKey,
  parseArn,
  partitionOf,
  stackArn,
  stackKey,
} from '../binding/annotations';
import { approvalGateId } from '../sync/pipeline/pipelineGates';

/** An EventBridge event as SNS delivers it in `Message`. */
export interface EventBridgeEvent {
  'detail-type'?: string;
  source?: string;
  account?: string;
  region?: string;
  time?: string;
  resources?: string[];
  detail?: Record<string, unknown>;
}

const FINISHED_ACTION_STATES = ['SUCCEEDED', 'FAILED', 'ABANDONED', 'CANCELED'];

/**
 * Translates one EventBridge event into the events of the targets it is
 * about. The events name what changed but not enough to rebuild a rollout
 * (no commit, no traffic, no stage history), so each asks for a resync of
 * the target; a decided manual approval also closes its gate at once.
 * Events of other sources or types are ignored.
 */
export function translateEvent(
  event: EventBridgeEvent,
): ProviderWebhookEvent[] {
  const detail = event.detail ?? {};
  const str = (key: string) =>
    typeof detail[key] === 'string' ? (detail[key] as string) : undefined;
  const region = event.region ?? '';
  const account = event.account ?? '';
  const partition = partitionOf(region);
  switch (event.source) {
    case 'aws.codepipeline': {
      const pipeline = str('pipeline');
      if (!pipeline) return [];
      const fromResources = (event.resources ?? []).find(
        r => parseArn(r)?.service === 'codepipeline',
      );
      const routingKey =
        fromResources ??
        `arn:${partition}:codepipeline:${region}:${account}:${pipeline}`;
      const result: ProviderWebhookEvent = { routingKey, resync: true };
      const type = detail.type as { category?: string } | undefined;
      const stage = str('stage');
      const action = str('action');
      const executionId = str('execution-id');
      const state = str('state');
      if (
        event['detail-type'] === 'CodePipeline Action Execution State Change' &&
        type?.category === 'Approval' &&
        stage &&
        action &&
        executionId &&
        state &&
        FINISHED_ACTION_STATES.includes(state)
      ) {
        result.closedGateIds = [
          approvalGateId({
            pipelineName: pipeline,
            stageName: stage,
            actionName: action,
            pipelineExecutionId: executionId,
          }),
        ];
      }
      return [result];
    }
    case 'aws.codedeploy': {
      const fromResources = (event.resources ?? []).find(r =>
        parseArn(r)?.resource.startsWith('deploymentgroup:'),
      );
      const application = str('application');
      const deploymentGroup = str('deploymentGroup');
      if (!fromResources && !(application && deploymentGroup)) return [];
      return [
        {
          routingKey:
            fromResources ??
            deploymentGroupKey({
              partition,
              region,
              accountId: account,
              application: application!,
              deploymentGroup: deploymentGroup!,
            }),
          resync: true,
        },
      ];
    }
    case 'aws.cloudformation': {
      const id = str('stack-id') ?? event.resources?.[0];
      const stack = id ? stackArn(id) : undefined;
      if (!stack) return [];
      return [{ routingKey: stackKey(stack), resync: true }];
    }
    default:
      return [];
  }
}
