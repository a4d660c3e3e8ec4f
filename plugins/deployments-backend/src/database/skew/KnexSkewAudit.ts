import type {
  DeploymentStatusEntry,
  SkewFinding,
  SkewKind,
} from '@stagecraft/plugin-deployments-common';
import { Knex } from 'knex';
import { DbTime, toMillis } from '../dbTime';
import { loadStatuses } from '../deployments/deploymentRows';
import { createPageCursorCodec } from '../pageCursor';
import { providerId } from '../providerId';
import { compact, validLimit } from '../rowValues';
import { toVersion, versionColumnNames } from '../versionColumns';

/**
 * The promotion-skew audit over the ledger: deployments into an environment
 * whose version never succeeded in the environment before it on the path
 * (whatever provider ran either) before the deployment started, or did so
 * less than a minimum soak time before.
 *
 * Reads only indexed look-ups: the deployments of a page by
 * `deployments_latest_idx` (one entity) or `deployments_created_idx` (every
 * entity), their statuses by the statuses' primary key, and the successes of
 * their versions in the previous environments by `deployments_entity_sha_idx`.
 */

/** Deployments read per statement; a request reads at most {@link MAX_SCANNED}. */
const BATCH_SIZE = 200;
/** The most deployments one request reads; a page may then hold fewer findings than asked and a cursor. */
export const MAX_SCANNED = 5_000;

/** Where a page of findings stops: the deployment read last, by creation time and row id. */
export interface SkewPosition {
  at: number;
  id: number;
}

export const skewCursor = createPageCursorCodec(
  'skew',
  (value): value is SkewPosition =>
    typeof value === 'object' &&
    value !== null &&
    Number.isSafeInteger((value as any).at) &&
    Number.isSafeInteger((value as any).id),
);

/** The deployments a page reads: created within `since`…`until` (both inclusive). */
export interface SkewRange {
  since?: Date;
  until?: Date;
}

export interface SkewPage {
  limit: number;
  cursor?: string;
  /** Only findings of these kinds; all when absent. */
  kinds?: SkewKind[];
}

/** The minimum soak before a deployment into `environment`, in milliseconds. */
export type MinimumSoak = (environment: string) => number;

/** The promotion paths of the entities the caller may see, among those asked (lower-case refs). */
export type VisiblePaths = (
  entityRefs: string[],
) => Promise<Map<string, string[]>>;

interface CandidateRow {
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
}

const CANDIDATE_COLUMNS = [
  'd.id',
  'd.entity_ref',
  'd.provider',
  'd.provider_deployment_id',
  'd.environment',
  ...versionColumnNames('d'),
  'd.state',
  'd.created_at',
  'd.url',
];

/** States a deployment shows once it left a gate and rolls out. */
const ROLLING_OUT = new Set(['queued', 'in_progress', 'success']);

/**
 * When a deployment started rolling out: when it left the gate that last
 * held it (its first queued, in-progress or success status after its last
 * `waiting`), else when it was created. Undefined while it waits, and for one
 * that ended at its gate (rejected, cancelled): it never deployed.
 */
export function startOf(
  createdAt: number,
  statuses: DeploymentStatusEntry[],
): number | undefined {
  let lastWaiting = -1;
  statuses.forEach((status, index) => {
    if (status.state === 'waiting') lastWaiting = index;
  });
  if (lastWaiting < 0) return createdAt;
  const started = statuses
    .slice(lastWaiting + 1)
    .find(status => ROLLING_OUT.has(status.state));
  return started ? toMillis(started.at) : undefined;
}

export class KnexSkewAudit {
  constructor(private readonly db: Knex) {}

  /** The findings of one entity whose promotion path is `path`, newest first. */
  async entityFindings(options: {
    entityRef: string;
    path: string[];
    minimumSoak: MinimumSoak;
    range: SkewRange;
    page: SkewPage;
  }): Promise<{ findings: SkewFinding[]; nextCursor?: string }> {
    const { entityRef, path } = options;
    const later = path.slice(1);
    if (later.length === 0) return { findings: [] };
    return this.scan({
      ...options,
      read: (after, limit) =>
        this.candidates(after, limit, options.range, query =>
          query
            .where('d.entity_ref', entityRef)
            .whereIn('d.environment', later),
        ),
      pathsOf: async () => new Map([[entityRef, path]]),
    });
  }

  /** The findings across the entities `visible` returns paths of, newest first. */
  async findingsAcross(options: {
    visible: VisiblePaths;
    minimumSoak: MinimumSoak;
    range: SkewRange;
    page: SkewPage;
  }): Promise<{ findings: SkewFinding[]; nextCursor?: string }> {
    return this.scan({
      ...options,
      read: (after, limit) => this.candidates(after, limit, options.range),
      pathsOf: options.visible,
    });
  }

  private async scan(options: {
    minimumSoak: MinimumSoak;
    page: SkewPage;
    read(
      after: SkewPosition | undefined,
      limit: number,
    ): Promise<CandidateRow[]>;
    pathsOf: VisiblePaths;
  }): Promise<{ findings: SkewFinding[]; nextCursor?: string }> {
    const limit = validLimit(options.page.limit);
    let after = options.page.cursor
      ? skewCursor.decode(options.page.cursor)
      : undefined;
    const findings: SkewFinding[] = [];
    let scanned = 0;
    for (;;) {
      const rows = await options.read(after, BATCH_SIZE);
      if (rows.length === 0) return { findings };
      const paths = await options.pathsOf([
        ...new Set(rows.map(row => row.entity_ref)),
      ]);
      const found = await this.judge(rows, paths, options.minimumSoak);
      for (const [index, row] of rows.entries()) {
        scanned += 1;
        after = { at: toMillis(row.created_at)!, id: Number(row.id) };
        const finding = found.get(row.id);
        if (
          finding &&
          (!options.page.kinds || options.page.kinds.includes(finding.kind))
        ) {
          findings.push(finding);
        }
        const more = index < rows.length - 1 || rows.length === BATCH_SIZE;
        if (findings.length === limit || scanned >= MAX_SCANNED) {
          return compact({
            findings,
            nextCursor: more ? skewCursor.encode(after) : undefined,
          });
        }
      }
      if (rows.length < BATCH_SIZE) return { findings };
    }
  }

