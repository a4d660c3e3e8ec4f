import type {
  Deployment,
  DeploymentLink,
  DeploymentState,
  DeploymentStatusEntry,
  DeploymentStrategy,
  DeploymentStrategyType,
} from '@stagecraft/plugin-deployments-common';
import { Knex } from 'knex';
import { DbTime, isoOrUndefined, toIso, toMillis } from '../dbTime';
import { providerId } from '../providerId';
import { compact } from '../rowValues';
import { toVersion } from '../versionColumns';
import { compareStatuses } from './statusMerge';
import { oneOf, preparedRaw, rowsOf } from '../preparedStatements';
import { loadLinks } from './KnexDeploymentLinks';
import { DEPLOYMENT_TIME_COLUMNS, DeploymentRecord } from './deploymentRecord';

/** A row of `deployments` as the driver returns it. */
export type DeploymentRow = Omit<
  DeploymentRecord,
  'state_at' | 'created_at' | 'updated_at' | 'finished_at' | 'commit_unknown'
> & {
  id: number;
  /** SQLite returns 0/1. */
  commit_unknown: boolean | number;
  state_at: DbTime | null;
  created_at: DbTime;
  updated_at: DbTime;
  finished_at: DbTime | null;
};

interface StatusRow {
  deployment_id: number;
  state: string;
  at: DbTime;
  description: string | null;
  log_url: string | null;
}

/** Binds times as Dates, so PostgreSQL stores timestamptz and SQLite epoch milliseconds. */
export function toRow(
  record: Partial<DeploymentRecord>,
): Record<string, unknown> {
  // A copy with only the time columns changed (a loop: a backfill maps
  // every deployment through here, and fromEntries(entries) costs more).
  const row: Record<string, unknown> = { ...record };
  for (const key of DEPLOYMENT_TIME_COLUMNS) {
    const value = row[key];
    if (typeof value === 'number') row[key] = new Date(value);
  }
  return row;
}

export function recordOf(row: DeploymentRow): DeploymentRecord {
  const { id: _id, ...rest } = row;
  return {
    ...rest,
    commit_unknown: Boolean(row.commit_unknown),
    traffic_percent:
      row.traffic_percent === null ? null : Number(row.traffic_percent),
    strategy_current_step:
      row.strategy_current_step === null
        ? null
        : Number(row.strategy_current_step),
    state_at: toMillis(row.state_at) ?? null,
    created_at: toMillis(row.created_at)!,
    updated_at: toMillis(row.updated_at)!,
    finished_at: toMillis(row.finished_at) ?? null,
  };
}

/** The status histories of some deployments, each in time order. */
export async function loadStatuses(
  db: Knex,
  deploymentIds: number[],
): Promise<Map<number, DeploymentStatusEntry[]>> {
  const byDeployment = new Map<number, DeploymentStatusEntry[]>();
  const ids = [...new Set(deploymentIds)];
  if (ids.length === 0) return byDeployment;
  const ofIds = oneOf(db, 'deployment_id', ids);
  const rows = rowsOf<StatusRow>(
    await preparedRaw(
      db,
      `SELECT * FROM deployment_statuses WHERE ${ofIds.sql}`,
      ofIds.bindings,
    ),
  );
  for (const row of rows) {
    const list = byDeployment.get(row.deployment_id) ?? [];
    list.push(
      compact({
        state: row.state as DeploymentState,
        at: toIso(row.at),
        description: row.description ?? undefined,
        logUrl: row.log_url ?? undefined,
      }),
    );
    byDeployment.set(row.deployment_id, list);
  }
  for (const list of byDeployment.values()) list.sort(compareStatuses);
  return byDeployment;
}

