import {
  DescribeStackEventsCommand,
  StackEvent,
  ListStackResourcesCommand,
  Stack,
  StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { DescribeAlarmsCommand, MetricAlarm } from '@aws-sdk/client-cloudwatch';
import {
  BatchGetDeploymentTargetsCommand,
  BatchGetDeploymentsCommand,
  DeploymentInfo,
  GetDeploymentConfigCommand,
  GetDeploymentGroupCommand,
  ListDeploymentsCommand,
  ListDeploymentTargetsCommand,
} from '@aws-sdk/client-codedeploy';
import type { VerificationCheck } from '@stagecraft/plugin-deployments-common';
import {
  FunctionConfiguration,
  GetAliasCommand,
  ListVersionsByFunctionCommand,
} from '@aws-sdk/client-lambda';
import { parseArn } from '../../binding/annotations';
import { expectArray, MalformedAwsResponseError } from '../../client/awsErrors';
import { consoleUrl } from '../../settings';
import {
  StrategyShape,
  strategyFromConfigName,
  strategyFromRoutingConfig,
} from './codeDeployStrategy';
import type { StackContext } from './stackRollouts';
import type {
  StackCursor,
  StackResources,
  SyncStackOptions,
} from './syncStack';

// The AWS reads of a stack sync, one call (or page) each.

/** CloudFormation starts the CodeDeploy deployment a little after the update: allow for clock skew. */
export const SKEW_MS = 60_000;

export async function readResources(
  options: SyncStackOptions,
  at: string,
): Promise<StackResources> {
  const summaries: StackResourceSummary[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await options.clients.cloudformation.send(
      new ListStackResourcesCommand({
        StackName: options.context.stackName,
        NextToken: token,
      }),
      { abortSignal: options.signal },
    );
    summaries.push(
      ...expectArray<StackResourceSummary>(
        page?.StackResourceSummaries,
        'ListStackResources StackResourceSummaries',
      ),
    );
    token = page?.NextToken;
    pages++;
  } while (token && pages < 5);
  const of = (type: string) =>
    summaries.find(r => r.ResourceType === type)?.PhysicalResourceId;
  const resources: StackResources = { at, alarms: [] };
  const application = of('AWS::CodeDeploy::Application');
  const deploymentGroup = of('AWS::CodeDeploy::DeploymentGroup');
  const aliasArn = of('AWS::Lambda::Alias');
  const aliasParts = parseArn(aliasArn)?.resource.split(':');
  if (application) resources.application = application;
  if (deploymentGroup) resources.deploymentGroup = deploymentGroup;
  if (aliasParts?.[0] === 'function' && aliasParts.length >= 3) {
    resources.functionName = aliasParts[1];
    resources.alias = aliasParts[2];
  } else {
    const fn = of('AWS::Lambda::Function');
    if (fn) resources.functionName = fn;
  }
  if (application && deploymentGroup) {
    const group = await options.clients.codedeploy.send(
      new GetDeploymentGroupCommand({
        applicationName: application,
        deploymentGroupName: deploymentGroup,
      }),
      { abortSignal: options.signal },
    );
    const config = group?.deploymentGroupInfo?.alarmConfiguration;
    if (config?.enabled !== false) {
      resources.alarms = (config?.alarms ?? [])
        .map(a => a.name)
        .filter((n): n is string => !!n);
    }
  }
  return resources;
}

export async function listDeployments(
  options: SyncStackOptions,
  resources: StackResources,
  since: string | undefined,
): Promise<DeploymentInfo[]> {
  const ids: string[] = [];
  const limit = since ? 25 : options.backfillDeployments ?? 50;
  let token: string | undefined;
  do {
    const page = await options.clients.codedeploy.send(
      new ListDeploymentsCommand({
        applicationName: resources.application,
        deploymentGroupName: resources.deploymentGroup,
        ...(since
          ? {
              createTimeRange: {
                start: new Date(new Date(since).getTime() - SKEW_MS),
              },
            }
          : {}),
        nextToken: token,
      }),
      { abortSignal: options.signal },
    );
    ids.push(
      ...expectArray<string>(page?.deployments, 'ListDeployments deployments'),
    );
    token = page?.nextToken;
  } while (token && ids.length < limit);
  const infos: DeploymentInfo[] = [];
  const wanted = ids.slice(0, limit);
  for (let i = 0; i < wanted.length; i += 25) {
    const batch = await options.clients.codedeploy.send(
      new BatchGetDeploymentsCommand({
        deploymentIds: wanted.slice(i, i + 25),
      }),
      { abortSignal: options.signal },
    );
    infos.push(
      ...expectArray<DeploymentInfo>(
        batch?.deploymentsInfo,
        'BatchGetDeployments deploymentsInfo',
      ),
    );
  }
  return infos.sort((a, b) => time(b.createTime) - time(a.createTime));
}

export async function strategyOf(
  options: SyncStackOptions,
  cursor: StackCursor,
  name: string,
): Promise<StrategyShape> {
  const known = strategyFromConfigName(name) ?? cursor.configs[name];
  if (known) return known;
  const answer = await options.clients.codedeploy.send(
    new GetDeploymentConfigCommand({ deploymentConfigName: name }),
    { abortSignal: options.signal },
  );
  const shape = strategyFromRoutingConfig(
    name,
    answer?.deploymentConfigInfo?.trafficRoutingConfig,
  );
  cursor.configs[name] = shape;
  return shape;
}

export async function describeAlarms(
  options: SyncStackOptions,
  names: string[],
): Promise<MetricAlarm[]> {
  const answer = await options.clients.cloudwatch.send(
    new DescribeAlarmsCommand({ AlarmNames: names.slice(0, 100) }),
    { abortSignal: options.signal },
  );
  return expectArray<MetricAlarm>(
    answer?.MetricAlarms,
    'DescribeAlarms MetricAlarms',
  );
}

export interface AliasState {
  live: string;
  /** Additional versions and their weights, 0–1. */
  weights: Record<string, number>;
  at: string;
}

export async function readAlias(
  options: SyncStackOptions,
  functionName: string,
  alias: string,
): Promise<AliasState> {
  const answer = await options.clients.lambda.send(
    new GetAliasCommand({ FunctionName: functionName, Name: alias }),
    { abortSignal: options.signal },
  );
  if (!answer?.FunctionVersion) {
    throw new MalformedAwsResponseError(
      `GetAlias returned no FunctionVersion for ${functionName}:${alias}`,
    );
  }
  const weights: Record<string, number> = {};
  for (const [v, w] of Object.entries(
    answer.RoutingConfig?.AdditionalVersionWeights ?? {},
  )) {
    if (typeof w !== 'number' || w < 0 || w > 1) {
      throw new MalformedAwsResponseError(
        `GetAlias returned the weight ${String(w)} for version ${v}`,
      );
    }
    weights[v] = w;
  }
  return {
    live: answer.FunctionVersion,
    weights,
    at: new Date().toISOString(),
  };
}

/** Stack-level statuses that begin an operation (not a rollback or a cleanup of one). */
const OPERATION_STARTS = [
  'CREATE_IN_PROGRESS',
  'UPDATE_IN_PROGRESS',
  'IMPORT_IN_PROGRESS',
];

/**
 * When the stack's latest operation started and, when it has ended, when it
 * reached its current status: from the stack's own events, newest first (up
 * to 3 pages). `LastUpdatedTime` is only a fallback: it does not say which
 * status change it marks.
 */
export async function readOperationTimes(
  options: SyncStackOptions,
  stack: Stack,
): Promise<{ startedAt?: string; finishedAt?: string }> {
  let token: string | undefined;
  let pages = 0;
  let finishedAt: string | undefined;
  const ended = !stack.StackStatus?.endsWith('_IN_PROGRESS');
  do {
    const answer = await options.clients.cloudformation.send(
      new DescribeStackEventsCommand({
        StackName: stack.StackId ?? options.context.stackName,
        NextToken: token,
      }),
      { abortSignal: options.signal },
    );
    for (const event of expectArray<StackEvent>(
      answer?.StackEvents,
      'DescribeStackEvents StackEvents',
    )) {
      if (event.ResourceType !== 'AWS::CloudFormation::Stack') continue;
      const at = iso(event.Timestamp);
      if (!at) continue;
      if (ended && !finishedAt && event.ResourceStatus === stack.StackStatus) {
        finishedAt = at;
      }
      if (OPERATION_STARTS.includes(event.ResourceStatus ?? '')) {
        return { startedAt: at, ...(finishedAt ? { finishedAt } : {}) };
      }
    }
    token = answer?.NextToken;
    pages++;
  } while (token && pages < 3);
  return finishedAt ? { finishedAt } : {};
}

export function lambdaUrl(
  context: StackContext,
  functionName: string,
  version: string,
): string {
  return consoleUrl(
    context,
    context.region,
    `/lambda/home#/functions/${encodeURIComponent(
      functionName,
    )}/versions/${encodeURIComponent(version)}`,
  );
}

export function time(date: Date | string | undefined): number {
  return date ? new Date(date).getTime() : 0;
}

export function iso(date: Date | string | undefined): string | undefined {
  if (date === undefined) return undefined;
  const d = date instanceof Date ? date : new Date(date);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

const HOOKS = ['BeforeAllowTraffic', 'AfterAllowTraffic'];
const HOOK_STATES: Record<string, VerificationCheck['state']> = {
  Succeeded: 'passing',
  Failed: 'failing',
  Pending: 'pending',
  InProgress: 'pending',
  Unknown: 'pending',
};

/**
 * The traffic hooks of a Lambda deployment (SAM `Hooks.PreTraffic` /
 * `PostTraffic`, CodeDeploy's BeforeAllowTraffic / AfterAllowTraffic) as
 * checks: the smoke tests that gate the shift. Hooks the deployment skips
 * (none configured) are left out. Two calls.
 */
export async function readHookChecks(
  options: SyncStackOptions,
  deploymentId: string,
): Promise<VerificationCheck[]> {
  const { clients, signal, context } = options;
  const listed = await clients.codedeploy.send(
    new ListDeploymentTargetsCommand({ deploymentId }),
    { abortSignal: signal },
  );
  const targetIds = expectArray<string>(
    listed?.targetIds,
    'ListDeploymentTargets targetIds',
  ).slice(0, 25);
  if (targetIds.length === 0) return [];
  const answer = await clients.codedeploy.send(
    new BatchGetDeploymentTargetsCommand({ deploymentId, targetIds }),
    { abortSignal: signal },
  );
  const checks: VerificationCheck[] = [];
  for (const target of expectArray<{
    lambdaTarget?: {
      lifecycleEvents?: Array<{
        lifecycleEventName?: string;
        status?: string;
        startTime?: Date;
        endTime?: Date;
        diagnostics?: { message?: string };
      }>;
    };
  }>(
    answer?.deploymentTargets,
    'BatchGetDeploymentTargets deploymentTargets',
  )) {
    for (const event of target.lambdaTarget?.lifecycleEvents ?? []) {
      const name = event.lifecycleEventName;
      if (!name || !HOOKS.includes(name) || event.status === 'Skipped') {
        continue;
      }
      const at = iso(event.endTime ?? event.startTime);
      checks.push({
        name: `hook ${name}`,
        state: HOOK_STATES[event.status ?? 'Unknown'] ?? 'pending',
        url: consoleUrl(
          context,
          context.region,
          `/codesuite/codedeploy/deployments/${encodeURIComponent(
            deploymentId,
          )}`,
        ),
        ...(at ? { at } : {}),
        ...(event.diagnostics?.message
          ? { detail: event.diagnostics.message }
          : {}),
      });
    }
  }
  return checks;
}

const SHA_IN_TEXT = /\b[0-9a-f]{40}\b/i;

/**
 * The commit of each published Lambda version whose description names one
 * (SAM `VersionDescription: !Sub 'python-service ${GitSha}'`), so rollouts
 * from before Stagecraft watched still join their commits. Lambda lists
 * versions oldest first, 50 a call; at most 10 calls (500 versions).
 */
export async function readVersionCommits(
  options: SyncStackOptions,
  functionName: string,
): Promise<Record<string, string>> {
  const commits: Record<string, string> = {};
  let marker: string | undefined;
  let pages = 0;
  do {
    const page = await options.clients.lambda.send(
      new ListVersionsByFunctionCommand({
        FunctionName: functionName,
        Marker: marker,
        MaxItems: 50,
      }),
      { abortSignal: options.signal },
    );
    for (const version of expectArray<FunctionConfiguration>(
      page?.Versions,
      'ListVersionsByFunction Versions',
    )) {
      const sha = SHA_IN_TEXT.exec(version.Description ?? '')?.[0];
      if (version.Version && version.Version !== '$LATEST' && sha) {
        commits[version.Version] = sha.toLowerCase();
      }
    }
    marker = page?.NextMarker;
    pages++;
  } while (marker && pages < 10);
  return commits;
}
