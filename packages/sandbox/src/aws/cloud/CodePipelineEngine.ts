import { RepositoryRecord } from '../../world/model';
import { World } from '../../world/World';
import { ACCOUNT_ID, REGION, uuid } from './account';
import { AwsCloud } from './AwsCloud';
import { AwsServiceError } from './errors';
import {
  ActionExecutionRecord,
  PipelineExecutionRecord,
  PipelineRecord,
  StageDefinition,
} from './model';
import { PipelineStacks } from './PipelineStacks';

const DAY = 24 * 3_600_000;
/** How long a manual approval waits before it fails. */
export const APPROVAL_TIMEOUT_MS = 7 * DAY;

export interface StartRequest {
  sha?: string;
  trigger: { type: string; detail: string };
  clientRequestToken?: string;
  pace: 'tick' | 'prompt';
  failAt?: string;
}

/**
 * Plays CodePipeline for the sandbox's pipelines, in SUPERSEDED execution
 * mode: each stage runs one execution at a time; an execution that finds the
 * next stage busy waits at its inbound transition, and a newer one arriving
 * there supersedes it. Manual approvals wait for PutApprovalResult (or fail
 * after seven days).
 */
export class CodePipelineEngine {
  /** Called when an approval starts waiting (the seed schedules decisions). */
  onApprovalWaiting?: (
    pipeline: PipelineRecord,
    execution: PipelineExecutionRecord,
  ) => void;

  constructor(
    private readonly cloud: AwsCloud,
    private readonly world: World,
    private readonly stacks: PipelineStacks,
  ) {}

  repositoryOf(pipeline: PipelineRecord): RepositoryRecord {
    const [owner, name] = pipeline.repository.split('/');
    return this.world.repository(owner, name);
  }

  start(
    pipeline: PipelineRecord,
    request: StartRequest,
  ): PipelineExecutionRecord {
    if (request.clientRequestToken) {
      const same = pipeline.executions.find(
        e => e.clientRequestToken === request.clientRequestToken,
      );
      if (same) return same;
    }
    const repository = this.repositoryOf(pipeline);
    const sha = request.sha ?? this.world.headCommit(repository).sha;
    const commit = this.world.resolveRef(repository, sha);
    const now = this.cloud.now();
    const execution: PipelineExecutionRecord = {
      id: uuid(this.cloud.random),
      status: 'InProgress',
      startTime: now,
      lastUpdateTime: now,
      trigger: request.trigger,
      executionType: 'STANDARD',
      sourceRevision: {
        sha: commit?.sha ?? sha,
        summary: JSON.stringify({
          ProviderType: 'GitHub',
          CommitMessage: commit?.message ?? '',
        }),
        url: `https://github.com/${pipeline.repository}/commit/${
          commit?.sha ?? sha
        }`,
      },
      clientRequestToken: request.clientRequestToken,
      stages: [],
      actions: [],
      stageIndex: 0,
      stepInStage: 0,
      inbound: false,
      stageNames: pipeline.stages.map(s => s.name),
      pace: request.pace,
      // A revision the repository does not have fails the source action.
      failAt: commit ? request.failAt : 'Source',
    };
    pipeline.executions.push(execution);
    this.emitExecution(pipeline, execution, 'STARTED');
    this.enterOrWait(pipeline, execution);
    this.cloud.setInMotion({
      get pace() {
        return execution.pace;
      },
      step: () => this.step(pipeline, execution),
    });
    return execution;
  }

  /** RollbackStage: redeploys the revision of an earlier execution that succeeded in the stage. */
  rollbackStage(
    pipeline: PipelineRecord,
    stageName: string,
    targetId: string,
    by: string,
  ): PipelineExecutionRecord {
    this.stage(pipeline, stageName);
    const target = pipeline.executions.find(e => e.id === targetId);
    if (!target)
      throw new AwsServiceError(
        'PipelineExecutionNotFoundException',
        `Pipeline execution ${targetId} not found for pipeline ${pipeline.name}`,
      );
    if (
      !target.stages.some(s => s.name === stageName && s.status === 'Succeeded')
    )
      throw new AwsServiceError(
        'UnableToRollbackStageException',
        `Pipeline execution ${targetId} did not succeed in stage ${stageName}, so the stage cannot be rolled back to it`,
      );
    if (this.occupant(pipeline, stageName))
      throw new AwsServiceError(
        'ConflictException',
        `Stage ${stageName} has an execution in progress; wait for it to finish before rolling back`,
      );
    const now = this.cloud.now();
    const execution: PipelineExecutionRecord = {
      ...this.blank(now),
      trigger: { type: 'ManualRollback', detail: by },
      executionType: 'ROLLBACK',
      rollbackTargetId: target.id,
      sourceRevision: { ...target.sourceRevision },
      stageNames: [stageName],
      pace: 'prompt',
    };
    pipeline.executions.push(execution);
    this.emitExecution(pipeline, execution, 'STARTED');
    this.enterOrWait(pipeline, execution);
    this.cloud.setInMotion({
      pace: 'prompt',
      step: () => this.step(pipeline, execution),
    });
    return execution;
  }