/** A row's strategy columns as the domain's strategy; undefined when the provider named none. */
export function strategyOfRow(row: {
  strategy: string | null;
  traffic_percent: number | string | null;
  strategy_name: string | null;
  strategy_steps: string | null;
  strategy_current_step: number | string | null;
}): DeploymentStrategy | undefined {
  if (!row.strategy) return undefined;
  return compact({
    type: row.strategy as DeploymentStrategyType,
    trafficPercent:
      row.traffic_percent === null ? undefined : Number(row.traffic_percent),
    name: row.strategy_name ?? undefined,
    steps:
      row.strategy_steps === null ? undefined : JSON.parse(row.strategy_steps),
    currentStep:
      row.strategy_current_step === null
        ? undefined
        : Number(row.strategy_current_step),
  });
}

export function toDeployment(
  row: DeploymentRow,
  statuses: Map<number, DeploymentStatusEntry[]>,
  links: DeploymentLink[] = [],
): Deployment {
  const parse = (value: string | null) =>
    value === null ? undefined : JSON.parse(value);
  return compact({
    id: providerId(row.provider, row.provider_deployment_id),
    provider: row.provider,
    providerDeploymentId: row.provider_deployment_id,
    entityRef: row.entity_ref,
    environment: row.environment,
    version: toVersion(row),
    state: row.state as DeploymentState,
    statuses: statuses.get(row.id) ?? [],
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
    finishedAt: isoOrUndefined(row.finished_at),
    triggeredBy: row.triggered_by ?? undefined,
    url: row.url ?? undefined,
    urlLabel: row.url_label ?? undefined,
    logUrl: row.log_url ?? undefined,
    description: row.description ?? undefined,
    strategy: strategyOfRow(row),
    checks: parse(row.checks),
    rollback: parse(row.rollback_info),
    links: links.length > 0 ? links : undefined,
  });
}

/** Loads the deployments' statuses and links, and maps the rows. */
export async function toDeployments(
  db: Knex,
  rows: DeploymentRow[],
): Promise<Deployment[]> {
  const [statuses, links, known] = await Promise.all([
    loadStatuses(
      db,
      rows.map(row => row.id),
    ),
    loadLinks(db, rows),
    knownVersions(db, rows),
  ]);
  return rows.map(row =>
    withKnownVersion(
      toDeployment(row, statuses, links(row)),
      known.get(`${row.entity_ref}\u0000${row.sha}`),
    ),
  );
}

/** What the versions table knows of a commit: its tag, message and link. */
export interface KnownVersion {
  tag: string | null;
  message: string | null;
  version_url: string | null;
}

/**
 * A tag, message or link the ledger learned of the commit later (or from
 * another provider's report of the same rollout) names it too.
 */
export function withKnownVersion(
  deployment: Deployment,
  version: KnownVersion | undefined,
): Deployment {
  return version
    ? {
        ...deployment,
        version: compact({
          ...deployment.version,
          tag: deployment.version.tag ?? version.tag ?? undefined,
          message: deployment.version.message ?? version.message ?? undefined,
          url: deployment.version.url ?? version.version_url ?? undefined,
        }),
      }
    : deployment;
}

/** The versions table's names of the commits that deployment rows carry no tag for. */
async function knownVersions(db: Knex, rows: DeploymentRow[]) {
  const known = new Map<string, KnownVersion>();
  const untagged = rows.filter(row => !row.tag);
  for (const entityRef of new Set(untagged.map(row => row.entity_ref))) {
    const shas = [
      ...new Set(
        untagged.filter(row => row.entity_ref === entityRef).map(r => r.sha),
      ),
    ];
    const ofShas = oneOf(db, 'sha', shas);
    const found = rowsOf<KnownVersion & { sha: string }>(
      await preparedRaw(
        db,
        `SELECT sha, tag, message, version_url FROM versions
           WHERE entity_ref = ? AND ${ofShas.sql} AND tag IS NOT NULL`,
        [entityRef, ...ofShas.bindings],
      ),
    );
    for (const version of found) {
      known.set(`${entityRef}\u0000${version.sha}`, version);
    }
  }
  return known;
}
