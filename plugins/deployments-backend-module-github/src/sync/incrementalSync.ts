import type { DeploymentStatusEntry } from '@stagecraft/plugin-deployments-common';
import type {
  ProviderDeployment,
  ProviderEnvironment,
  ProviderGate,
} from '@stagecraft/plugin-deployments-node';
import {
  conditionalGet,
  expectArray,
  expectObjectWith,
  mapWithConcurrency,
} from '../client/conditionalRequest';
import type { GithubRepositoryClient } from '../client/GithubClientFactory';
import { fromRestState, isFinalState } from './deploymentStates';
import { gateIdOf, toGateReviewers } from './gates';
import {
  factsFromRest,
  GithubDeploymentFacts,
  RepositoryView,
  toProviderDeployment,
  versionOf,
} from './githubDeployments';
import type {
  RestDeployment,
  RestDeploymentStatus,
  RestEnvironments,
  RestPendingDeployment,
  RestTag,
  RestWorkflowRuns,
} from './githubTypes';
import type { SyncCursor, UnfinishedDeployment } from './SyncCursor';

/** Parallel requests per repository; GitHub asks integrators to keep concurrency low. */
const CONCURRENCY = 4;

/** GitHub fails a job that waits for review longer than 30 days, so older unfinished deployments are not polled. */
const UNFINISHED_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

export interface SyncContext {
  client: GithubRepositoryClient;
  view: RepositoryView;
  /** Updated in place as the sync proceeds. */
  cursor: SyncCursor;
  signal?: AbortSignal;
}

function repoParams(ctx: SyncContext) {
  return {
    owner: ctx.client.repository.owner,
    repo: ctx.client.repository.repo,
  };
}

function statusEntries(
  statuses: RestDeploymentStatus[],
): DeploymentStatusEntry[] {
  return statuses.map(s => {
    const logUrl = s.log_url || s.target_url;
    return {
      state: fromRestState(s.state),
      at: s.created_at,
      ...(s.description ? { description: s.description } : {}),
      ...(logUrl ? { logUrl } : {}),
    };
  });
}

/** Statuses of one deployment, newest 100 (GitHub lists newest first). */
async function readStatuses(
  ctx: SyncContext,
  deploymentId: number,
  etag?: string,
) {
  const response = await conditionalGet<unknown>(
    ctx.client.octokit,
    'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
    { ...repoParams(ctx), deployment_id: deploymentId, per_page: 100 },
    { etag, signal: ctx.signal },
  );
  if (response.notModified) {
    return response;
  }
  return {
    ...response,
    data: expectArray<RestDeploymentStatus>(
      response.data,
      `statuses of deployment ${deploymentId}`,
    ),
  };
}

/** Builds a deployment from its facts and fresh statuses, and keeps it in the cursor while it is unfinished. */
function record(
  ctx: SyncContext,
  facts: GithubDeploymentFacts,
  statuses: RestDeploymentStatus[],
  statusesEtag: string | undefined,
  unfinished: UnfinishedDeployment[],
): ProviderDeployment {
  const deployment = toProviderDeployment(
    facts,
    statusEntries(statuses),
    ctx.view,
  );
  const last = deployment.statuses[deployment.statuses.length - 1];
  if (!isFinalState(last.state)) {
    unfinished.push({ ...facts, statusesEtag });
  }
  return deployment;
}

/**
 * Reads deployments created since the cursor. Page 1 goes out with its ETag:
 * when nothing was created GitHub answers 304 and this costs nothing.
 */
export async function syncNewDeployments(
  ctx: SyncContext,
  options: { maxPages: number },
): Promise<{
  deployments: ProviderDeployment[];
  unfinished: UnfinishedDeployment[];
}> {
  const known = ctx.cursor.newestDeploymentId ?? 0;
  const fresh: RestDeployment[] = [];
  for (let page = 1; page <= options.maxPages; page++) {
    const response = await conditionalGet<unknown>(
      ctx.client.octokit,
      'GET /repos/{owner}/{repo}/deployments',
      { ...repoParams(ctx), per_page: 100, page },
      {
        etag: page === 1 ? ctx.cursor.etags.deployments : undefined,
        signal: ctx.signal,
      },
    );
    if (response.notModified) {
      break;
    }
    const list = expectArray<RestDeployment>(response.data, 'deployments');
    if (page === 1) {
      ctx.cursor.etags.deployments = response.etag;
    }
    const newer = list.filter(d => d.id > known);
    fresh.push(...newer);
    // Newest first: once a page holds a known deployment, the rest are known too.
    if (newer.length < list.length || list.length < 100) {
      break;
    }
  }

  const unfinished: UnfinishedDeployment[] = [];
  const deployments = await mapWithConcurrency(fresh, CONCURRENCY, async d => {
    const statuses = await readStatuses(ctx, d.id);
    return record(
      ctx,
      factsFromRest(d),
      statuses.notModified ? [] : statuses.data,
      statuses.notModified ? undefined : statuses.etag,
      unfinished,
    );
  });
  for (const d of fresh) {
    ctx.cursor.newestDeploymentId = Math.max(
      ctx.cursor.newestDeploymentId ?? 0,
      d.id,
    );
  }
  return { deployments, unfinished };
}

/**
 * Polls the statuses of deployments that were not final at the last sync.
 * Final deployments never change, so they are never asked about again.
 */