  /** PutApprovalResult: the token must be the one GetPipelineState shows for the waiting approval. */
  decide(
    pipeline: PipelineRecord,
    stageName: string,
    actionName: string,
    token: string,
    result: { status: 'Approved' | 'Rejected'; summary: string },
    by: string,
  ): number {
    const stage = this.stage(pipeline, stageName);
    const definition = stage.actions.find(a => a.name === actionName);
    if (!definition)
      throw new AwsServiceError(
        'ActionNotFoundException',
        `Action ${actionName} not found in stage ${stageName} of pipeline ${pipeline.name}`,
      );
    if (definition.category !== 'Approval')
      throw new AwsServiceError(
        'InvalidApprovalTokenException',
        `Action ${actionName} is not an approval action`,
      );
    const actions = pipeline.executions.flatMap(e =>
      e.actions
        .filter(a => a.stageName === stageName && a.actionName === actionName)
        .map(action => ({ execution: e, action })),
    );
    const match = actions.find(a => a.action.token === token);
    if (!match)
      throw new AwsServiceError(
        'InvalidApprovalTokenException',
        `The approval token for action ${actionName} in stage ${stageName} is not valid`,
      );
    if (match.action.status !== 'InProgress')
      throw new AwsServiceError(
        'ApprovalAlreadyCompletedException',
        `The approval action ${actionName} in stage ${stageName} has already received a response or has expired`,
      );
    const { execution, action } = match;
    const now = this.cloud.now();
    action.summary = result.summary;
    action.updatedBy = by;
    execution.pace = 'prompt';
    if (result.status === 'Approved') {
      this.finishAction(pipeline, execution, action, 'Succeeded');
      this.completeStage(pipeline, execution);
    } else {
      action.errorDetails = {
        code: 'ApprovalRejected',
        message: `Rejected by ${by}: ${result.summary}`,
      };
      this.finishAction(pipeline, execution, action, 'Failed');
      this.failStage(pipeline, execution, `Rejected by ${by.split('/').pop()}`);
    }
    return now;
  }

  /** StopPipelineExecution: abandon stops at once; otherwise the running action is let finish. */
  stop(
    pipeline: PipelineRecord,
    executionId: string,
    abandon: boolean,
    reason: string,
  ) {
    const execution = this.execution(pipeline, executionId);
    if (execution.status === 'Stopping' && !abandon)
      throw new AwsServiceError(
        'DuplicatedStopRequestException',
        `Execution ${executionId} is already stopping`,
      );
    if (execution.status !== 'InProgress' && execution.status !== 'Stopping')
      throw new AwsServiceError(
        'PipelineExecutionNotStoppableException',
        `Execution ${executionId} is ${execution.status} and cannot be stopped`,
      );
    execution.stopTrigger = reason;
    execution.pace = 'prompt';
    const current = this.currentAction(execution);
    if (abandon || !current || execution.inbound) {
      if (current && current.status === 'InProgress')
        this.finishAction(pipeline, execution, current, 'Abandoned');
      this.end(pipeline, execution, 'Stopped', reason);
    } else {
      execution.status = 'Stopping';
      execution.statusSummary = reason;
      this.emitExecution(pipeline, execution, 'STOPPING');
    }
  }

  execution(pipeline: PipelineRecord, id: string): PipelineExecutionRecord {
    const execution = pipeline.executions.find(e => e.id === id);
    if (!execution)
      throw new AwsServiceError(
        'PipelineExecutionNotFoundException',
        `Pipeline execution ${id} not found for pipeline ${pipeline.name}`,
      );
    return execution;
  }

  stage(pipeline: PipelineRecord, name: string): StageDefinition {
    const stage = pipeline.stages.find(s => s.name === name);
    if (!stage)
      throw new AwsServiceError(
        'StageNotFoundException',
        `Stage ${name} not found in pipeline ${pipeline.name}`,
      );
    return stage;
  }

