import type { GetPipelineStateOutput } from '@aws-sdk/client-codepipeline';
import type {
  ProviderGate,
  ProviderVersion,
} from '@stagecraft/plugin-deployments-node';
import { consoleUrl } from '../../settings';
import type { PipelineStructure } from './pipelineStructure';

/** CodePipeline manual approvals expire seven days after they open. */
export const APPROVAL_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

/** The gate id of one approval of one execution; webhooks compute the same id from an event. */
export function approvalGateId(parts: {
  pipelineName: string;
  stageName: string;
  actionName: string;
  pipelineExecutionId: string;
}): string {
  return [
    'approval',
    parts.pipelineName,
    parts.stageName,
    parts.actionName,
    parts.pipelineExecutionId,
  ].join('/');
}

/** An approval waiting now, with the execution it holds. */
export interface WaitingApproval {
  stageName: string;
  actionName: string;
  pipelineExecutionId: string;
  reportAs: string;
  since: string;
  customData?: string;
  link?: string;
  summary?: string;
}

/** The approvals of the pipeline that wait for a decision right now, from GetPipelineState. */
export function waitingApprovals(
  state: GetPipelineStateOutput,
  structure: PipelineStructure,
): WaitingApproval[] {
  const waiting: WaitingApproval[] = [];
  for (const stageState of state.stageStates ?? []) {
    const stage = structure.stages.find(s => s.name === stageState.stageName);
    if (!stage?.reportAs) continue;
    const executionId = stageState.latestExecution?.pipelineExecutionId;
    for (const approval of stage.approvals) {
      const actionState = stageState.actionStates?.find(
        a => a.actionName === approval.action,
      );
      const latest = actionState?.latestExecution;
      if (latest?.status !== 'InProgress' || !executionId) continue;
      const since = latest.lastStatusChange
        ? new Date(latest.lastStatusChange).toISOString()
        : undefined;
      if (!since) continue;
      waiting.push({
        stageName: stage.name,
        actionName: approval.action,
        pipelineExecutionId: executionId,
        reportAs: stage.reportAs,
        since,
        ...(approval.customData ? { customData: approval.customData } : {}),
        ...(approval.link ? { link: approval.link } : {}),
        ...(latest.summary ? { summary: latest.summary } : {}),
      });
    }
  }
  return waiting;
}

export function approvalGate(options: {
  approval: WaitingApproval;
  version: ProviderVersion;
  pipelineName: string;
  region: string;
  consoleBaseUrl: string;
}): ProviderGate {
  const { approval, pipelineName } = options;
  const summary = approval.customData ?? approval.summary;
  return {
    providerGateId: approvalGateId({ pipelineName, ...approval }),
    environment: approval.reportAs,
    version: options.version,
    reviewers: [],
    since: approval.since,
    type: 'manual-approval',
    expiresAt: new Date(
      new Date(approval.since).getTime() + APPROVAL_LIFETIME_MS,
    ).toISOString(),
    url:
      approval.link ??
      consoleUrl(
        options,
        options.region,
        `/codesuite/codepipeline/pipelines/${encodeURIComponent(
          pipelineName,
        )}/view`,
      ),
    details: {
      pipelineName,
      stageName: approval.stageName,
      actionName: approval.actionName,
      pipelineExecutionId: approval.pipelineExecutionId,
      ...(summary ? { summary } : {}),
    },
  };
}
