import { InputError } from '@backstage/errors';
import type {
  DeploymentLink,
  DeploymentState,
  TimelineCell,
  TimelineOutcome,
  TimelineRow,
} from '@stagecraft/plugin-deployments-common';
import { strategyOfRow } from '../deployments/deploymentRows';
import { oldestDeploymentFirst } from '../deployments/deploymentOrder';
import {
  LinkedDeployment,
  loadVersionLinks,
} from '../deployments/KnexDeploymentLinks';
import { Knex } from 'knex';
import { preparedRows } from '../preparedStatements';
import type { TimelinePageOptions } from '../DeploymentStore';
import { DbTime, parseTime, toIso, toMillis } from '../dbTime';
import { createPageCursorCodec } from '../pageCursor';
import { providerId } from '../providerId';
import { compact, validLimit } from '../rowValues';
import {
  VersionColumns,
  toVersion,
  versionColumnNames,
} from '../versionColumns';

const timelineCursor = createPageCursorCodec(
  'timeline',
  (value): value is { firstSeenAt: number; sha: string } =>
    typeof value === 'object' &&
    value !== null &&
    Number.isSafeInteger((value as any).firstSeenAt) &&
    typeof (value as any).sha === 'string' &&
    // A commit, or the key of a version whose commit is unknown.
    /^([0-9a-f]{1,64}|artifact:\S{1,246})$/i.test((value as any).sha),
);

const FAILING_CHECK = '%"state":"failing"%';

/**
 * Which deployments have an outcome. Checks are stored as the JSON the
 * ledger itself writes (`JSON.stringify`, no spaces), so a failing check is
 * the text `"state":"failing"` in the column.
 */
const outcomeCondition: Record<
  TimelineOutcome,
  (q: Knex.QueryBuilder) => void
> = {
  'rolled-back': q =>
    q.where('d.state', 'rolled_back').orWhereNotNull('d.rollback_info'),
  'failed-verification': q => q.where('d.checks', 'like', FAILING_CHECK),
};

interface AttemptRow {
  entity_ref: string;
  provider: string;
  provider_deployment_id: string;
  environment: string;
  sha: string;
  state: string;
  created_at: DbTime;
  finished_at: DbTime | null;
  triggered_by: string | null;
  url: string | null;
  url_label: string | null;
  strategy: string | null;
  traffic_percent: number | string | null;
  strategy_name: string | null;
  strategy_steps: string | null;
  strategy_current_step: number | string | null;
  rollback_info: string | null;
  checks: string | null;
}

/** The promotion timeline: versions as rows (newest first), environments as columns. */
export class KnexTimeline {
  constructor(private readonly db: Knex) {}