  /** The execution running in a stage (not waiting at its inbound transition). */
  occupant(pipeline: PipelineRecord, stageName: string) {
    return pipeline.executions.find(
      e =>
        (e.status === 'InProgress' || e.status === 'Stopping') &&
        !e.inbound &&
        e.stageNames[e.stageIndex] === stageName,
    );
  }

  currentAction(execution: PipelineExecutionRecord) {
    const stageName = execution.stageNames[execution.stageIndex];
    return [...execution.actions]
      .reverse()
      .find(a => a.stageName === stageName);
  }

  /** Takes one step of an execution; true when it has ended. */
  private step(pipeline: PipelineRecord, execution: PipelineExecutionRecord) {
    if (execution.status !== 'InProgress' && execution.status !== 'Stopping')
      return true;
    if (execution.inbound) {
      this.enterOrWait(pipeline, execution);
      return false;
    }
    const action = this.currentAction(execution)!;
    const definition = this.stage(pipeline, action.stageName).actions[0];
    if (execution.status === 'Stopping') {
      this.finishAction(
        pipeline,
        execution,
        action,
        definition.category === 'Approval' ? 'Abandoned' : 'Succeeded',
      );
      if (definition.category === 'Deploy')
        this.stacks.complete(pipeline, action);
      this.end(pipeline, execution, 'Stopped', execution.stopTrigger);
      return true;
    }
    if (definition.category === 'Approval') {
      if (this.cloud.now() - action.startTime >= APPROVAL_TIMEOUT_MS) {
        action.errorDetails = {
          code: 'ApprovalExpired',
          message: 'The approval request expired after 7 days',
        };
        this.finishAction(pipeline, execution, action, 'Failed');
        this.failStage(pipeline, execution, 'The approval request expired');
        return true;
      }
      return false;
    }
    execution.stepInStage += 1;
    if (execution.stepInStage < definition.steps) return false;
    const stageName = action.stageName;
    if (execution.failAt === stageName) {
      action.errorDetails = {
        code: 'JobFailed',
        message:
          definition.category === 'Source'
            ? `Could not fetch revision ${execution.sourceRevision.sha} of ${pipeline.repository}`
            : `${definition.provider} action failed; see ${
                action.externalExecutionUrl ?? 'the logs'
              }`,
      };
      if (definition.category === 'Deploy')
        this.stacks.complete(pipeline, action);
      this.finishAction(pipeline, execution, action, 'Failed');
      this.failStage(pipeline, execution, `${stageName} failed`);
      return true;
    }
    if (definition.category === 'Deploy')
      this.stacks.complete(pipeline, action);
    this.finishAction(pipeline, execution, action, 'Succeeded');
    return this.completeStage(pipeline, execution);
  }

  /** Enters the stage at stageIndex, or waits at its inbound transition. */
  private enterOrWait(
    pipeline: PipelineRecord,
    execution: PipelineExecutionRecord,
  ) {
    const stageName = execution.stageNames[execution.stageIndex];
    const occupant = this.occupant(pipeline, stageName);
    if (occupant && occupant !== execution) {
      if (!execution.inbound) {
        execution.inbound = true;
        for (const older of pipeline.executions) {
          if (
            older !== execution &&
            older.inbound &&
            older.status === 'InProgress' &&
            older.stageNames[older.stageIndex] === stageName
          )
            this.end(
              pipeline,
              older,
              'Superseded',
              `Superseded by ${execution.id}`,
            );
        }
      }
      return;
    }
    execution.inbound = false;
    execution.stepInStage = 0;
    const now = this.cloud.now();
    const stage = this.stage(pipeline, stageName);
    execution.stages.push({
      name: stageName,
      status: 'InProgress',
      startedAt: now,
    });
    execution.lastUpdateTime = now;
    this.cloud.emit({
      kind: 'pipeline-stage',
      pipeline,
      execution,
      stage: stageName,
      state: 'STARTED',
    });
    const definition = stage.actions[0];
    const action: ActionExecutionRecord = {
      id: uuid(this.cloud.random),
      stageName,
      actionName: definition.name,
      status: 'InProgress',
      startTime: now,
      lastUpdateTime: now,
    };
    if (definition.category === 'Approval')
      action.token = uuid(this.cloud.random);
    if (definition.provider === 'CodeBuild') {
      action.externalExecutionId = `ledger-worker-build:${uuid(
        this.cloud.random,
      )}`;
      action.externalExecutionUrl = `https://console.aws.amazon.com/codebuild/home?region=${REGION}#/builds/${encodeURIComponent(
        action.externalExecutionId,
      )}/view/new`;
    }
    if (definition.category === 'Source') {
      action.externalExecutionId = execution.sourceRevision.sha;
      action.externalExecutionUrl = execution.sourceRevision.url;
    }
    execution.actions.push(action);
    this.cloud.emit({
      kind: 'pipeline-action',
      pipeline,
      execution,
      stage: stageName,
      action: definition,
      state: 'STARTED',
    });
    if (definition.category === 'Deploy')
      this.stacks.begin(pipeline, execution, definition, action);
    if (definition.category === 'Approval')
      this.onApprovalWaiting?.(pipeline, execution);
  }

