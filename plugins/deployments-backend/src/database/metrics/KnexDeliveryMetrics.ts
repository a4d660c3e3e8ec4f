import type {
  DeploymentState,
  DeploymentStatusEntry,
  MetricsDeployment,
  MetricsOutcome,
} from '@stagecraft/plugin-deployments-common';
import { Knex } from 'knex';
import { DbTime, toMillis } from '../dbTime';
import { loadStatuses } from '../deployments/deploymentRows';
import { providerId } from '../providerId';
import { chunk, compact } from '../rowValues';
import { startOf } from '../skew/KnexSkewAudit';
import { toVersion, versionColumnNames } from '../versionColumns';

/**
 * The deployments behind the delivery metrics (DORA) of one entity: every
 * deployment into one environment (the last of the entity's promotion
 * path) created within a range, each with what it counts as. The figures
 * are taken from these by `reads/DeliveryMetrics`; the rules are in
 * docs/metrics.md.
 *
 * Four indexed reads: the deployments by `deployments_latest_idx` (entity,
 * environment, creation time), their statuses by the statuses' primary key,
 * when their versions first appeared by `versions_pk`, and which of their
 * versions had succeeded there before the range by
 * `deployments_entity_sha_idx`.
 */

/** A failed change is looked for a restore this long after the range at most. */
export const RESTORE_HORIZON_MS = 30 * 24 * 60 * 60 * 1000;
/** The most deployments one read classifies (a year of ten deployments an hour). */
export const MAX_CLASSIFIED = 100_000;
/** Values per `IN (…)` list: far below SQLite's and PostgreSQL's binding limits. */
const LOOKUP_BATCH = 500;

/** How hotfixes are told. */
export interface MetricsRules {
  /** A success followed within this time by a hotfix is a change failure. */
  hotfixWindowMs: number;
  /** Marks a hotfix: tested on the version's commit title and on its tag. */
  hotfixPattern: RegExp;
}

interface MetricsRow {
  id: number;
  entity_ref: string;
  provider: string;
  provider_deployment_id: string;
  environment: string;
  sha: string;
  tag: string | null;
  message: string | null;
  version_url: string | null;
  artifact: string | null;
  commit_unknown: boolean | number;
  state: string;
  created_at: DbTime;
  url: string | null;
  url_label: string | null;
  rollback_info: string | null;
}

const COLUMNS = [
  'd.id',
  'd.entity_ref',
  'd.provider',
  'd.provider_deployment_id',
  'd.environment',
  ...versionColumnNames('d'),
  'd.state',
  'd.created_at',
  'd.url',
  'd.url_label',
  'd.rollback_info',
];

const FAILED = new Set(['failure', 'error']);
/** States that show a deployment rolling out. */
const ROLLED_OUT = new Set(['in_progress', 'success', 'rolled_back']);
const FINAL = new Set([
  'success',
  'failure',
  'error',
  'inactive',
  'rolled_back',
]);

/** A deployment as classified, with the times the figures need. */
export interface ClassifiedDeployment extends MetricsDeployment {
  /** Epoch milliseconds. */
  createdAtMs: number;
  startedAtMs: number;
  succeededAtMs?: number;
  /** A rolled back deployment: when its history first said so. */
  rolledBackAtMs?: number;
}

export class KnexDeliveryMetrics {
  constructor(private readonly db: Knex) {}

