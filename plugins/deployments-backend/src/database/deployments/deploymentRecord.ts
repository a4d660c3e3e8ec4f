import {
  DeploymentState,
  FINAL_DEPLOYMENT_STATES,
  type RollbackInfo,
} from '@stagecraft/plugin-deployments-common';
import type { LedgerDeployment } from '../DeploymentStore';
import { toMillis } from '../dbTime';
import { earliestFinal, isNewerStatus, latestStatus } from './statusMerge';
import { normaliseSha } from './versionRules';

/**
 * A deployment row as computed in memory, before it is written: column names
 * as in the table, times as epoch milliseconds, JSON columns as strings.
 * Pure: no database.
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
  artifact: string | null;
  commit_unknown: boolean;
  state: string;
  state_at: number | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  triggered_by: string | null;
  url: string | null;
  url_label: string | null;
  log_url: string | null;
  description: string | null;
  strategy: string | null;
  strategy_name: string | null;
  strategy_steps: string | null;
  strategy_current_step: number | null;
  traffic_percent: number | null;
  checks: string | null;
  rollback_info: string | null;
}

export const DEPLOYMENT_TIME_COLUMNS: ReadonlySet<string> = new Set([
  'state_at',
  'created_at',
  'updated_at',
  'finished_at',
]);

const json = (value: unknown) =>
  value === undefined ? null : JSON.stringify(value);

/** The record a report describes on its own, as if nothing were stored. */
export function recordFromReport(
  report: LedgerDeployment,
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
    sha: normaliseSha(report.version.sha),
    tag: report.version.tag ?? null,
    message: report.version.message ?? null,
    version_url: report.version.url ?? null,
    artifact: json(report.version.artifact),
    commit_unknown: report.version.commitUnknown === true,
    state,
    state_at: latest?.at ?? null,
    created_at: toMillis(report.createdAt)!,
    updated_at: toMillis(report.updatedAt)!,
    finished_at: FINAL_DEPLOYMENT_STATES.includes(state)
      ? earliestFinal(report.statuses)
      : null,
    triggered_by: report.triggeredBy ?? null,
    url: report.url ?? null,
    url_label: report.urlLabel ?? null,
    log_url: report.logUrl ?? null,
    description: report.description ?? null,
    strategy: report.strategy?.type ?? null,
    strategy_name: report.strategy?.name ?? null,
    strategy_steps: json(report.strategy?.steps),
    strategy_current_step: report.strategy?.currentStep ?? null,
    traffic_percent: report.strategy?.trafficPercent ?? null,
    checks: json(report.checks),
    rollback_info: json(report.rollback),
  };
}

/**
 * Merges a report into what is stored. What the report leaves out stays as
 * it was; the latest state only moves to a newer status; times only widen.
 * The progress of a rollout (traffic, current step, checks) moves only with
 * a report at least as new as the stored one, so a late webhook cannot put
 * a canary back. Merging the same report twice, or reports of the statuses
 * in any order, gives one result. The entity never changes: a deployment is
 * keyed by entity, provider and the provider's id.
 */
export function mergeReport(
  current: DeploymentRecord,
  report: LedgerDeployment,
): DeploymentRecord {
  const reported = recordFromReport(
    report,
    current.entity_ref,
    current.provider,
  );
  const keep = <K extends keyof DeploymentRecord>(key: K) =>
    reported[key] ?? current[key];
  const notOlder = reported.updated_at >= current.updated_at;
  const progress = <K extends keyof DeploymentRecord>(key: K) =>
    notOlder ? keep(key) : current[key];
  const newer =
    reported.state_at !== null &&
    isNewerStatus(
      { state: reported.state, at: reported.state_at },
      { state: current.state, at: current.state_at },
    );
  const state = newer ? reported.state : current.state;
  // The link follows the log of the newest status that names one: a report
  // without a log (GitHub's `deployment` event, before any status) never
  // replaces a link to a run, whichever arrives first.
  const linkFromReport =
    reported.log_url !== null
      ? current.log_url === null ||
        newer ||
        reported.state_at === current.state_at
      : current.log_url === null;
  const link = <K extends 'url' | 'url_label' | 'log_url'>(key: K) =>
    linkFromReport ? keep(key) : current[key];
  const finalTimes = [
    current.finished_at,
    earliestFinal(report.statuses),
  ].filter((t): t is number => t !== null);
  return {
    ...current,
    environment: reported.environment,
    sha: reported.sha,
    tag: keep('tag'),
    message: keep('message'),
    version_url: keep('version_url'),
    artifact: keep('artifact'),
    commit_unknown: reported.commit_unknown,
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
    url: link('url'),
    url_label: link('url_label'),
    log_url: link('log_url'),
    description: keep('description'),
    strategy: keep('strategy'),
    strategy_name: keep('strategy_name'),
    strategy_steps: keep('strategy_steps'),
    strategy_current_step: progress('strategy_current_step'),
    traffic_percent: progress('traffic_percent'),
    checks: progress('checks'),
    rollback_info: mergeRollback(current.rollback_info, reported.rollback_info),
  };
}

/**
 * A roll back the portal asked for says who and why (`by`, `reason`); the
 * provider's later report of the same roll back adds its facts (what came
 * back, through which deployment) but never erases who asked and why.
 */
function mergeRollback(
  current: string | null,
  reported: string | null,
): string | null {
  if (reported === null) return current;
  if (current === null) return reported;
  const stored = JSON.parse(current) as RollbackInfo;
  if (!stored.by) return reported;
  const next = JSON.parse(reported) as RollbackInfo;
  if (next.by) return reported;
  return JSON.stringify({
    ...next,
    automatic: false,
    by: stored.by,
    ...(stored.reason ? { reason: stored.reason } : {}),
  });
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
