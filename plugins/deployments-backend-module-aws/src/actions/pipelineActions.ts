import {
  GetPipelineCommand,
  GetPipelineStateCommand,
  ListPipelineExecutionsCommand,
  PipelineExecutionSummary,
  PutApprovalResultCommand,
  RollbackStageCommand,
  StartPipelineExecutionCommand,
  StopPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import { ConflictError, InputError } from '@backstage/errors';
import type { ProviderActionResult } from '@stagecraft/plugin-deployments-node';
import { createHash } from 'crypto';
import type { AwsClients } from '../client/AwsClientFactory';
import { toActionError } from '../client/awsErrors';
import { isCommitSha } from '../sync/revisions';

/** CodePipeline accepts `[A-Za-z0-9-]{1,128}` as a client request token: a hash of the idempotency key. */
export function clientRequestToken(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 64);
}

/**
 * Approves or rejects a manual approval. The token is read fresh from
 * GetPipelineState right before the call (it changes with every run of the
 * action and is never stored); an approval that no longer waits for this
 * execution is a conflict.
 */
export async function putApproval(options: {
  clients: AwsClients;
  pipelineName: string;
  stageName: string;
  actionName: string;
  pipelineExecutionId: string;
  decision: 'approve' | 'reject';
  comment: string;
}): Promise<ProviderActionResult> {
  const { clients, pipelineName, stageName, actionName } = options;
  const activity = `${
    options.decision === 'approve' ? 'approving' : 'rejecting'
  } ${pipelineName}/${stageName}/${actionName}`;
  let token: string | undefined;
  try {
    const state = await clients.codepipeline.send(
      new GetPipelineStateCommand({ name: pipelineName }),
    );
    const stage = state.stageStates?.find(s => s.stageName === stageName);
    const action = stage?.actionStates?.find(a => a.actionName === actionName);
    const latest = action?.latestExecution;
    if (
      !stage ||
      !action ||
      latest?.status !== 'InProgress' ||
      stage.latestExecution?.pipelineExecutionId !== options.pipelineExecutionId
    ) {
      throw new ConflictError(
        `The approval ${stageName}/${actionName} of ${pipelineName} no longer waits for execution ${options.pipelineExecutionId}; it was decided, expired or superseded`,
      );
    }
    token = latest.token;
    if (!token) {
      throw new ConflictError(
        `The approval ${stageName}/${actionName} of ${pipelineName} has no approval token (pipelines in PARALLEL mode are not supported)`,
      );
    }
    await clients.codepipeline.send(
      new PutApprovalResultCommand({
        pipelineName,
        stageName,
        actionName,
        token,
        result: {
          status: options.decision === 'approve' ? 'Approved' : 'Rejected',
          // CodePipeline requires a summary of at most 512 characters.
          summary: (options.comment.trim() || options.decision).slice(0, 512),
        },
      }),
    );
    return {
      identity: clients.identity,
      reference: options.pipelineExecutionId,
    };
  } catch (error) {
    if (error instanceof ConflictError) throw error;
    throw toActionError(error, activity);
  }
}

/** The source action a commit override applies to: the pipeline's only Source action, or the one that is a git source. */
async function sourceActionOf(
  clients: AwsClients,
  pipelineName: string,
): Promise<string> {
  const { pipeline } = await clients.codepipeline.send(
    new GetPipelineCommand({ name: pipelineName }),
  );
  const sources = (pipeline?.stages ?? [])
    .flatMap(s => s.actions ?? [])
    .filter(a => a.actionTypeId?.category === 'Source' && a.name);
  const git = sources.filter(a =>
    ['CodeStarSourceConnection', 'CodeCommit', 'GitHub'].includes(
      a.actionTypeId?.provider ?? '',
    ),
  );
  let chosen = git.length === 1 ? git[0] : undefined;
  if (!chosen && sources.length === 1) chosen = sources[0];
  if (!chosen?.name) {
    throw new InputError(
      `${pipelineName} has ${sources.length} source actions and ${git.length} git sources; Stagecraft can start it at a commit only with one git source`,
    );
  }
  return chosen.name;
}

