import { InputError } from '@backstage/errors';
import {
  DEPLOYMENT_STATES,
  DeploymentState,
  DeploymentStatusEntry,
  FINAL_DEPLOYMENT_STATES,
} from '@stagecraft/plugin-deployments-common';
import type { LedgerDeployment } from '../DeploymentStore';
import { parseTime, toMillis } from '../dbTime';
import { stripUndefined } from '../rowValues';
import { validateVersion } from './versionRules';

/**
 * The rules that merge what providers report about a deployment's statuses.
 * Pure: no database. The latest state is always the status with the newest
 * time, whatever order the statuses arrived in, and replays change nothing.
 */

/** Statuses in time order; equal times in the order of the state lifecycle. */
export function compareStatuses(
  a: { state: string; at: string | number },
  b: { state: string; at: string | number },
): number {
  const byTime = toMillis(a.at)! - toMillis(b.at)!;
  if (byTime !== 0) return byTime;
  return (
    DEPLOYMENT_STATES.indexOf(a.state as DeploymentState) -
    DEPLOYMENT_STATES.indexOf(b.state as DeploymentState)
  );
}

/** Whether `candidate` comes after `than`; anything is newer than no status (`at` null). */
export function isNewerStatus(
  candidate: { state: string; at: number },
  than: { state: string; at: number | null },
): boolean {
  if (than.at === null) return true;
  return compareStatuses(candidate, { state: than.state, at: than.at }) > 0;
}

/** The status with the newest time (ties: the later lifecycle state), as epoch milliseconds. */
export function latestStatus(
  statuses: DeploymentStatusEntry[],
): { state: string; at: number } | undefined {
  let latest: { state: string; at: number } | undefined;
  for (const status of statuses) {
    const candidate = { state: status.state, at: toMillis(status.at)! };
    if (!latest || isNewerStatus(candidate, latest)) latest = candidate;
  }
  return latest;
}

/** The time of the earliest final status, or null when none is final. */
export function earliestFinal(
  statuses: DeploymentStatusEntry[],
): number | null {
  let earliest: number | null = null;
  for (const status of statuses) {
    if (FINAL_DEPLOYMENT_STATES.includes(status.state)) {
      const at = toMillis(status.at)!;
      if (earliest === null || at < earliest) earliest = at;
    }
  }
  return earliest;
}

/** Throws an InputError naming the deployment when a report cannot be stored. */
export function validateReport(report: LedgerDeployment, provider: string) {
  for (const status of report.statuses) {
    if (!DEPLOYMENT_STATES.includes(status.state)) {
      throw new InputError(
        `Provider '${provider}' reported unknown state '${status.state}' for deployment '${report.providerDeploymentId}'`,
      );
    }
    parseTime(
      status.at,
      `status time of deployment '${report.providerDeploymentId}'`,
    );
  }
  parseTime(
    report.createdAt,
    `createdAt of deployment '${report.providerDeploymentId}'`,
  );
  parseTime(
    report.updatedAt,
    `updatedAt of deployment '${report.providerDeploymentId}'`,
  );
  try {
    validateVersion(
      report.version,
      `deployment '${report.providerDeploymentId}'`,
    );
  } catch (error) {
    throw new InputError(
      `Provider '${provider}' reported ${(error as Error).message}`,
    );
  }
  for (const [what, value] of [
    ['traffic percent', report.strategy?.trafficPercent],
    ...(report.strategy?.steps ?? []).map(
      step => ['step percent', step.percent] as const,
    ),
  ] as const) {
    if (
      value !== undefined &&
      !(typeof value === 'number' && value >= 0 && value <= 100)
    ) {
      throw new InputError(
        `Provider '${provider}' reported ${what} '${value}' for deployment '${report.providerDeploymentId}': expected 0 to 100`,
      );
    }
  }
}

/** One report per deployment: two reports of the same one in a call are merged; all are validated. */
export function mergeDuplicateReports(
  reports: LedgerDeployment[],
  provider: string,
): LedgerDeployment[] {
  const byKey = new Map<string, LedgerDeployment>();
  for (const report of reports) {
    validateReport(report, provider);
    const known = byKey.get(report.providerDeploymentId);
    byKey.set(
      report.providerDeploymentId,
      known
        ? {
            ...known,
            ...stripUndefined(report),
            statuses: [...known.statuses, ...report.statuses],
          }
        : report,
    );
  }
  return [...byKey.values()];
}
