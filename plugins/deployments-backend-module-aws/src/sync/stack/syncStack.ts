import { DescribeStacksCommand, Stack } from '@aws-sdk/client-cloudformation';
import type { DeploymentInfo } from '@aws-sdk/client-codedeploy';
import type {
  ProviderDeployment,
  ProviderSnapshot,
  ProviderTraffic,
  ProviderVersion,
} from '@stagecraft/plugin-deployments-node';
import type { AwsClients } from '../../client/AwsClientFactory';
import { expectArray, MalformedAwsResponseError } from '../../client/awsErrors';
import type { StrategyShape } from './codeDeployStrategy';
import {
  currentRollout,
  isStackBusy,
  pastRollout,
  rolloutIdOfDeployment,
  rolloutIdOfUpdate,
  StackContext,
  stateOfStackStatus,
} from './stackRollouts';
import {
  AliasState,
  describeAlarms,
  iso,
  lambdaUrl,
  listDeployments,
  readAlias,
  readHookChecks,
  readOperationTimes,
  readVersionCommits,
  readResources,
  SKEW_MS,
  strategyOf,
  time,
} from './stackReads';
import {
  gitShaOfStack,
  lambdaArtifact,
  lambdaVersionsOf,
} from './stackVersion';

/** What a stack's resources tell about its rollouts. */
export interface StackResources {
  /** The update (start time) they were read for. */
  at: string;
  application?: string;
  deploymentGroup?: string;
  functionName?: string;
  alias?: string;
  alarms: string[];
}

export interface StackCursor {
  v: 1;
  stack: { id?: string; status: string; updatedAt: string };
  resources?: StackResources;
  /** The rollout of the update that runs now, with the id it got when first seen. */
  inflight?: { id: string; startedAt: string; version: ProviderVersion };
  /** Lambda version → the version it was deployed as (commit from `GitSha`). */
  versions: Record<string, ProviderVersion>;
  /** Custom deployment configs read once. */
  configs: Record<string, StrategyShape>;
}

export interface SyncStackOptions {
  clients: AwsClients;
  context: StackContext;
  cursor?: StackCursor;
  /** CodeDeploy deployments the first sync reads. Default 50. */
  backfillDeployments?: number;
  signal?: AbortSignal;
}

const KEPT_VERSIONS = 30;

/**
 * One incremental sync of a stack. A stack that is neither updating nor
 * changed since the last sync costs one call (DescribeStacks); its
 * resources and alarms are read again only after a new update started.
 */