/**
 * Starts the pipeline at a commit (source revision override, V2 pipelines).
 * The idempotency key becomes the client request token, so a retried
 * promotion starts one execution.
 */
export async function startAtCommit(options: {
  clients: AwsClients;
  pipelineName: string;
  sha: string | undefined;
  idempotencyKey: string;
}): Promise<ProviderActionResult> {
  const { clients, pipelineName, sha } = options;
  if (!isCommitSha(sha)) {
    throw new InputError(
      `CodePipeline can only be started at a full commit SHA; '${
        sha ?? '(none)'
      }' is not one`,
    );
  }
  const activity = `starting ${pipelineName} at ${sha.slice(0, 12)}`;
  try {
    const actionName = await sourceActionOf(clients, pipelineName);
    const answer = await clients.codepipeline.send(
      new StartPipelineExecutionCommand({
        name: pipelineName,
        clientRequestToken: clientRequestToken(options.idempotencyKey),
        sourceRevisions: [
          { actionName, revisionType: 'COMMIT_ID', revisionValue: sha },
        ],
      }),
    );
    return {
      identity: clients.identity,
      ...(answer.pipelineExecutionId
        ? { reference: answer.pipelineExecutionId }
        : {}),
    };
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw toActionError(error, activity);
  }
}

/**
 * Rolls a stage back to the newest earlier execution that succeeded in it
 * with the requested commit (`RollbackStage`). A pipeline or stage that
 * cannot roll back, or no such execution, is a clear refusal.
 */
export async function rollbackStage(options: {
  clients: AwsClients;
  pipelineName: string;
  stageName: string;
  sha: string | undefined;
}): Promise<ProviderActionResult> {
  const { clients, pipelineName, stageName, sha } = options;
  const activity = `rolling ${pipelineName}/${stageName} back`;
  try {
    let target: PipelineExecutionSummary | undefined;
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await clients.codepipeline.send(
        new ListPipelineExecutionsCommand({
          pipelineName,
          maxResults: 100,
          nextToken,
          filter: { succeededInStage: { stageName } },
        }),
      );
      target = (page.pipelineExecutionSummaries ?? []).find(e =>
        (e.sourceRevisions ?? []).some(r => r.revisionId === sha),
      );
      nextToken = page.nextToken;
      pages++;
    } while (!target && nextToken && pages < 3);
    if (!target?.pipelineExecutionId) {
      throw new InputError(
        `No earlier execution of ${pipelineName} succeeded in ${stageName} with ${
          sha ?? 'that version'
        }; there is nothing to roll back to`,
      );
    }
    const answer = await clients.codepipeline.send(
      new RollbackStageCommand({
        pipelineName,
        stageName,
        targetPipelineExecutionId: target.pipelineExecutionId,
      }),
    );
    return {
      identity: clients.identity,
      ...(answer.pipelineExecutionId
        ? { reference: answer.pipelineExecutionId }
        : {}),
    };
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw toActionError(error, activity);
  }
}

/** Stops a running execution (its in-progress actions finish; nothing is rolled back). */
export async function stopExecution(options: {
  clients: AwsClients;
  pipelineName: string;
  pipelineExecutionId: string;
  reason?: string;
}): Promise<ProviderActionResult> {
  try {
    const answer = await options.clients.codepipeline.send(
      new StopPipelineExecutionCommand({
        pipelineName: options.pipelineName,
        pipelineExecutionId: options.pipelineExecutionId,
        abandon: false,
        ...(options.reason ? { reason: options.reason.slice(0, 200) } : {}),
      }),
    );
    return {
      identity: options.clients.identity,
      reference: answer.pipelineExecutionId ?? options.pipelineExecutionId,
    };
  } catch (error) {
    throw toActionError(
      error,
      `stopping execution ${options.pipelineExecutionId} of ${options.pipelineName}`,
    );
  }
}
