import {
  DeploymentState,
  FINAL_DEPLOYMENT_STATES,
} from '@stagecraft/plugin-deployments-common';
import type { ProviderDeployment } from '@stagecraft/plugin-deployments-node';
import { toMillis } from '../dbTime';
import { earliestFinal, isNewerStatus, latestStatus } from './statusMerge';

/**
 * A deployment row as computed in memory, before it is written: column names
 * as in the table, times as epoch milliseconds. Pure: no database.
 */
export interface DeploymentRecord {
  provider: string;
  provider_deployment_id: string;
  entity_ref: string;
  environment: string;
  sha: string;
  tag: string | null;
  message: string | null;
  version_url: string | null;
  state: string;
  state_at: number | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  triggered_by: string | null;
  url: string | null;
  log_url: string | null;
  description: string | null;
  strategy: string | null;
  traffic_percent: number | null;
}

export const DEPLOYMENT_TIME_COLUMNS: ReadonlySet<string> = new Set([
  'state_at',
  'created_at',
  'updated_at',
  'finished_at',
]);

/** The record a report describes on its own, as if nothing were stored. */
export function recordFromReport(
  report: ProviderDeployment,
  entityRef: string,
  provider: string,
): DeploymentRecord {
  const latest = latestStatus(report.statuses);
  const state = (latest?.state ?? 'queued') as DeploymentState;
  return {
    provider,
    provider_deployment_id: report.providerDeploymentId,
    entity_ref: entityRef,
    environment: report.environment,
    sha: report.version.sha.toLowerCase(),
    tag: report.version.tag ?? null,
    message: report.version.message ?? null,
    version_url: report.version.url ?? null,
    state,
    state_at: latest?.at ?? null,
    created_at: toMillis(report.createdAt)!,
    updated_at: toMillis(report.updatedAt)!,
    finished_at: FINAL_DEPLOYMENT_STATES.includes(state)
      ? earliestFinal(report.statuses)
      : null,
    triggered_by: report.triggeredBy ?? null,
    url: report.url ?? null,
    log_url: report.logUrl ?? null,
    description: report.description ?? null,
    strategy: report.strategy?.type ?? null,
    traffic_percent: report.strategy?.trafficPercent ?? null,
  };
}

/**
 * Merges a report into what is stored. What the report leaves out stays as
 * it was; the latest state only moves to a newer status; times only widen.
 * Merging the same report twice, or reports in any order, gives one result.
 */
export function mergeReport(
  current: DeploymentRecord,
  report: ProviderDeployment,
  entityRef: string,
): DeploymentRecord {
  const reported = recordFromReport(report, entityRef, current.provider);
  const keep = <K extends keyof DeploymentRecord>(key: K) =>
    reported[key] ?? current[key];
  const newer =
    reported.state_at !== null &&
    isNewerStatus(
      { state: reported.state, at: reported.state_at },
      { state: current.state, at: current.state_at },
    );
  const state = newer ? reported.state : current.state;
  const finalTimes = [
    current.finished_at,
    earliestFinal(report.statuses),
  ].filter((t): t is number => t !== null);
  return {
    ...current,
    entity_ref: entityRef,
    environment: reported.environment,
    sha: reported.sha,
    tag: keep('tag'),
    message: keep('message'),
    version_url: keep('version_url'),
    state,
    state_at: newer ? reported.state_at : current.state_at,
    created_at: Math.min(current.created_at, reported.created_at),
    updated_at: Math.max(current.updated_at, reported.updated_at),
    finished_at:
      FINAL_DEPLOYMENT_STATES.includes(state as DeploymentState) &&
      finalTimes.length > 0
        ? Math.min(...finalTimes)
        : null,
    triggered_by: keep('triggered_by'),
    url: keep('url'),
    log_url: keep('log_url'),
    description: keep('description'),
    strategy: keep('strategy'),
    traffic_percent: keep('traffic_percent'),
  };
}

/** The columns that differ, with their merged values; undefined when nothing does. */
export function differences(
  current: DeploymentRecord,
  merged: DeploymentRecord,
): Partial<DeploymentRecord> | undefined {
  const patch: Partial<Record<keyof DeploymentRecord, unknown>> = {};
  for (const key of Object.keys(merged) as Array<keyof DeploymentRecord>) {
    if (current[key] !== merged[key]) patch[key] = merged[key];
  }
  return Object.keys(patch).length > 0
    ? (patch as Partial<DeploymentRecord>)
    : undefined;
}
