import {
  ActionExecutionDetail,
  GetPipelineCommand,
  GetPipelineExecutionCommand,
  GetPipelineStateCommand,
  GetPipelineStateOutput,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
  PipelineExecutionSummary,
} from '@aws-sdk/client-codepipeline';
import { createHash } from 'crypto';
import type {
  ProviderSnapshot,
  ProviderVersion,
} from '@stagecraft/plugin-deployments-node';
import type { AwsClients } from '../../client/AwsClientFactory';
import { expectArray, MalformedAwsResponseError } from '../../client/awsErrors';
import { versionOfRevisions } from '../revisions';
import { pipelineDeployments, versionOfExecution } from './pipelineDeployments';
import {
  approvalGate,
  approvalProtection,
  waitingApprovals,
} from './pipelineGates';
import { PipelineStructure, readPipelineStructure } from './pipelineStructure';

/** What the next sync of a pipeline needs to skip what cannot have changed. */
export interface PipelineCursor {
  v: 1;
  structure: PipelineStructure;
  /** The stage mapping and promotion path the structure was read with. */
  binding: string;
  /** A hash of GetPipelineState's stage and action executions: equal means nothing moved. */
  fingerprint: string;
  /** Executions that started before this were final at the last sync. */
  watermark?: string;
  /** The newest `lastUpdateTime` reported so far. */
  since?: string;
  /** Versions of recent executions, for gates that open later. */
  versions: Record<string, ProviderVersion>;
}

export interface SyncPipelineOptions {
  clients: AwsClients;
  pipelineName: string;
  stageMapping?: Map<string, string>;
  environments: string[];
  consoleBaseUrl: string;
  /** The pipeline's partition, for the approval action ARNs. Default `aws`. */
  partition?: string;
  cursor?: PipelineCursor;
  /** Executions the first sync reads. Default 100. */
  backfillExecutions?: number;
  /** Pages of action executions one sync reads at most. Default 10. */
  maxActionPages?: number;
  signal?: AbortSignal;
}

const PAGE = 100;
const KEPT_VERSIONS = 30;

/**
 * One incremental sync of a pipeline. An unchanged pipeline costs one call
 * (GetPipelineState); GetPipeline is read again only when the pipeline's
 * version changes; executions and action executions are listed newest
 * first, 100 a page, and only as far back as the oldest one that may have
 * changed.
 */
export async function syncPipeline(
  options: SyncPipelineOptions,
): Promise<{ snapshot: ProviderSnapshot; cursor: PipelineCursor }> {
  const { clients, pipelineName, signal } = options;
  const codepipeline = clients.codepipeline;
  const state = await codepipeline.send(
    new GetPipelineStateCommand({ name: pipelineName }),
    { abortSignal: signal },
  );
  if (!Array.isArray(state?.stageStates)) {
    throw new MalformedAwsResponseError(
      'GetPipelineState returned no stageStates list',
    );
  }

  const binding = JSON.stringify([
    [...(options.stageMapping ?? new Map())],
    options.environments,
  ]);
  let structure = options.cursor?.structure;
  let structureRead = false;
  if (
    !structure ||
    structure.version !== state.pipelineVersion ||
    // Cached before entry conditions were read: read them once.
    !structure.conditionsRead ||
    options.cursor?.binding !== binding
  ) {
    const declaration = await codepipeline.send(
      new GetPipelineCommand({ name: pipelineName }),
      { abortSignal: signal },
    );
    structure = readPipelineStructure(declaration?.pipeline, options);
    structureRead = true;
  }

  const fingerprint = fingerprintOf(state);
  const versions: Record<string, ProviderVersion> = {
    ...(options.cursor?.versions ?? {}),
  };
  let deployments: ProviderSnapshot['deployments'] = [];
  let watermark = options.cursor?.watermark;
  let since = options.cursor?.since;

  if (
    !options.cursor ||
    options.cursor.fingerprint !== fingerprint ||
    options.cursor.structure !== structure
  ) {
    // A new stage mapping renames environments: read the history again.
    const backfill = !options.cursor || options.cursor.binding !== binding;
    const executions = await listExecutions(options, {
      limit: backfill ? options.backfillExecutions ?? 100 : Infinity,
      stopBefore: backfill ? undefined : watermark,
    });
    const changed = backfill
      ? executions
      : executions.filter(
          e =>
            !since ||
            (iso(e.lastUpdateTime) ?? '') > since ||
            e.status === 'InProgress' ||
            e.status === 'Stopping',
        );
    for (const execution of executions.slice(0, KEPT_VERSIONS)) {
      versions[execution.pipelineExecutionId!] = versionOfExecution(
        execution,
        structure,
      );
    }
    if (changed.length > 0) {
      const oldest = changed.reduce(
        (min, e) => (iso(e.startTime)! < min ? iso(e.startTime)! : min),
        iso(changed[0].startTime)!,
      );
      const actions = await listActions(options, oldest);
      deployments = pipelineDeployments({
        pipelineName,
        region: clients.region,
        consoleBaseUrl: options.consoleBaseUrl,
        structure,
        executions: changed,
        actions,
      });
    }
    const open = executions.filter(
      e => e.status === 'InProgress' || e.status === 'Stopping',
    );
    const newest = executions[0] ? iso(executions[0].startTime) : undefined;
    watermark =
      open.length > 0
        ? open.map(e => iso(e.startTime)!).sort()[0]
        : newest ?? watermark;
    for (const e of executions) {
      const updated = iso(e.lastUpdateTime);
      if (updated && (!since || updated > since)) since = updated;
    }
  }

  const waiting = waitingApprovals(state, structure);
  const openGates = [];
  for (const approval of waiting) {
    let version = versions[approval.pipelineExecutionId];
    if (!version) {
      version = await executionVersion(
        options,
        structure,
        approval.pipelineExecutionId,
      );
      versions[approval.pipelineExecutionId] = version;
    }
    openGates.push(
      approvalGate({
        approval,
        version,
        pipelineName,
        partition: options.partition,
        accountId: clients.accountId,
        region: clients.region,
        consoleBaseUrl: options.consoleBaseUrl,
      }),
    );
  }

  const cursor: PipelineCursor = {
    v: 1,
    structure,
    binding,
    fingerprint,
    ...(watermark ? { watermark } : {}),
    ...(since ? { since } : {}),
    versions: keepRecent(versions, state),
  };
  return {
    snapshot: {
      deployments,
      openGates,
      // Protection changes only with the declaration: reported when it was read.
      ...(structureRead
        ? {
            environments: approvalProtection(structure, {
              pipelineName,
              partition: options.partition,
              region: clients.region,
              accountId: clients.accountId,
              consoleBaseUrl: options.consoleBaseUrl,
            }),
          }
        : {}),
    },
    cursor,
  };
}