export async function syncStack(
  options: SyncStackOptions,
): Promise<{ snapshot: ProviderSnapshot; cursor: StackCursor }> {
  const { clients, context, cursor, signal } = options;
  const send = { abortSignal: signal };
  const described = await clients.cloudformation.send(
    new DescribeStacksCommand({ StackName: context.stackName }),
    send,
  );
  const stacks = expectArray<Stack>(described?.Stacks, 'DescribeStacks Stacks');
  const stack = stacks[0];
  if (!stack?.StackStatus || !(stack.LastUpdatedTime ?? stack.CreationTime)) {
    throw new MalformedAwsResponseError(
      `DescribeStacks returned no status or time for ${context.stackName}`,
    );
  }
  if (stack.StackStatus.startsWith('DELETE_')) {
    const error = new Error(
      `Stack with id ${context.stackName} does not exist (${stack.StackStatus})`,
    );
    error.name = 'ValidationError';
    throw error;
  }
  const updatedAt = iso(stack.LastUpdatedTime ?? stack.CreationTime)!;
  const busy = isStackBusy(stack.StackStatus);
  const next: StackCursor = {
    v: 1,
    stack: { id: stack.StackId, status: stack.StackStatus, updatedAt },
    versions: { ...(cursor?.versions ?? {}) },
    configs: { ...(cursor?.configs ?? {}) },
    ...(cursor?.resources ? { resources: cursor.resources } : {}),
  };
  if (
    cursor &&
    !busy &&
    !cursor.inflight &&
    cursor.stack.status === stack.StackStatus &&
    cursor.stack.updatedAt === updatedAt
  ) {
    return { snapshot: { deployments: [], openGates: [] }, cursor: next };
  }
  if (
    stack.StackStatus === 'REVIEW_IN_PROGRESS' ||
    (stateOfStackStatus(stack.StackStatus) === undefined && !busy)
  ) {
    // A change set waits for review on a stack never deployed: no rollout yet.
    return { snapshot: { deployments: [], openGates: [] }, cursor: next };
  }

  const rollingBack = (stack.StackStatus ?? '').includes('ROLLBACK');
  // CloudFormation runs one operation at a time: while LastUpdatedTime stays
  // put it is the rollout seen last time. Otherwise the stack's events say
  // when the latest operation started (a rollback belongs to the update it
  // undoes) and, once it ended, when.
  let startedAt: string;
  let finishedAt: string | undefined;
  let continues: boolean;
  let timesRead = false;
  if (cursor?.inflight && cursor.stack.updatedAt === updatedAt) {
    startedAt = cursor.inflight.startedAt;
    continues = true;
  } else {
    const times = await readOperationTimes(options, stack);
    timesRead = true;
    startedAt = times.startedAt ?? updatedAt;
    finishedAt = times.finishedAt;
    continues = !!cursor?.inflight && cursor.inflight.startedAt === startedAt;
  }
  if (!next.resources || next.resources.at !== startedAt) {
    next.resources = await readResources(options, startedAt);
  }
  const resources = next.resources;

  // CodeDeploy deployments since the previous update started (or all, the first time).
  const deployments =
    resources.application && resources.deploymentGroup
      ? await listDeployments(
          options,
          resources,
          cursor ? earliest(startedAt, cursor.inflight?.startedAt) : undefined,
        )
      : [];
  const windowStart = new Date(startedAt).getTime() - SKEW_MS;
  const inWindow = deployments.filter(
    d => time(d.createTime) >= windowStart && !isRollbackDeployment(d),
  );
  const primary = inWindow.sort(
    (a, b) => time(a.createTime) - time(b.createTime),
  )[0];

  let id = rolloutIdOfUpdate(context.stackName, startedAt);
  if (continues) id = cursor!.inflight!.id;
  else if (primary?.deploymentId) {
    id = rolloutIdOfDeployment(context.stackName, primary.deploymentId);
  }

  const strategy = primary?.deploymentConfigName
    ? await strategyOf(options, next, primary.deploymentConfigName)
    : undefined;
  const lambda = primary ? lambdaVersionsOf(primary) : {};
  // After a rollback the stack's parameters are the previous ones again: the
  // rolled back rollout keeps the commit seen while it ran, and the stack's
  // GitSha is the version restored.
  const stackSha = gitShaOfStack(stack);
  let sha = stackSha;
  if (rollingBack) sha = continues ? cursor!.inflight!.version.sha : undefined;
  const functionName = resources.functionName ?? lambda.functionName;
  const targetVersion = lambda.targetVersion;
  const version: ProviderVersion = {
    ...(sha ? { sha } : {}),
    ...(functionName && targetVersion
      ? {
          artifact: lambdaArtifact(
            functionName,
            targetVersion,
            lambdaUrl(context, functionName, targetVersion),
          ),
        }
      : {}),
  };
  if (!version.sha && !version.artifact) {
    version.artifact = {
      kind: 'stack-update',
      id: `${context.stackName}@${startedAt}`,
    };
  }

  const alarms =
    resources.alarms.length > 0 && (busy || primary)
      ? await describeAlarms(options, resources.alarms)
      : [];
  const hooks = primary?.deploymentId
    ? await readHookChecks(options, primary.deploymentId)
    : [];
  const alias =
    functionName && resources.alias
      ? await readAlias(options, functionName, resources.alias)
      : undefined;
  const canaryPercent =
    targetVersion && alias
      ? Math.round(
          (alias.weights[targetVersion] ??
            (alias.live === targetVersion ? 1 : 0)) * 1000,
        ) / 10
      : undefined;
  if (!busy && !timesRead) {
    finishedAt = (await readOperationTimes(options, stack)).finishedAt;
  }
  const restoredVersion: ProviderVersion | undefined = rollingBack
    ? {
        ...(stackSha ? { sha: stackSha } : {}),
        ...(functionName && lambda.currentVersion
          ? { artifact: lambdaArtifact(functionName, lambda.currentVersion) }
          : {}),
      }
    : undefined;

  const reported: ProviderDeployment[] = [];
  reported.push(
    currentRollout({
      context,
      id,
      stack,
      startedAt,
      finishedAt,
      version,
      deployment: primary,
      strategy,
      canaryPercent,
      alarms,
      hooks,
      restoredVersion,
    }),
  );
  if (cursor?.inflight && !continues) {
    reported.push(closedRollout(context, cursor.inflight, deployments));
  }
  if (!cursor) {
    reported.push(
      ...(await history(options, next, deployments, primary, functionName)),
    );
  }

  if (targetVersion && stateOfStackStatus(stack.StackStatus) === 'success') {
    next.versions[targetVersion] = version;
  }
  if (lambda.currentVersion && restoredVersion?.sha && !busy) {
    next.versions[lambda.currentVersion] = restoredVersion;
  }
  next.versions = keepRecent(next.versions);
  if (busy) next.inflight = { id, startedAt, version };

  const traffic: ProviderTraffic[] = alias
    ? [
        trafficOf(
          context,
          alias,
          next.versions,
          busy ? { version: targetVersion, id, value: version } : undefined,
          functionName!,
        ),
      ]
    : [];
  return {
    snapshot: {
      deployments: reported,
      openGates: [],
      ...(traffic.length > 0 ? { traffic } : {}),
    },
    cursor: next,
  };
}