  async getTimeline(
    entityRef: string,
    options: TimelinePageOptions,
  ): Promise<{ rows: TimelineRow[]; nextCursor?: string }> {
    const { environments } = options;
    if (environments.length === 0) {
      throw new InputError('The timeline needs at least one environment');
    }
    const limit = validLimit(options.limit);
    const after = options.cursor
      ? timelineCursor.decode(options.cursor)
      : undefined;

    const query = this.db('versions as v')
      .where('v.entity_ref', entityRef)
      .whereExists(
        this.db('deployments as d')
          .select(this.db.raw('1'))
          .whereRaw('d.entity_ref = v.entity_ref')
          .whereRaw('d.sha = v.sha')
          .whereIn('d.environment', environments)
          .modify(q => {
            if (options.outcome?.length) {
              q.where(inner => {
                for (const outcome of options.outcome!) {
                  inner.orWhere(outcomeCondition[outcome]);
                }
              });
            }
          }),
      );
    if (options.since) {
      query.where('v.first_seen_at', '>=', parseTime(options.since, 'since'));
    }
    if (options.until) {
      query.where('v.first_seen_at', '<=', parseTime(options.until, 'until'));
    }
    if (after) {
      const at = new Date(after.firstSeenAt);
      query.where(inner =>
        inner
          .where('v.first_seen_at', '<', at)
          .orWhere(tie =>
            tie
              .where('v.first_seen_at', '=', at)
              .where('v.sha', '<', after.sha),
          ),
      );
    }
    const versions = await preparedRows<
      VersionColumns & { first_seen_at: DbTime }
    >(
      this.db,
      query
        .orderBy([
          { column: 'v.first_seen_at', order: 'desc' },
          { column: 'v.sha', order: 'desc' },
        ])
        .limit(limit + 1)
        .select(...versionColumnNames('v'), 'v.first_seen_at'),
    );

    const page = versions.slice(0, limit);
    // The page's attempts and their links side by side: links are found by
    // version, which the page already knows.
    const [attempts, linksOf] = await Promise.all([
      page.length === 0
        ? []
        : preparedRows<AttemptRow>(
            this.db,
            this.db('deployments')
              .where('entity_ref', entityRef)
              .whereIn(
                'sha',
                page.map(v => v.sha),
              )
              .whereIn('environment', environments)
              .orderByRaw(oldestDeploymentFirst())
              .select(
                'entity_ref',
                'provider',
                'provider_deployment_id',
                'environment',
                'sha',
                'state',
                'created_at',
                'finished_at',
                'triggered_by',
                'url',
                'url_label',
                'strategy',
                'traffic_percent',
                'strategy_name',
                'strategy_steps',
                'strategy_current_step',
                'rollback_info',
                'checks',
              ),
          ),
      loadVersionLinks(
        this.db,
        entityRef,
        page.map(version => version.sha),
      ),
    ]);

    const cells = newestAttempts(attempts, linksOf);
    const rows: TimelineRow[] = page.map(version => ({
      version: toVersion(version),
      firstSeenAt: toIso(version.first_seen_at),
      cells: Object.fromEntries(
        environments.map(environment => [
          environment,
          cells.get(cellKey(version.sha, environment)),
        ]),
      ),
    }));
    const last = page[page.length - 1];
    return compact({
      rows,
      nextCursor:
        versions.length > limit && last
          ? timelineCursor.encode({
              firstSeenAt: toMillis(last.first_seen_at)!,
              sha: last.sha,
            })
          : undefined,
    });
  }
}

function cellKey(sha: string, environment: string) {
  return `${sha}\u0000${environment}`;
}

/** The cell shows the newest attempt of the version in the environment; attempts arrive oldest first. */
function newestAttempts(
  attempts: AttemptRow[],
  linksOf: (deployment: LinkedDeployment) => DeploymentLink[],
): Map<string, TimelineCell> {
  const cells = new Map<string, TimelineCell>();
  for (const attempt of attempts) {
    const key = cellKey(attempt.sha, attempt.environment);
    const startedAt = toMillis(attempt.created_at)!;
    const finishedAt = toMillis(attempt.finished_at);
    cells.set(
      key,
      compact({
        deploymentId: providerId(
          attempt.provider,
          attempt.provider_deployment_id,
        ),
        state: attempt.state as DeploymentState,
        startedAt: new Date(startedAt).toISOString(),
        finishedAt:
          finishedAt !== undefined
            ? new Date(finishedAt).toISOString()
            : undefined,
        durationSeconds:
          finishedAt !== undefined
            ? Math.max(0, Math.round((finishedAt - startedAt) / 1000))
            : undefined,
        triggeredBy: attempt.triggered_by ?? undefined,
        url: attempt.url ?? undefined,
        urlLabel: attempt.url_label ?? undefined,
        attempts: (cells.get(key)?.attempts ?? 0) + 1,
        strategy: strategyOfRow(attempt),
        rollback: parseJson(attempt.rollback_info),
        verificationFailed: hasFailingCheck(attempt.checks) || undefined,
        links: nonEmpty(linksOf(attempt)),
      }),
    );
  }
  return cells;
}

function hasFailingCheck(checks: string | null): boolean {
  if (checks === null) return false;
  const parsed: unknown = JSON.parse(checks);
  return (
    Array.isArray(parsed) &&
    parsed.some(check => (check as { state?: unknown })?.state === 'failing')
  );
}

function parseJson(value: string | null) {
  return value === null ? undefined : JSON.parse(value);
}

function nonEmpty<T>(list: T[]): T[] | undefined {
  return list.length > 0 ? list : undefined;
}
