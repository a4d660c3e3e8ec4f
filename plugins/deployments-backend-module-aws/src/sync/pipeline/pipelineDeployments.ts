import type {
  ActionExecutionDetail,
  PipelineExecutionSummary,
} from '@aws-sdk/client-codepipeline';
import type { DeploymentStatusEntry } from '@stagecraft/plugin-deployments-common';
import type {
  ProviderDeployment,
  ProviderVersion,
} from '@stagecraft/plugin-deployments-node';
import { consoleUrl } from '../../settings';
import { versionOfRevisions } from '../revisions';
import {
  PipelineStructure,
  reportedNames,
  stagesReportedAs,
} from './pipelineStructure';

/** The id of one execution's work in one environment. */
export function pipelineDeploymentId(
  pipelineName: string,
  executionId: string,
  reportAs: string,
): string {
  return `codepipeline/${pipelineName}/${executionId}/${reportAs}`;
}

export function executionUrl(
  options: { consoleBaseUrl: string; region: string; pipelineName: string },
  executionId: string,
): string {
  return consoleUrl(
    options,
    options.region,
    `/codesuite/codepipeline/pipelines/${encodeURIComponent(
      options.pipelineName,
    )}/executions/${encodeURIComponent(executionId)}/timeline`,
  );
}

function iso(date: Date | string | undefined): string | undefined {
  if (date === undefined) return undefined;
  const d = date instanceof Date ? date : new Date(date);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The version an execution carries, from its source revisions. */
export function versionOfExecution(
  execution: Pick<PipelineExecutionSummary, 'sourceRevisions'>,
  structure: PipelineStructure,
): ProviderVersion {
  return versionOfRevisions(
    execution.sourceRevisions,
    structure.sourceActions[0],
  );
}

/**
 * One deployment per execution and environment that the execution reached:
 * the action executions of the environment's stages (its approval stage
 * included) make its status history.
 */
export function pipelineDeployments(options: {
  pipelineName: string;
  region: string;
  consoleBaseUrl: string;
  structure: PipelineStructure;
  executions: PipelineExecutionSummary[];
  actions: ActionExecutionDetail[];
}): ProviderDeployment[] {
  const { structure } = options;
  const byExecution = new Map<string, ActionExecutionDetail[]>();
  for (const action of options.actions) {
    if (!action.pipelineExecutionId) continue;
    const list = byExecution.get(action.pipelineExecutionId) ?? [];
    list.push(action);
    byExecution.set(action.pipelineExecutionId, list);
  }
  const deployments: ProviderDeployment[] = [];
  for (const execution of options.executions) {
    const id = execution.pipelineExecutionId;
    if (!id) continue;
    const executionActions = byExecution.get(id) ?? [];
    for (const reportAs of reportedNames(structure)) {
      const stages = stagesReportedAs(structure, reportAs);
      const stageNames = new Set(stages.map(s => s.name));
      const actions = executionActions
        .filter(a => a.stageName && stageNames.has(a.stageName))
        .sort((a, b) => time(a.startTime) - time(b.startTime));
      if (actions.length === 0) continue;
      const approvalNames = new Set(
        stages.flatMap(s => s.approvals.map(a => `${s.name}/${a.action}`)),
      );
      const expected = stages.reduce((n, s) => n + s.actions.length, 0);
      const statuses = statusHistory({
        actions,
        isApproval: a => approvalNames.has(`${a.stageName}/${a.actionName}`),
        complete: completedActions(actions) >= expected,
        execution,
      });
      const createdAt = statuses[0].at;
      const updatedAt = statuses[statuses.length - 1].at;
      const url = executionUrl(options, id);
      const logUrl = actions
        .map(a => a.output?.executionResult?.externalExecutionUrl)
        .filter(Boolean)
        .pop();
      const rollbackOf =
        execution.rollbackMetadata?.rollbackTargetPipelineExecutionId;
      deployments.push({
        providerDeploymentId: pipelineDeploymentId(
          options.pipelineName,
          id,
          reportAs,
        ),
        environment: reportAs,
        version: versionOfExecution(execution, structure),
        statuses,
        createdAt,
        updatedAt,
        ...triggerOf(execution),
        url,
        urlLabel: `execution ${id.slice(0, 8)}`,
        ...(logUrl ? { logUrl } : {}),
        ...descriptionOf(
          execution,
          stages.map(s => s.name),
          rollbackOf,
        ),
      });
    }
  }
  return deployments;
}

function descriptionOf(
  execution: PipelineExecutionSummary,
  stageNames: string[],
  rollbackOf: string | undefined,
): { description?: string } {
  if (execution.executionType === 'ROLLBACK') {
    return {
      description: `Rollback of ${stageNames.join(', ')} to execution ${
        rollbackOf ?? 'unknown'
      }`,
    };
  }
  return execution.statusSummary
    ? { description: execution.statusSummary }
    : {};
}

const TRIGGERS: Record<string, string> = {
  Webhook: 'a push',
  WebhookV2: 'a push',
  PollForSourceChanges: 'a push',
  CloudWatchEvent: 'an EventBridge event',
  PutActionRevision: 'a new revision',
  StartPipelineExecution: 'a manual start',
  CreatePipeline: 'the pipeline’s creation',
  ManualRollback: 'a manual roll back',
  AutomatedRollback: 'an automatic roll back',
};

function triggerOf(execution: PipelineExecutionSummary): {
  triggeredBy?: string;
} {
  const trigger = execution.trigger;
  const detail = trigger?.triggerDetail?.trim();
  // A push arrives through a connection, whose ARN names no person: say
  // what started the run instead. A person's or role's ARN names them.
  const by =
    detail && !/^arn:[^:]+:(codestar-connections|codeconnections):/.test(detail)
      ? detail
      : TRIGGERS[trigger?.triggerType ?? ''] ?? trigger?.triggerType;
  return by ? { triggeredBy: by } : {};
}

function time(date: Date | undefined): number {
  return date ? new Date(date).getTime() : 0;
}

/** Actions that ran to the end, counting each action once (a retried action counts by its latest run). */
function completedActions(actions: ActionExecutionDetail[]): number {
  const latest = new Map<string, ActionExecutionDetail>();
  for (const a of actions) latest.set(`${a.stageName}/${a.actionName}`, a);
  return [...latest.values()].filter(a => a.status === 'Succeeded').length;
}

function statusHistory(options: {
  actions: ActionExecutionDetail[];
  isApproval: (a: ActionExecutionDetail) => boolean;
  complete: boolean;
  execution: PipelineExecutionSummary;
}): DeploymentStatusEntry[] {
  const { actions, execution } = options;
  const entries: DeploymentStatusEntry[] = [];
  const push = (entry: DeploymentStatusEntry) => {
    const last = entries[entries.length - 1];
    if (last && last.state === entry.state && !entry.description) return;
    entries.push(entry);
  };
  const first = iso(actions[0].startTime) ?? iso(execution.startTime)!;
  push({ state: 'in_progress', at: first });
  let end = first;
  let failed: DeploymentStatusEntry | undefined;
  let running = false;
  for (const action of actions) {
    const started = iso(action.startTime) ?? first;
    const updated = iso(action.lastUpdateTime) ?? started;
    if (updated > end) end = updated;
    const summary = action.output?.executionResult?.externalExecutionSummary;
    const by = action.updatedBy;
    if (options.isApproval(action)) {
      if (action.status === 'InProgress') {
        push({
          state: 'waiting',
          at: started,
          description: `Waiting for approval in ${action.stageName}/${action.actionName}`,
        });
        running = true;
      } else if (action.status === 'Succeeded') {
        push({ state: 'waiting', at: started });
        push({
          state: 'in_progress',
          at: updated,
          description: `Approved${by ? ` by ${by}` : ''}${
            summary ? `: ${summary}` : ''
          }`,
        });
      } else if (action.status === 'Failed') {
        push({ state: 'waiting', at: started });
        failed = {
          state: 'failure',
          at: updated,
          description: `Rejected${by ? ` by ${by}` : ''}${
            summary ? `: ${summary}` : ''
          }`,
        };
      }
      continue;
    }
    if (action.status === 'InProgress') running = true;
    if (action.status === 'Failed' && !failed) {
      const error = action.output?.executionResult?.errorDetails;
      failed = {
        state: 'failure',
        at: updated,
        description: `${action.stageName}/${action.actionName} failed${
          error?.message ? `: ${error.message}` : ''
        }`,
      };
    }
    if (action.status === 'Abandoned' && !failed) {
      failed = {
        state: 'cancelled',
        at: updated,
        description: `${action.stageName}/${action.actionName} was abandoned`,
      };
    }
  }
  if (failed) {
    push(failed);
  } else if (!running && options.complete) {
    push({ state: 'success', at: end });
  } else if (!running) {
    // The execution stopped before this environment's stages finished.
    const stopped: Record<string, string> = {
      Stopped: 'the execution was stopped',
      Cancelled: 'the execution was cancelled',
      Superseded: 'a newer execution superseded it',
      Failed: 'the execution failed',
    };
    const reason = execution.status ? stopped[execution.status] : undefined;
    if (reason) {
      const at = iso(execution.lastUpdateTime) ?? end;
      push({
        state: execution.status === 'Failed' ? 'failure' : 'cancelled',
        at: at > end ? at : end,
        description: execution.stopTrigger?.reason
          ? `${reason}: ${execution.stopTrigger.reason}`
          : reason,
      });
    }
  }
  return entries;
}