/**
 * An update that was running at the last sync and has been followed by a
 * newer one since: its CodeDeploy deployment says how it ended, else it is
 * marked superseded, so no rollout stays "in progress" for ever.
 */
function closedRollout(
  context: StackContext,
  inflight: NonNullable<StackCursor['inflight']>,
  deployments: DeploymentInfo[],
): ProviderDeployment {
  const own = inflight.id.split('/').pop();
  const deployment = deployments.find(d => d.deploymentId === own);
  const finished = deployment
    ? pastRollout({ context, deployment, version: {} })
    : undefined;
  const last = finished?.statuses[finished.statuses.length - 1];
  const state =
    last && last.state !== 'in_progress' && last.state !== 'queued'
      ? last
      : undefined;
  const at = state?.at ?? new Date().toISOString();
  return {
    providerDeploymentId: inflight.id,
    environment: context.environment,
    version: inflight.version,
    statuses: [
      { state: 'in_progress', at: inflight.startedAt },
      state ?? {
        state: 'inactive',
        at,
        description:
          'A newer stack update followed before this one was seen to finish',
      },
    ],
    createdAt: inflight.startedAt,
    updatedAt: at,
  };
}

function isRollbackDeployment(d: DeploymentInfo): boolean {
  return (
    d.creator === 'codeDeployRollback' ||
    !!d.rollbackInfo?.rollbackTriggeringDeploymentId
  );
}

function trafficOf(
  context: StackContext,
  alias: AliasState,
  versions: Record<string, ProviderVersion>,
  rolling: { version?: string; id: string; value: ProviderVersion } | undefined,
  functionName: string,
): ProviderTraffic {
  const versionOf = (v: string): ProviderVersion =>
    rolling?.version === v
      ? rolling.value
      : versions[v] ?? {
          artifact: lambdaArtifact(
            functionName,
            v,
            lambdaUrl(context, functionName, v),
          ),
        };
  const canaryTotal = Object.values(alias.weights).reduce((a, b) => a + b, 0);
  const shares: ProviderTraffic['shares'] = [
    {
      version: versionOf(alias.live),
      percent: Math.round((1 - canaryTotal) * 1000) / 10,
      role: 'live',
    },
  ];
  for (const [v, w] of Object.entries(alias.weights)) {
    shares.push({
      version: versionOf(v),
      percent: Math.round(w * 1000) / 10,
      role: 'canary',
      ...(rolling?.version === v ? { providerDeploymentId: rolling.id } : {}),
    });
  }
  return { environment: context.environment, shares, at: alias.at };
}

async function history(
  options: SyncStackOptions,
  cursor: StackCursor,
  deployments: DeploymentInfo[],
  primary: DeploymentInfo | undefined,
  functionName: string | undefined,
): Promise<ProviderDeployment[]> {
  const past: ProviderDeployment[] = [];
  const needsCommits = deployments.some(
    d => d !== primary && !isRollbackDeployment(d),
  );
  // The commits of past Lambda versions, from their descriptions (one call per 50 versions).
  const commits =
    functionName && needsCommits
      ? await readVersionCommits(options, functionName)
      : {};
  const withCommit = (fn: string, v: string): ProviderVersion => ({
    ...(commits[v] ? { sha: commits[v] } : {}),
    artifact: lambdaArtifact(fn, v, lambdaUrl(options.context, fn, v)),
  });
  for (const deployment of deployments) {
    if (deployment === primary || isRollbackDeployment(deployment)) continue;
    if (primary && time(deployment.createTime) >= time(primary.createTime))
      continue;
    const lambda = lambdaVersionsOf(deployment);
    const fn = functionName ?? lambda.functionName;
    const version: ProviderVersion =
      fn && lambda.targetVersion
        ? withCommit(fn, lambda.targetVersion)
        : {
            artifact: {
              kind: 'codedeploy-deployment',
              id: deployment.deploymentId ?? 'unknown',
            },
          };
    const strategy = deployment.deploymentConfigName
      ? await strategyOf(options, cursor, deployment.deploymentConfigName)
      : undefined;
    const rollout = pastRollout({
      context: options.context,
      deployment,
      version,
      strategy,
      ...(fn && lambda.currentVersion
        ? { restoredVersion: withCommit(fn, lambda.currentVersion) }
        : {}),
    });
    if (rollout) past.push(rollout);
    if (fn && lambda.targetVersion && commits[lambda.targetVersion]) {
      cursor.versions[lambda.targetVersion] ??= withCommit(
        fn,
        lambda.targetVersion,
      );
    }
  }
  return past;
}

function keepRecent(
  versions: Record<string, ProviderVersion>,
): Record<string, ProviderVersion> {
  const entries = Object.entries(versions)
    .sort(([a], [b]) => Number(b) - Number(a))
    .slice(0, KEPT_VERSIONS);
  return Object.fromEntries(entries);
}

function earliest(a: string, b: string | undefined): string {
  return b !== undefined && b < a ? b : a;
}