  /** Marks the current stage succeeded and moves on; true when the execution ended. */
  private completeStage(
    pipeline: PipelineRecord,
    execution: PipelineExecutionRecord,
  ) {
    const run = execution.stages[execution.stages.length - 1];
    run.status = 'Succeeded';
    run.endedAt = this.cloud.now();
    this.cloud.emit({
      kind: 'pipeline-stage',
      pipeline,
      execution,
      stage: run.name,
      state: 'SUCCEEDED',
    });
    execution.stageIndex += 1;
    if (execution.stageIndex >= execution.stageNames.length) {
      this.end(pipeline, execution, 'Succeeded');
      return true;
    }
    this.enterOrWait(pipeline, execution);
    // The stage it left may let an execution waiting at its inbound in.
    return false;
  }

  private failStage(
    pipeline: PipelineRecord,
    execution: PipelineExecutionRecord,
    summary: string,
  ) {
    const run = execution.stages[execution.stages.length - 1];
    run.status = 'Failed';
    run.endedAt = this.cloud.now();
    this.cloud.emit({
      kind: 'pipeline-stage',
      pipeline,
      execution,
      stage: run.name,
      state: 'FAILED',
    });
    this.end(pipeline, execution, 'Failed', summary);
  }

  private finishAction(
    pipeline: PipelineRecord,
    execution: PipelineExecutionRecord,
    action: ActionExecutionRecord,
    status: 'Succeeded' | 'Failed' | 'Abandoned',
  ) {
    action.status = status;
    action.lastUpdateTime = this.cloud.now();
    const definition = this.stage(pipeline, action.stageName).actions[0];
    this.cloud.emit({
      kind: 'pipeline-action',
      pipeline,
      execution,
      stage: action.stageName,
      action: definition,
      state: status === 'Abandoned' ? 'ABANDONED' : status.toUpperCase(),
    });
  }

  private end(
    pipeline: PipelineRecord,
    execution: PipelineExecutionRecord,
    status: 'Succeeded' | 'Failed' | 'Stopped' | 'Superseded',
    summary?: string,
  ) {
    execution.status = status;
    execution.statusSummary = summary;
    execution.inbound = false;
    execution.lastUpdateTime = this.cloud.now();
    const last = execution.stages[execution.stages.length - 1];
    if (status === 'Stopped' && last?.status === 'InProgress') {
      last.status = 'Stopped';
      last.endedAt = this.cloud.now();
    }
    const state = {
      Succeeded: 'SUCCEEDED',
      Failed: 'FAILED',
      Stopped: 'STOPPED',
      Superseded: 'SUPERSEDED',
    }[status];
    this.emitExecution(pipeline, execution, state);
  }

  private emitExecution(
    pipeline: PipelineRecord,
    execution: PipelineExecutionRecord,
    state: string,
  ) {
    this.cloud.emit({ kind: 'pipeline-execution', pipeline, execution, state });
  }

  private blank(now: number): PipelineExecutionRecord {
    return {
      id: uuid(this.cloud.random),
      status: 'InProgress',
      startTime: now,
      lastUpdateTime: now,
      trigger: { type: '', detail: '' },
      executionType: 'STANDARD',
      sourceRevision: { sha: '', summary: '', url: '' },
      stages: [],
      actions: [],
      stageIndex: 0,
      stepInStage: 0,
      inbound: false,
      stageNames: [],
      pace: 'tick',
    };
  }
}

/** Who the sandbox says called it (any credentials are accepted; none are echoed). */
export const SANDBOX_CALLER = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/StagecraftDeployments/stagecraft`;
