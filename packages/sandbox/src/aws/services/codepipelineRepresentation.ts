import type {
  ActionExecutionDetail,
  ActionState,
  PipelineExecutionSummary,
  StageState,
} from '@aws-sdk/client-codepipeline';
import { REGION } from '../cloud/account';
import {
  ActionExecutionRecord,
  PipelineExecutionRecord,
  PipelineRecord,
} from '../cloud/model';

/** The SDK shapes of the sandbox's pipeline records (GetPipelineState, ListActionExecutions, summaries). */

const date = (ms: number | undefined) =>
  ms === undefined ? undefined : new Date(ms);

export function stageState(
  pipeline: PipelineRecord,
  stageName: string,
): StageState {
  let latest:
    | { execution: PipelineExecutionRecord; startedAt: number }
    | undefined;
  for (const execution of pipeline.executions) {
    for (const run of execution.stages) {
      if (
        run.name === stageName &&
        (!latest || run.startedAt >= latest.startedAt)
      )
        latest = { execution, startedAt: run.startedAt };
    }
  }
  const inbound = pipeline.executions
    .filter(
      e =>
        e.inbound &&
        e.status === 'InProgress' &&
        e.stageNames[e.stageIndex] === stageName,
    )
    .map(e => ({
      pipelineExecutionId: e.id,
      status: 'InProgress' as const,
      type: e.executionType,
    }));
  const stage = pipeline.stages.find(s => s.name === stageName)!;
  const run = latest?.execution.stages.filter(s => s.name === stageName).pop();
  return {
    stageName,
    inboundExecution: inbound[0],
    inboundExecutions: inbound.length > 0 ? inbound : undefined,
    inboundTransitionState: { enabled: true },
    latestExecution: latest
      ? {
          pipelineExecutionId: latest.execution.id,
          status: run!.status,
          type: latest.execution.executionType,
        }
      : undefined,
    actionStates: stage.actions.map((definition): ActionState => {
      const action = latest?.execution.actions
        .filter(
          a => a.stageName === stageName && a.actionName === definition.name,
        )
        .pop();
      const execution = latest?.execution;
      const resolved = execution
        ? resolve(definition.configuration.ExternalEntityLink, execution)
        : undefined;
      return {
        actionName: definition.name,
        currentRevision:
          definition.category === 'Source' && execution
            ? {
                revisionId: execution.sourceRevision.sha,
                revisionChangeId: execution.sourceRevision.sha,
                created: date(execution.startTime),
              }
            : undefined,
        latestExecution: action
          ? {
              actionExecutionId: action.id,
              status: action.status,
              summary: action.summary,
              lastStatusChange: date(action.lastUpdateTime),
              token: action.status === 'InProgress' ? action.token : undefined,
              lastUpdatedBy: action.updatedBy,
              externalExecutionId: action.externalExecutionId,
              externalExecutionUrl: action.externalExecutionUrl,
              errorDetails: action.errorDetails,
            }
          : undefined,
        entityUrl:
          resolved ??
          (definition.category === 'Source'
            ? `https://github.com/${pipeline.repository}/tree/main`
            : undefined),
        revisionUrl:
          definition.category === 'Source'
            ? execution?.sourceRevision.url
            : undefined,
      };
    }),
  };
}

export function actionDetail(
  pipeline: PipelineRecord,
  execution: PipelineExecutionRecord,
  action: ActionExecutionRecord,
): ActionExecutionDetail {
  const definition = pipeline.stages
    .find(s => s.name === action.stageName)!
    .actions.find(a => a.name === action.actionName)!;
  const resolvedConfiguration = Object.fromEntries(
    Object.entries(definition.configuration).map(([k, v]) => [
      k,
      resolve(v, execution)!,
    ]),
  );
  const commit = execution.sourceRevision;
  return {
    pipelineExecutionId: execution.id,
    actionExecutionId: action.id,
    pipelineVersion: pipeline.version,
    stageName: action.stageName,
    actionName: action.actionName,
    startTime: date(action.startTime),
    lastUpdateTime: date(action.lastUpdateTime),
    updatedBy: action.updatedBy,
    status: action.status,
    input: {
      actionTypeId: {
        category: definition.category,
        owner: definition.owner,
        provider: definition.provider,
        version: '1',
      },
      configuration: definition.configuration,
      resolvedConfiguration,
      region: REGION,
      inputArtifacts: definition.inputArtifacts.map(name => ({ name })),
      namespace:
        definition.category === 'Source' ? 'SourceVariables' : undefined,
    },
    output: {
      outputArtifacts: definition.outputArtifacts.map(name => ({ name })),
      executionResult: {
        externalExecutionId: action.externalExecutionId,
        externalExecutionSummary: action.summary,
        externalExecutionUrl: action.externalExecutionUrl,
        errorDetails: action.errorDetails,
      },
      outputVariables:
        definition.category === 'Source' && action.status === 'Succeeded'
          ? {
              CommitId: commit.sha,
              CommitMessage: JSON.parse(commit.summary).CommitMessage,
              BranchName: 'main',
              FullRepositoryName: pipeline.repository,
              ConnectionArn: pipeline.connectionArn,
            }
          : undefined,
    },
  };
}

export function summaryOf(
  execution: PipelineExecutionRecord,
): PipelineExecutionSummary {
  return {
    pipelineExecutionId: execution.id,
    status: execution.status,
    statusSummary: execution.statusSummary,
    startTime: date(execution.startTime),
    lastUpdateTime: date(execution.lastUpdateTime),
    sourceRevisions: [
      {
        actionName: 'Source',
        revisionId: execution.sourceRevision.sha,
        revisionSummary: execution.sourceRevision.summary,
        revisionUrl: execution.sourceRevision.url,
      },
    ],
    trigger: {
      triggerType: execution.trigger.type as any,
      triggerDetail: execution.trigger.detail,
    },
    stopTrigger:
      execution.stopTrigger !== undefined
        ? { reason: execution.stopTrigger }
        : undefined,
    executionMode: 'SUPERSEDED',
    executionType: execution.executionType,
    rollbackMetadata: execution.rollbackTargetId
      ? { rollbackTargetPipelineExecutionId: execution.rollbackTargetId }
      : undefined,
  };
}

/** Resolves `#{SourceVariables.CommitId}` in an action's configuration. */
export function resolve(
  value: string | undefined,
  execution: PipelineExecutionRecord,
) {
  return value?.replace(
    /#\{SourceVariables\.CommitId\}/g,
    execution.sourceRevision.sha,
  );
}
