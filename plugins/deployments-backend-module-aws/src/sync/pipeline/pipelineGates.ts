import type { GetPipelineStateOutput } from '@aws-sdk/client-codepipeline';
import type { GateReviewer } from '@stagecraft/plugin-deployments-common';
import type {
  ProviderEnvironment,
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

/**
 * Who may decide an approval, as far as AWS says: the IAM principals allowed
 * `codepipeline:PutApprovalResult` on the approval action's ARN. Reported as
 * one `principal` reviewer named by that ARN.
 */
export function approvalReviewer(options: {
  partition?: string;
  region: string;
  accountId?: string;
  pipelineName: string;
  stageName: string;
  actionName: string;
}): GateReviewer {
  return {
    type: 'principal',
    name: `arn:${options.partition ?? 'aws'}:codepipeline:${options.region}:${
      options.accountId ?? ''
    }:${options.pipelineName}/${options.stageName}/${options.actionName}`,
  };
}

/**
 * The environments a manual approval gates, with the approval's principal as
 * required reviewer: the core then treats the approval as the environment's
 * gate and holds no portal approval of its own on top. A stage's
 * `DeploymentWindow` entry rules are its environment's deployment windows.
 */
export function approvalProtection(
  structure: PipelineStructure,
  options: {
    pipelineName: string;
    partition?: string;
    region: string;
    accountId?: string;
    consoleBaseUrl: string;
  },
): ProviderEnvironment[] {
  const byName = new Map<string, ProviderEnvironment>();
  for (const stage of structure.stages) {
    if (!stage.reportAs) continue;
    const environment = byName.get(stage.reportAs) ?? {
      name: stage.reportAs,
      requiredReviewers: [],
    };
    for (const approval of stage.approvals) {
      environment.requiredReviewers.push(
        approvalReviewer({
          ...options,
          stageName: stage.name,
          actionName: approval.action,
        }),
      );
    }
    for (const window of stage.windows ?? []) {
      (environment.deploymentWindows ??= []).push({
        id: `${window.stage}/${window.rule}`,
        kind: 'allow',
        cron: window.cron,
        timeZone: window.timeZone,
        label: 'CodePipeline',
        definedAt: `pipeline ${options.pipelineName}, stage ${window.stage}, rule ${window.rule}`,
        url: consoleUrl(
          options,
          options.region,
          `/codesuite/codepipeline/pipelines/${encodeURIComponent(
            options.pipelineName,
          )}/view`,
        ),
      });
    }
    byName.set(stage.reportAs, environment);
  }
  return [...byName.values()];
}

export function approvalGate(options: {
  approval: WaitingApproval;
  version: ProviderVersion;
  pipelineName: string;
  partition?: string;
  accountId?: string;
  region: string;
  consoleBaseUrl: string;
}): ProviderGate {
  const { approval, pipelineName } = options;
  const summary = approval.customData ?? approval.summary;
  return {
    providerGateId: approvalGateId({ pipelineName, ...approval }),
    environment: approval.reportAs,
    version: options.version,
    reviewers: [
      approvalReviewer({
        ...options,
        stageName: approval.stageName,
        actionName: approval.actionName,
      }),
    ],
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
    ...(summary ? { summary } : {}),
  };
}
