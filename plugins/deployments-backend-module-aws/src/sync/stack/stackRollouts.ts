import type { Stack } from '@aws-sdk/client-cloudformation';
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { DeploymentInfo } from '@aws-sdk/client-codedeploy';
import type {
  DeploymentState,
  DeploymentStatusEntry,
  RollbackInfo,
  VerificationCheck,
} from '@stagecraft/plugin-deployments-common';
import type {
  ProviderDeployment,
  ProviderVersion,
} from '@stagecraft/plugin-deployments-node';
import { consoleUrl } from '../../settings';
import { StrategyShape, withProgress } from './codeDeployStrategy';
import { lambdaArtifact, lambdaVersionsOf } from './stackVersion';

/** Where the stack lives and how its links are built. */
export interface StackContext {
  stackName: string;
  environment: string;
  region: string;
  consoleBaseUrl: string;
}

/**
 * The rollout ids. One stack update and the CodeDeploy deployment it started
 * are one rollout: its id is `<stack>/<CodeDeploy deployment id>` when
 * Stagecraft first sees the update with its CodeDeploy deployment, else
 * `<stack>/update/<time the update started>`; the cursor keeps the id an
 * update got while it runs, so a deployment that starts later joins it.
 */
export function rolloutIdOfDeployment(stackName: string, deploymentId: string) {
  return `cloudformation/${stackName}/${deploymentId}`;
}
export function rolloutIdOfUpdate(stackName: string, startedAt: string) {
  return `cloudformation/${stackName}/update/${startedAt}`;
}

const STACK_STATES: Record<string, DeploymentState> = {
  CREATE_IN_PROGRESS: 'in_progress',
  UPDATE_IN_PROGRESS: 'in_progress',
  IMPORT_IN_PROGRESS: 'in_progress',
  ROLLBACK_IN_PROGRESS: 'in_progress',
  UPDATE_ROLLBACK_IN_PROGRESS: 'in_progress',
  UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS: 'rolled_back',
  UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: 'success',
  CREATE_COMPLETE: 'success',
  UPDATE_COMPLETE: 'success',
  IMPORT_COMPLETE: 'success',
  ROLLBACK_COMPLETE: 'rolled_back',
  UPDATE_ROLLBACK_COMPLETE: 'rolled_back',
  IMPORT_ROLLBACK_COMPLETE: 'rolled_back',
  CREATE_FAILED: 'failure',
  UPDATE_FAILED: 'failure',
  ROLLBACK_FAILED: 'error',
  UPDATE_ROLLBACK_FAILED: 'error',
  IMPORT_ROLLBACK_FAILED: 'error',
};

/** The state a stack status means for its latest rollout; undefined for states that are no rollout (review, delete). */
export function stateOfStackStatus(
  status: string | undefined,
): DeploymentState | undefined {
  return status ? STACK_STATES[status] : undefined;
}

export function isStackBusy(status: string | undefined): boolean {
  return !!status && status.endsWith('_IN_PROGRESS');
}

const CODEDEPLOY_STATES: Record<string, DeploymentState> = {
  Created: 'queued',
  Queued: 'queued',
  Ready: 'queued',
  InProgress: 'in_progress',
  Baking: 'in_progress',
  Succeeded: 'success',
  Failed: 'failure',
  Stopped: 'cancelled',
};