export async function refreshUnfinished(
  ctx: SyncContext,
  previous: UnfinishedDeployment[],
  now: Date,
): Promise<{
  deployments: ProviderDeployment[];
  unfinished: UnfinishedDeployment[];
}> {
  const unfinished: UnfinishedDeployment[] = [];
  const current = previous.filter(
    d => now.getTime() - Date.parse(d.createdAt) < UNFINISHED_MAX_AGE_MS,
  );
  const changed = await mapWithConcurrency(current, CONCURRENCY, async memo => {
    const { statusesEtag, ...facts } = memo;
    const statuses = await readStatuses(ctx, facts.id, statusesEtag);
    if (statuses.notModified) {
      unfinished.push(memo);
      return undefined;
    }
    return record(ctx, facts, statuses.data, statuses.etag, unfinished);
  });
  return {
    deployments: changed.filter((d): d is ProviderDeployment => !!d),
    unfinished,
  };
}

/** Environments with their protection rules; undefined when unchanged since the last sync. */
export async function readEnvironments(
  ctx: SyncContext,
): Promise<ProviderEnvironment[] | undefined> {
  const response = await conditionalGet<unknown>(
    ctx.client.octokit,
    'GET /repos/{owner}/{repo}/environments',
    { ...repoParams(ctx), per_page: 100 },
    { etag: ctx.cursor.etags.environments, signal: ctx.signal },
  );
  if (response.notModified) {
    return undefined;
  }
  const body = expectObjectWith<RestEnvironments>(
    response.data,
    'total_count',
    'a list of environments',
  );
  ctx.cursor.etags.environments = response.etag;
  return (body.environments ?? []).map(environment => {
    let waitTimerMinutes: number | undefined;
    const requiredReviewers: ProviderEnvironment['requiredReviewers'] = [];
    for (const rule of environment.protection_rules ?? []) {
      if (rule.type === 'wait_timer' && 'wait_timer' in rule) {
        waitTimerMinutes = rule.wait_timer ?? undefined;
      }
      if (rule.type === 'required_reviewers' && 'reviewers' in rule) {
        requiredReviewers.push(...toGateReviewers(rule.reviewers));
      }
    }
    return {
      name: ctx.view.names.fromGithub(environment.name),
      requiredReviewers,
      ...(waitTimerMinutes ? { waitTimerMinutes } : {}),
      url: environment.html_url,
    };
  });
}

/**
 * The gates open right now: workflow runs waiting for an environment review
 * and, per run, the environments it waits on. Reused from the cursor while the
 * list of waiting runs is unchanged.
 */
export async function readOpenGates(ctx: SyncContext): Promise<ProviderGate[]> {
  const response = await conditionalGet<unknown>(
    ctx.client.octokit,
    'GET /repos/{owner}/{repo}/actions/runs',
    { ...repoParams(ctx), status: 'waiting', per_page: 100 },
    { etag: ctx.cursor.etags.waitingRuns, signal: ctx.signal },
  );
  if (response.notModified) {
    return ctx.cursor.gates;
  }
  const runs = expectObjectWith<RestWorkflowRuns>(
    response.data,
    'workflow_runs',
    'a list of workflow runs',
  ).workflow_runs;
  const perRun = await mapWithConcurrency(runs, CONCURRENCY, async run => {
    const pending = await ctx.client.octokit.request(
      'GET /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments',
      { ...repoParams(ctx), run_id: run.id, request: { signal: ctx.signal } },
    );
    return expectArray<RestPendingDeployment>(
      pending.data,
      `pending deployments of run ${run.id}`,
    ).map((entry): ProviderGate => {
      const githubEnvironment = entry.environment.name ?? '';
      return {
        providerGateId: gateIdOf(run.id, githubEnvironment),
        environment: ctx.view.names.fromGithub(githubEnvironment),
        version: versionOf(run.head_sha, ctx.view),
        reviewers: toGateReviewers(entry.reviewers),
        // A run held only by a wait timer waits for time, not for a person.
        type:
          !entry.reviewers?.length && entry.wait_timer
            ? 'wait-timer'
            : 'provider-review',
        since: entry.wait_timer_started_at ?? run.updated_at,
        ...(entry.wait_timer ? { waitTimerMinutes: entry.wait_timer } : {}),
        ...(run.triggering_actor?.login || run.actor?.login
          ? { requestedBy: run.triggering_actor?.login ?? run.actor?.login }
          : {}),
        url: run.html_url,
        details: {
          runId: String(run.id),
          ...(entry.environment.id !== undefined
            ? { environmentId: String(entry.environment.id) }
            : {}),
          githubEnvironment,
        },
      };
    });
  });
  const gates = perRun.flat();
  ctx.cursor.etags.waitingRuns = response.etag;
  ctx.cursor.gates = gates;
  return gates;
}

/** Refreshes the tag names by SHA (first page: the 100 tags GitHub lists first). */
export async function readTags(ctx: SyncContext): Promise<void> {
  const response = await conditionalGet<unknown>(
    ctx.client.octokit,
    'GET /repos/{owner}/{repo}/tags',
    { ...repoParams(ctx), per_page: 100 },
    { etag: ctx.cursor.etags.tags, signal: ctx.signal },
  );
  if (response.notModified) {
    return;
  }
  const tags: Record<string, string> = {};
  for (const tag of expectArray<RestTag>(response.data, 'tags')) {
    // When several tags point at one commit, keep the first GitHub lists.
    tags[tag.commit.sha] ??= tag.name;
  }
  ctx.cursor.tags = tags;
  ctx.cursor.etags.tags = response.etag;
}