  /** Deployments newest first (creation time, then row id), after a position. */
  private async candidates(
    after: SkewPosition | undefined,
    limit: number,
    range: SkewRange,
    scope?: (query: Knex.QueryBuilder) => void,
  ): Promise<CandidateRow[]> {
    const query = this.db('deployments as d').select(CANDIDATE_COLUMNS);
    scope?.(query);
    if (range.since) query.where('d.created_at', '>=', range.since);
    if (range.until) query.where('d.created_at', '<=', range.until);
    if (after) {
      const at = new Date(after.at);
      query.where(inner =>
        inner
          .where('d.created_at', '<', at)
          .orWhere(tie =>
            tie.where('d.created_at', '=', at).where('d.id', '<', after.id),
          ),
      );
    }
    return query
      .orderBy([
        { column: 'd.created_at', order: 'desc' },
        { column: 'd.id', order: 'desc' },
      ])
      .limit(limit);
  }

  /** The finding of each deployment of `rows` that has one, by row id. */
  private async judge(
    rows: CandidateRow[],
    paths: Map<string, string[]>,
    minimumSoak: MinimumSoak,
  ): Promise<Map<number, SkewFinding>> {
    const judged = rows.flatMap(row => {
      const path = paths.get(row.entity_ref);
      const position = path ? path.indexOf(row.environment) : -1;
      return position > 0
        ? [{ row, previousEnvironment: path![position - 1] }]
        : [];
    });
    const result = new Map<number, SkewFinding>();
    if (judged.length === 0) return result;
    const [statuses, successes] = await Promise.all([
      loadStatuses(
        this.db,
        judged.map(({ row }) => row.id),
      ),
      this.successTimes(
        judged.map(({ row, previousEnvironment }) => ({
          entityRef: row.entity_ref,
          environment: previousEnvironment,
          sha: row.sha,
        })),
      ),
    ]);
    for (const { row, previousEnvironment } of judged) {
      const startedAt = startOf(
        toMillis(row.created_at)!,
        statuses.get(row.id) ?? [],
      );
      if (startedAt === undefined) continue;
      const passed = (
        successes.get(key(row.entity_ref, previousEnvironment, row.sha)) ?? []
      ).filter(at => at <= startedAt);
      const soak = minimumSoak(row.environment);
      const first = passed.length > 0 ? Math.min(...passed) : undefined;
      if (first !== undefined && startedAt - first >= soak) continue;
      result.set(
        row.id,
        compact({
          entityRef: row.entity_ref,
          environment: row.environment,
          previousEnvironment,
          deploymentId: providerId(row.provider, row.provider_deployment_id),
          provider: row.provider,
          version: toVersion(row),
          state: row.state,
          startedAt: new Date(startedAt).toISOString(),
          kind: first === undefined ? 'skipped' : 'short-soak',
          previousSucceededAt:
            first === undefined ? undefined : new Date(first).toISOString(),
          soakSeconds:
            first === undefined
              ? undefined
              : Math.floor((startedAt - first) / 1000),
          minimumSoakSeconds: Math.floor(soak / 1000),
          url: row.url ?? undefined,
        }),
      );
    }
    return result;
  }

  /**
   * When each version succeeded in an environment (the finish of each
   * deployment of it there that succeeded: latest status success, or success
   * then superseded), keyed by entity, environment and version key.
   */
  private async successTimes(
    lookups: Array<{ entityRef: string; environment: string; sha: string }>,
  ): Promise<Map<string, number[]>> {
    const shasBy = new Map<string, Set<string>>();
    for (const { entityRef, environment, sha } of lookups) {
      const scope = `${entityRef}\u0000${environment}`;
      shasBy.set(scope, (shasBy.get(scope) ?? new Set()).add(sha));
    }
    const rows: Array<{
      entity_ref: string;
      environment: string;
      sha: string;
      finished_at: DbTime;
    }> = await this.db('deployments as d')
      .select('d.entity_ref', 'd.environment', 'd.sha', 'd.finished_at')
      .where(any => {
        for (const [scope, shas] of shasBy) {
          const [entityRef, environment] = scope.split('\u0000');
          any.orWhere(one =>
            one
              .where('d.entity_ref', entityRef)
              .whereIn('d.sha', [...shas])
              .where('d.environment', environment),
          );
        }
      })
      .whereNotNull('d.finished_at')
      .where(succeeded =>
        succeeded
          .where('d.state', 'success')
          .orWhere(superseded =>
            superseded
              .where('d.state', 'inactive')
              .whereExists(
                this.db('deployment_statuses as s')
                  .select(this.db.raw('1'))
                  .whereRaw('s.deployment_id = d.id')
                  .where('s.state', 'success'),
              ),
          ),
      );
    const times = new Map<string, number[]>();
    for (const row of rows) {
      const k = key(row.entity_ref, row.environment, row.sha);
      times.set(k, [...(times.get(k) ?? []), toMillis(row.finished_at)!]);
    }
    return times;
  }
}

function key(entityRef: string, environment: string, sha: string): string {
  return `${entityRef}\u0000${environment}\u0000${sha}`;
}