  /**
   * The deployments of `entityRef` into `environment` created from `since`
   * (inclusive) to `until` (exclusive) that count, oldest first, each
   * classified; restores are looked for up to {@link RESTORE_HORIZON_MS}
   * after `until` (and never after `now`).
   */
  async classify(options: {
    entityRef: string;
    environment: string;
    since: Date;
    until: Date;
    now: Date;
    rules: MetricsRules;
  }): Promise<ClassifiedDeployment[]> {
    const { entityRef, environment, since, until, rules } = options;
    const readUntil = new Date(
      Math.min(until.getTime() + RESTORE_HORIZON_MS, options.now.getTime() + 1),
    );
    const rows: MetricsRow[] = await this.db('deployments as d')
      .select(COLUMNS)
      .where('d.entity_ref', entityRef)
      .where('d.environment', environment)
      .where('d.created_at', '>=', since)
      .where('d.created_at', '<', readUntil)
      .orderBy([
        { column: 'd.created_at', order: 'asc' },
        { column: 'd.id', order: 'asc' },
      ])
      .limit(MAX_CLASSIFIED);
    if (rows.length === 0) return [];
    const shas = [...new Set(rows.map(row => row.sha))];
    const [statuses, firstSeen, succeededBefore] = await Promise.all([
      this.statusesOf(rows.map(row => row.id)),
      this.firstSeen(entityRef, shas),
      this.succeededBefore(entityRef, environment, shas, since),
    ]);

    // Pass 1: what each deployment was, in the order they were created.
    const counted: ClassifiedDeployment[] = [];
    const succeeded = new Set(succeededBefore);
    for (const row of rows) {
      const history = statuses.get(row.id) ?? [];
      const createdAtMs = toMillis(row.created_at)!;
      const startedAtMs = startOf(createdAtMs, history);
      const everSucceeded = history.some(s => s.state === 'success');
      // Never rolled out (held at a gate, rejected: GitHub's REST statuses
      // show a rejected review as a lone failure), still running,
      // cancelled, or superseded before it succeeded: not a deployment.
      if (startedAtMs === undefined || !FINAL.has(row.state)) continue;
      if (!history.some(s => ROLLED_OUT.has(s.state))) continue;
      if (row.state === 'inactive' && !everSucceeded) continue;
      const succeededAtMs = firstAt(history, 'success');
      let outcome: MetricsOutcome;
      if (succeeded.has(row.sha)) outcome = 'redeploy';
      else if (row.state === 'rolled_back' || row.rollback_info)
        outcome = 'rolled_back';
      else if (FAILED.has(row.state)) outcome = 'failed';
      else outcome = 'success';
      if (everSucceeded) succeeded.add(row.sha);
      const seen = firstSeen.get(row.sha);
      counted.push(
        compact({
          id: providerId(row.provider, row.provider_deployment_id),
          entityRef: row.entity_ref,
          environment: row.environment,
          version: toVersion(row),
          state: row.state as DeploymentState,
          outcome,
          createdAt: new Date(createdAtMs).toISOString(),
          createdAtMs,
          startedAtMs,
          succeededAtMs,
          succeededAt:
            succeededAtMs === undefined
              ? undefined
              : new Date(succeededAtMs).toISOString(),
          leadTimeSeconds:
            outcome !== 'redeploy' &&
            succeededAtMs !== undefined &&
            seen !== undefined
              ? Math.max(0, Math.round((succeededAtMs - seen) / 1000))
              : undefined,
          url: row.url ?? undefined,
          urlLabel: row.url_label ?? undefined,
          rolledBackAtMs:
            row.state === 'rolled_back'
              ? firstAt(history, 'rolled_back')
              : undefined,
        }),
      );
    }

    // Pass 2: a change that succeeded and was followed, as the next change
    // into the environment, by a hotfix within the window.
    const changes = counted.filter(d => d.outcome !== 'redeploy');
    changes.forEach((change, index) => {
      const next = changes[index + 1];
      if (
        change.outcome === 'success' &&
        change.succeededAtMs !== undefined &&
        next &&
        next.startedAtMs >= change.succeededAtMs &&
        next.startedAtMs - change.succeededAtMs <= rules.hotfixWindowMs &&
        isHotfix(next, rules.hotfixPattern)
      ) {
        change.outcome = 'hotfixed';
        change.hotfixedBy = next.id;
      }
    });

    // Pass 3: how long each change failure took to restore.
    for (const failure of changes) {
      if (!isFailure(failure.outcome)) continue;
      const wentOut = failure.succeededAtMs ?? failure.startedAtMs;
      let end: { at: number; by: string } | undefined;
      const ownRollback = failure.rolledBackAtMs;
      if (ownRollback !== undefined && ownRollback >= wentOut) {
        end = { at: ownRollback, by: failure.id };
      }
      for (const other of counted) {
        if (other === failure || other.succeededAtMs === undefined) continue;
        if (other.succeededAtMs <= wentOut) continue;
        if (!end || other.succeededAtMs < end.at) {
          end = { at: other.succeededAtMs, by: other.id };
        }
      }
      if (end) {
        failure.restoreSeconds = Math.round((end.at - wentOut) / 1000);
        failure.restoredBy = end.by;
      }
    }
    return counted;
  }

  private async statusesOf(
    ids: number[],
  ): Promise<Map<number, DeploymentStatusEntry[]>> {
    const all = new Map<number, DeploymentStatusEntry[]>();
    for (const batch of chunk(ids, LOOKUP_BATCH)) {
      for (const [id, list] of await loadStatuses(this.db, batch)) {
        all.set(id, list);
      }
    }
    return all;
  }

  /** When each version first appeared anywhere on the entity's path. */
  private async firstSeen(
    entityRef: string,
    shas: string[],
  ): Promise<Map<string, number>> {
    const seen = new Map<string, number>();
    for (const batch of chunk(shas, LOOKUP_BATCH)) {
      const rows: Array<{ sha: string; first_seen_at: DbTime }> = await this.db(
        'versions',
      )
        .select('sha', 'first_seen_at')
        .where('entity_ref', entityRef)
        .whereIn('sha', batch);
      for (const row of rows) seen.set(row.sha, toMillis(row.first_seen_at)!);
    }
    return seen;
  }

  /** The versions among `shas` that succeeded in the environment in a deployment created before `since`. */
  private async succeededBefore(
    entityRef: string,
    environment: string,
    shas: string[],
    since: Date,
  ): Promise<string[]> {
    const found: string[] = [];
    for (const batch of chunk(shas, LOOKUP_BATCH)) {
      const rows: Array<{ sha: string }> = await this.db('deployments as d')
        .distinct('d.sha')
        .where('d.entity_ref', entityRef)
        .whereIn('d.sha', batch)
        .where('d.environment', environment)
        .where('d.created_at', '<', since)
        .where(succeededOnce =>
          succeededOnce
            .where('d.state', 'success')
            .orWhereExists(
              this.db('deployment_statuses as s')
                .select(this.db.raw('1'))
                .whereRaw('s.deployment_id = d.id')
                .where('s.state', 'success'),
            ),
        );
      found.push(...rows.map(row => row.sha));
    }
    return found;
  }
}

export function isFailure(outcome: MetricsOutcome): boolean {
  return (
    outcome === 'failed' || outcome === 'rolled_back' || outcome === 'hotfixed'
  );
}

function isHotfix(deployment: MetricsDeployment, pattern: RegExp): boolean {
  const { message, tag } = deployment.version;
  const test = (text?: string) => {
    if (!text) return false;
    pattern.lastIndex = 0;
    return pattern.test(text);
  };
  return test(message) || test(tag);
}

/** When the history first reached `state`. */
function firstAt(
  history: DeploymentStatusEntry[],
  state: DeploymentState,
): number | undefined {
  const times = history
    .filter(status => status.state === state)
    .map(status => Date.parse(status.at));
  return times.length > 0 ? Math.min(...times) : undefined;
}