function iso(date: Date | string | undefined): string | undefined {
  if (date === undefined) return undefined;
  const d = date instanceof Date ? date : new Date(date);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function stackUrl(context: StackContext, stackId?: string) {
  return consoleUrl(
    context,
    context.region,
    `/cloudformation/home#/stacks/stackinfo?stackId=${encodeURIComponent(
      stackId ?? context.stackName,
    )}`,
  );
}

export function codeDeployUrl(context: StackContext, deploymentId: string) {
  return consoleUrl(
    context,
    context.region,
    `/codesuite/codedeploy/deployments/${encodeURIComponent(deploymentId)}`,
  );
}

const ALARM_STATES: Record<string, VerificationCheck['state']> = {
  OK: 'passing',
  ALARM: 'failing',
  INSUFFICIENT_DATA: 'pending',
};

/** The alarms of the deployment group as verification checks. */
export function alarmChecks(
  alarms: MetricAlarm[],
  context: StackContext,
): VerificationCheck[] {
  return alarms
    .filter(a => a.AlarmName)
    .map(alarm => ({
      name: `alarm ${alarm.AlarmName}`,
      state: ALARM_STATES[alarm.StateValue ?? ''] ?? 'pending',
      url: consoleUrl(
        context,
        context.region,
        `/cloudwatch/home#alarmsV2:alarm/${encodeURIComponent(
          alarm.AlarmName!,
        )}`,
      ),
      ...(iso(alarm.StateUpdatedTimestamp)
        ? { at: iso(alarm.StateUpdatedTimestamp) }
        : {}),
      ...(alarm.StateReason ? { detail: alarm.StateReason } : {}),
    }));
}

/** Why CodeDeploy put the previous version back, if it did. */
export function rollbackOf(
  deployment: DeploymentInfo | undefined,
  options: {
    alarms: MetricAlarm[];
    restoredVersion?: ProviderVersion;
    stackReason?: string;
    stackRolledBack: boolean;
  },
): RollbackInfo | undefined {
  const rolledBackByCodeDeploy =
    !!deployment?.rollbackInfo?.rollbackDeploymentId ||
    (deployment?.status === 'Failed' &&
      deployment.autoRollbackConfiguration?.enabled === true) ||
    (deployment?.status === 'Stopped' &&
      deployment.errorInformation?.code === 'ALARM_ACTIVE');
  if (!rolledBackByCodeDeploy && !options.stackRolledBack) return undefined;
  const code = deployment?.errorInformation?.code;
  const tripped = options.alarms
    .filter(a => a.StateValue === 'ALARM')
    .map(a => a.AlarmName);
  let reason =
    deployment?.rollbackInfo?.rollbackMessage ??
    deployment?.errorInformation?.message ??
    options.stackReason;
  if (code === 'ALARM_ACTIVE' && tripped.length > 0) {
    reason = `alarm ${tripped.join(', ')}${reason ? `: ${reason}` : ''}`;
  }
  const restored = options.restoredVersion;
  return {
    automatic: code !== 'MANUAL_STOP',
    ...(reason ? { reason } : {}),
    ...(restored ? { restoredVersion: toDomainVersion(restored) } : {}),
  };
}

function toDomainVersion(version: ProviderVersion) {
  return {
    sha:
      version.sha ??
      `artifact:${version.artifact?.kind}:${version.artifact?.id}`,
    ...(version.sha ? {} : { commitUnknown: true }),
    ...(version.tag ? { tag: version.tag } : {}),
    ...(version.artifact ? { artifact: version.artifact } : {}),
  };
}

/**
 * The rollout the stack's current (or just finished) update is: the stack's
 * status and the CodeDeploy deployment's strategy, traffic, alarms and
 * rollback together.
 */
export function currentRollout(options: {
  context: StackContext;
  id: string;
  stack: Stack;
  startedAt: string;
  finishedAt?: string;
  version: ProviderVersion;
  deployment?: DeploymentInfo;
  strategy?: StrategyShape;
  canaryPercent?: number;
  alarms: MetricAlarm[];
  /** The deployment's traffic hooks (SAM PreTraffic/PostTraffic), already as checks. */
  hooks?: VerificationCheck[];
  restoredVersion?: ProviderVersion;
}): ProviderDeployment {
  const { context, stack, deployment } = options;
  const statuses: DeploymentStatusEntry[] = [
    {
      state: 'in_progress',
      at: options.startedAt,
      description: `Stack ${context.stackName} update started`,
    },
  ];
  if (deployment) statuses.push(...codeDeployHistory(deployment, context));
  const stackState = stateOfStackStatus(stack.StackStatus) ?? 'in_progress';
  const checks = [
    ...(options.hooks ?? []),
    ...alarmChecks(options.alarms, context),
  ];
  const rollback = rollbackOf(deployment, {
    alarms: options.alarms,
    restoredVersion: options.restoredVersion,
    stackReason: stack.StackStatusReason,
    stackRolledBack: stackState === 'rolled_back',
  });
  if (stackState !== 'in_progress') {
    statuses.push({
      state: stackState,
      at:
        options.finishedAt ??
        iso(deployment?.completeTime) ??
        statuses[statuses.length - 1].at,
      description: `Stack ${stack.StackStatus}${
        stack.StackStatusReason ? `: ${stack.StackStatusReason}` : ''
      }`,
    });
  } else if (
    isStackBusy(stack.StackStatus) &&
    stack.StackStatus !== 'UPDATE_IN_PROGRESS' &&
    stack.StackStatus !== 'CREATE_IN_PROGRESS'
  ) {
    statuses.push({
      state: 'in_progress',
      at: statuses[statuses.length - 1].at,
      description: `Stack ${stack.StackStatus}`,
    });
  }
  let traffic = options.canaryPercent;
  if (stackState === 'success') traffic = 100;
  if (stackState === 'rolled_back') traffic = 0;
  return {
    providerDeploymentId: options.id,
    environment: context.environment,
    version: options.version,
    statuses: sortStatuses(statuses),
    createdAt: options.startedAt,
    updatedAt: sortStatuses(statuses)[statuses.length - 1].at,
    url: stackUrl(context, stack.StackId),
    urlLabel: `stack ${context.stackName}`,
    ...(deployment?.deploymentId
      ? { logUrl: codeDeployUrl(context, deployment.deploymentId) }
      : {}),
    ...(deployment?.creator === 'user'
      ? { triggeredBy: 'CodeDeploy user' }
      : {}),
    ...(options.strategy
      ? { strategy: withProgress(options.strategy, traffic) }
      : {}),
    ...(checks.length > 0 ? { checks } : {}),
    ...(rollback ? { rollback } : {}),
  };
}

/** A CodeDeploy deployment of the stack's group from before Stagecraft watched it (first sync only). */
export function pastRollout(options: {
  context: StackContext;
  deployment: DeploymentInfo;
  version: ProviderVersion;
  strategy?: StrategyShape;
  restoredVersion?: ProviderVersion;
}): ProviderDeployment | undefined {
  const { context, deployment } = options;
  if (!deployment.deploymentId || !iso(deployment.createTime)) return undefined;
  const statuses = sortStatuses(codeDeployHistory(deployment, context));
  const rollback = rollbackOf(deployment, {
    alarms: [],
    restoredVersion: options.restoredVersion,
    stackRolledBack: false,
  });
  const last = statuses[statuses.length - 1];
  const final = rollback
    ? [...statuses.slice(0, -1), { ...last, state: 'rolled_back' as const }]
    : statuses;
  return {
    providerDeploymentId: rolloutIdOfDeployment(
      context.stackName,
      deployment.deploymentId,
    ),
    environment: context.environment,
    version: options.version,
    statuses: final,
    createdAt: iso(deployment.createTime)!,
    updatedAt: last.at,
    url: codeDeployUrl(context, deployment.deploymentId),
    urlLabel: `CodeDeploy ${deployment.deploymentId}`,
    ...(options.strategy
      ? {
          strategy: withProgress(
            options.strategy,
            deployment.status === 'Succeeded' ? 100 : undefined,
          ),
        }
      : {}),
    ...(rollback ? { rollback } : {}),
  };
}

function codeDeployHistory(
  deployment: DeploymentInfo,
  context: StackContext,
): DeploymentStatusEntry[] {
  const entries: DeploymentStatusEntry[] = [];
  const id = deployment.deploymentId ?? 'deployment';
  const created = iso(deployment.createTime);
  const started = iso(deployment.startTime);
  const config = deployment.deploymentConfigName
    ? ` (${deployment.deploymentConfigName})`
    : '';
  if (created) {
    entries.push({
      state: 'queued',
      at: created,
      description: `CodeDeploy ${id} created${config}`,
    });
  }
  if (started || deployment.status === 'InProgress') {
    entries.push({
      state: 'in_progress',
      at: started ?? created!,
      description: `CodeDeploy ${id} shifting traffic${config}`,
      logUrl: codeDeployUrl(context, id),
    });
  }
  const state = deployment.status
    ? CODEDEPLOY_STATES[deployment.status]
    : undefined;
  const completed = iso(deployment.completeTime);
  if (
    state &&
    ['success', 'failure', 'cancelled'].includes(state) &&
    completed
  ) {
    const error = deployment.errorInformation;
    entries.push({
      state,
      at: completed,
      description: `CodeDeploy ${id} ${deployment.status}${
        error?.message ? `: ${error.message}` : ''
      }`,
    });
  }
  return entries.length > 0
    ? entries
    : [{ state: 'queued', at: new Date(0).toISOString() }];
}

function sortStatuses(entries: DeploymentStatusEntry[]) {
  return [...entries].sort((a, b) => a.at.localeCompare(b.at));
}

export { lambdaArtifact, lambdaVersionsOf };