/** Executions newest first, 100 a page, down to `stopBefore` (exclusive) or `limit`. */
async function listExecutions(
  options: SyncPipelineOptions,
  bounds: { limit: number; stopBefore?: string },
): Promise<PipelineExecutionSummary[]> {
  const found: PipelineExecutionSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page = await options.clients.codepipeline.send(
      new ListPipelineExecutionsCommand({
        pipelineName: options.pipelineName,
        maxResults: Math.min(PAGE, bounds.limit - found.length),
        nextToken,
      }),
      { abortSignal: options.signal },
    );
    const summaries = expectArray<PipelineExecutionSummary>(
      page?.pipelineExecutionSummaries,
      'ListPipelineExecutions pipelineExecutionSummaries',
    );
    for (const summary of summaries) {
      if (!summary.pipelineExecutionId || !iso(summary.startTime)) {
        throw new MalformedAwsResponseError(
          'ListPipelineExecutions returned an execution without an id or start time',
        );
      }
      if (bounds.stopBefore && iso(summary.startTime)! < bounds.stopBefore) {
        return found;
      }
      found.push(summary);
      if (found.length >= bounds.limit) return found;
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}

/** Action executions newest first, until they start before `oldest`. */
async function listActions(
  options: SyncPipelineOptions,
  oldest: string,
): Promise<ActionExecutionDetail[]> {
  const found: ActionExecutionDetail[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await options.clients.codepipeline.send(
      new ListActionExecutionsCommand({
        pipelineName: options.pipelineName,
        maxResults: PAGE,
        nextToken,
      }),
      { abortSignal: options.signal },
    );
    pages++;
    const details = expectArray<ActionExecutionDetail>(
      page?.actionExecutionDetails,
      'ListActionExecutions actionExecutionDetails',
    );
    let older = false;
    for (const detail of details) {
      const started = iso(detail.startTime);
      if (started && started < oldest) {
        older = true;
        continue;
      }
      found.push(detail);
    }
    if (older) break;
    nextToken = page.nextToken;
  } while (nextToken && pages < (options.maxActionPages ?? 10));
  return found;
}

async function executionVersion(
  options: SyncPipelineOptions,
  structure: PipelineStructure,
  pipelineExecutionId: string,
): Promise<ProviderVersion> {
  const answer = await options.clients.codepipeline.send(
    new GetPipelineExecutionCommand({
      pipelineName: options.pipelineName,
      pipelineExecutionId,
    }),
    { abortSignal: options.signal },
  );
  return versionOfRevisions(
    answer?.pipelineExecution?.artifactRevisions,
    structure.sourceActions[0],
  );
}

function fingerprintOf(state: GetPipelineStateOutput): string {
  const parts = (state.stageStates ?? []).map(stage => [
    stage.stageName,
    stage.latestExecution?.pipelineExecutionId,
    stage.latestExecution?.status,
    (stage.inboundExecutions ?? []).map(e => [e.pipelineExecutionId, e.status]),
    (stage.actionStates ?? []).map(a => [
      a.actionName,
      a.latestExecution?.actionExecutionId,
      a.latestExecution?.status,
      iso(a.latestExecution?.lastStatusChange),
    ]),
  ]);
  return createHash('sha256')
    .update(JSON.stringify([state.pipelineVersion, parts]))
    .digest('hex')
    .slice(0, 32);
}

/** Keeps the versions of the executions in stages now and of the newest ones. */
function keepRecent(
  versions: Record<string, ProviderVersion>,
  state: GetPipelineStateOutput,
): Record<string, ProviderVersion> {
  const inStages = new Set(
    (state.stageStates ?? [])
      .map(s => s.latestExecution?.pipelineExecutionId)
      .filter(Boolean),
  );
  const entries = Object.entries(versions);
  const kept = entries.filter(
    ([id], index) =>
      inStages.has(id) || index >= entries.length - KEPT_VERSIONS,
  );
  return Object.fromEntries(kept);
}

function iso(date: Date | string | undefined): string | undefined {
  if (date === undefined) return undefined;
  const d = date instanceof Date ? date : new Date(date);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
