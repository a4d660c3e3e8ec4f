import { randomUUID } from 'node:crypto';
import {
  DatabaseService,
  LoggerService,
  isDatabaseConflictError,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  AuditEntry,
  DEPLOYMENT_STATES,
  Deployment,
  DeploymentState,
  DeploymentStatusEntry,
  DeploymentStrategyType,
  FINAL_DEPLOYMENT_STATES,
  PromotionRequest,
  PromotionRequestState,
  SyncStatus,
  TimelineCell,
  TimelineRow,
  Version,
} from '@stagecraft/plugin-deployments-common';
import type {
  ProviderComparison,
  ProviderDeployment,
  ProviderGate,
} from '@stagecraft/plugin-deployments-node';
import { Knex } from 'knex';
import {
  AuditFilters,
  DeploymentStore,
  EnvironmentState,
  IdempotencyClaim,
  NewPromotionRequest,
  StoredGate,
  SyncCursorState,
  TimelinePageOptions,
} from './DeploymentStore';
import { createPageCursorCodec } from './pageCursor';

/** Deployments per insert statement; keeps bindings far below SQLite's and PostgreSQL's limits. */
const DEPLOYMENT_BATCH_SIZE = 500;
/**
 * Rows per insert statement for narrow tables (statuses, targets). Knex
 * writes a multi-row insert on SQLite as a compound SELECT, which SQLite
 * limits to 500 terms.
 */
const ROW_BATCH_SIZE = 500;
/** An idempotency key left in progress this long belongs to a crashed request and may be taken over. */
const ABANDONED_CLAIM_MS = 10 * 60 * 1000;
const MAX_PAGE_SIZE = 500;
const MAX_ERROR_LENGTH = 2000;

const ACTIVE_REQUEST_STATES: readonly PromotionRequestState[] = [
  'pending',
  'approved',
];

type DbTime = Date | number | string;

interface DeploymentRow {
  id: number;
  provider: string;
  provider_deployment_id: string;
  entity_ref: string;
  environment: string;
  sha: string;
  tag: string | null;
  message: string | null;
  version_url: string | null;
  state: string;
  state_at: DbTime | null;
  created_at: DbTime;
  updated_at: DbTime;
  finished_at: DbTime | null;
  triggered_by: string | null;
  url: string | null;
  log_url: string | null;
  description: string | null;
  strategy: string | null;
  traffic_percent: number | null;
}

/** A deployment row as computed in memory: times as epoch milliseconds. */
type DeploymentRecord = Omit<
  DeploymentRow,
  'id' | 'state_at' | 'created_at' | 'updated_at' | 'finished_at'
> & {
  state_at: number | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
};

interface StatusRow {
  deployment_id: number;
  state: string;
  at: DbTime;
  description: string | null;
  log_url: string | null;
}

interface GateRow {
  provider: string;
  provider_gate_id: string;
  entity_ref: string;
  environment: string;
  sha: string;
  tag: string | null;
  message: string | null;
  version_url: string | null;
  reviewers: string;
  since: DbTime;
  wait_timer_minutes: number | null;
  requested_by: string | null;
  url: string | null;
  details: string | null;
}

interface RequestRow {
  id: string;
  entity_ref: string;
  action: string;
  environment: string;
  sha: string;
  tag: string | null;
  message: string | null;
  version_url: string | null;
  state: string;
  requested_by: string;
  requested_at: DbTime;
  comment: string | null;
  decided_by: string | null;
  decided_at: DbTime | null;
  decision_comment: string | null;
  provider_reference: string | null;
  error: string | null;
  active_slot: string | null;
}

interface AuditRow {
  id: number;
  at: DbTime;
  entity_ref: string;
  action: string;
  outcome: string;
  actor: string;
  provider_identity: string | null;
  environment: string;
  sha: string | null;
  tag: string | null;
  message: string | null;
  version_url: string | null;
  comment: string | null;
  request_id: string | null;
  detail: string | null;
}

const timelineCursor = createPageCursorCodec(
  'timeline',
  (value): value is { firstSeenAt: number; sha: string } =>
    typeof value === 'object' &&
    value !== null &&
    Number.isSafeInteger((value as any).firstSeenAt) &&
    typeof (value as any).sha === 'string' &&
    /^[0-9a-f]{1,64}$/i.test((value as any).sha),
);

const auditCursor = createPageCursorCodec(
  'audit',
  (value): value is { at: number; id: number } =>
    typeof value === 'object' &&
    value !== null &&
    Number.isSafeInteger((value as any).at) &&
    Number.isSafeInteger((value as any).id),
);

/**
 * The deployment ledger on Knex: SQLite (better-sqlite3) and PostgreSQL.
 *
 * Provider data is merged, never overwritten blindly: a replayed or
 * overlapping report changes nothing, the status history is the union of
 * everything seen, and the latest state is always the status with the newest
 * time, whatever order the statuses arrived in.
 */
export class KnexDeploymentStore implements DeploymentStore {
  static async create(options: {
    database: DatabaseService;
    logger?: LoggerService;
  }): Promise<KnexDeploymentStore> {
    const client = await options.database.getClient();
    if (!options.database.migrations?.skip) {
      await client.migrate.latest({
        directory: resolvePackagePath(
          '@stagecraft/plugin-deployments-backend',
          'migrations',
        ),
      });
    }
    return new KnexDeploymentStore(client);
  }

  private constructor(private readonly db: Knex) {}

  // --- ingest -------------------------------------------------------------

  async upsertDeployments(
    entityRef: string,
    provider: string,
    deployments: ProviderDeployment[],
  ): Promise<{ inserted: number; updated: number }> {
    const incoming = mergeDuplicateReports(deployments, provider);
    let inserted = 0;
    let updated = 0;
    if (incoming.length === 0) {
      return { inserted, updated };
    }
    await this.db.transaction(async tx => {
      for (const batch of chunk(incoming, DEPLOYMENT_BATCH_SIZE)) {
        const result = await this.upsertDeploymentBatch(
          tx,
          entityRef,
          provider,
          batch,
        );
        inserted += result.inserted;
        updated += result.updated;
      }
      await this.upsertVersions(tx, entityRef, incoming);
    });
    return { inserted, updated };
  }

  private async upsertDeploymentBatch(
    tx: Knex.Transaction,
    entityRef: string,
    provider: string,
    batch: ProviderDeployment[],
  ): Promise<{ inserted: number; updated: number }> {
    const byKey = new Map(batch.map(d => [d.providerDeploymentId, d]));
    const idByKey = new Map<string, number>();
    const changed = new Set<number>();
    const createdIds = new Set<number>();
    let inserted = 0;

    const mergeExisting = async (keys: string[]) => {
      if (keys.length === 0) return;
      const existing: DeploymentRow[] = await tx('deployments')
        .where('provider', provider)
        .whereIn('provider_deployment_id', keys)
        .forUpdate();
      for (const row of existing) {
        idByKey.set(row.provider_deployment_id, row.id);
        const current = recordOf(row);
        const merged = mergeReport(
          current,
          byKey.get(row.provider_deployment_id)!,
          entityRef,
        );
        const patch = differences(current, merged);
        if (patch) {
          await tx('deployments').where('id', row.id).update(patch);
          changed.add(row.id);
        }
      }
    };

    // Insert first: new deployments, the bulk of a backfill, cost one
    // statement. The ones that already exist (a replay, an overlapping poll,
    // or a concurrent writer's fresh insert) are merged into the stored row,
    // locked on PostgreSQL so a webhook and a poll serialise instead of racing.
    const keys = [...byKey.keys()];
    const created: Array<{ id: number; provider_deployment_id: string }> =
      await tx('deployments')
        .insert(
          keys.map(key =>
            toRow(recordFromReport(byKey.get(key)!, entityRef, provider)),
          ),
        )
        .onConflict(['provider', 'provider_deployment_id'])
        .ignore()
        .returning(['id', 'provider_deployment_id']);
    for (const row of created) {
      idByKey.set(row.provider_deployment_id, row.id);
      createdIds.add(row.id);
    }
    inserted = created.length;
    await mergeExisting(keys.filter(key => !idByKey.has(key)));

    const statusRows = batch.flatMap(report =>
      report.statuses.map(status => ({
        deployment_id: idByKey.get(report.providerDeploymentId)!,
        state: status.state,
        at: new Date(status.at),
        description: status.description ?? null,
        log_url: status.logUrl ?? null,
      })),
    );
    for (const rows of chunk(statusRows, ROW_BATCH_SIZE)) {
      const added: Array<{ deployment_id: number }> = await tx(
        'deployment_statuses',
      )
        .insert(rows)
        .onConflict(['deployment_id', 'state', 'at'])
        .ignore()
        .returning(['deployment_id']);
      for (const { deployment_id } of added) changed.add(deployment_id);
    }

    // Everything changed that we did not create ourselves counts as updated,
    // including rows a concurrent writer created a moment before us.
    let updated = 0;
    for (const id of changed) {
      if (!createdIds.has(id)) updated += 1;
    }
    return { inserted, updated };
  }

  private async upsertVersions(
    tx: Knex.Transaction,
    entityRef: string,
    reports: ProviderDeployment[],
  ) {
    const versions = new Map<
      string,
      {
        entity_ref: string;
        sha: string;
        tag: string | null;
        message: string | null;
        version_url: string | null;
        first_seen_at: Date;
      }
    >();
    for (const report of reports) {
      const sha = report.version.sha.toLowerCase();
      const seen = Date.parse(report.createdAt);
      const known = versions.get(sha);
      versions.set(sha, {
        entity_ref: entityRef,
        sha,
        tag: report.version.tag ?? known?.tag ?? null,
        message: report.version.message ?? known?.message ?? null,
        version_url: report.version.url ?? known?.version_url ?? null,
        first_seen_at:
          known && known.first_seen_at.getTime() < seen
            ? known.first_seen_at
            : new Date(seen),
      });
    }
    for (const rows of chunk([...versions.values()], DEPLOYMENT_BATCH_SIZE)) {
      await tx('versions')
        .insert(rows)
        .onConflict(['entity_ref', 'sha'])
        .merge({
          first_seen_at: tx.raw(
            'CASE WHEN excluded.first_seen_at < versions.first_seen_at THEN excluded.first_seen_at ELSE versions.first_seen_at END',
          ),
          tag: tx.raw('COALESCE(excluded.tag, versions.tag)'),
          message: tx.raw('COALESCE(excluded.message, versions.message)'),
          version_url: tx.raw(
            'COALESCE(excluded.version_url, versions.version_url)',
          ),
        });
    }
  }

  async replaceOpenGates(
    entityRef: string,
    provider: string,
    gates: ProviderGate[],
  ): Promise<void> {
    await this.db.transaction(async tx => {
      const open = gates.map(gate => gate.providerGateId);
      const closing = tx('provider_gates').where({
        entity_ref: entityRef,
        provider,
      });
      if (open.length > 0) {
        closing.whereNotIn('provider_gate_id', open);
      }
      await closing.delete();
      await this.writeGates(tx, entityRef, provider, gates);
    });
  }

  async openGates(
    entityRef: string,
    provider: string,
    gates: ProviderGate[],
  ): Promise<void> {
    await this.writeGates(this.db, entityRef, provider, gates);
  }

  private async writeGates(
    db: Knex,
    entityRef: string,
    provider: string,
    gates: ProviderGate[],
  ) {
    const rows = gates.map(gate => ({
      provider,
      provider_gate_id: gate.providerGateId,
      entity_ref: entityRef,
      environment: gate.environment,
      sha: gate.version.sha.toLowerCase(),
      tag: gate.version.tag ?? null,
      message: gate.version.message ?? null,
      version_url: gate.version.url ?? null,
      reviewers: JSON.stringify(gate.reviewers),
      since: new Date(gate.since),
      wait_timer_minutes: gate.waitTimerMinutes ?? null,
      requested_by: gate.requestedBy ?? null,
      url: gate.url ?? null,
      details: gate.details ? JSON.stringify(gate.details) : null,
    }));
    for (const batch of chunk(rows, DEPLOYMENT_BATCH_SIZE)) {
      await db('provider_gates')
        .insert(batch)
        .onConflict(['provider', 'provider_gate_id'])
        .merge();
    }
  }

  async closeGates(
    entityRef: string,
    provider: string,
    providerGateIds: string[],
  ): Promise<void> {
    if (providerGateIds.length === 0) return;
    await this.db('provider_gates')
      .where({ entity_ref: entityRef, provider })
      .whereIn('provider_gate_id', providerGateIds)
      .delete();
  }

  async setTargets(
    provider: string,
    targets: Array<{ entityRef: string; targetKey: string }>,
  ): Promise<void> {
    const unique = new Map(
      targets.map(t => [
        `${t.targetKey}\u0000${t.entityRef}`,
        { provider, target_key: t.targetKey, entity_ref: t.entityRef },
      ]),
    );
    await this.db.transaction(async tx => {
      await tx('provider_targets').where({ provider }).delete();
      for (const rows of chunk([...unique.values()], ROW_BATCH_SIZE)) {
        await tx('provider_targets').insert(rows);
      }
    });
  }

  async entitiesForTarget(
    provider: string,
    targetKey: string,
  ): Promise<string[]> {
    const rows: Array<{ entity_ref: string }> = await this.db(
      'provider_targets',
    )
      .where({ provider, target_key: targetKey })
      .orderBy('entity_ref')
      .select('entity_ref');
    return rows.map(row => row.entity_ref);
  }

  async recordWebhookDelivery(
    provider: string,
    deliveryKey: string,
  ): Promise<boolean> {
    const rows = await this.db('webhook_deliveries')
      .insert({
        provider,
        delivery_key: deliveryKey,
        received_at: new Date(),
      })
      .onConflict(['provider', 'delivery_key'])
      .ignore()
      .returning(['delivery_key']);
    return rows.length > 0;
  }

  async forgetWebhookDelivery(
    provider: string,
    deliveryKey: string,
  ): Promise<void> {
    await this.db('webhook_deliveries')
      .where({ provider, delivery_key: deliveryKey })
      .delete();
  }

  // --- sync state ---------------------------------------------------------

  async getSyncState(
    entityRef: string,
    provider: string,
  ): Promise<SyncCursorState | undefined> {
    const row = await this.db('sync_state')
      .where({ entity_ref: entityRef, provider })
      .first();
    if (!row) return undefined;
    return compact({
      cursor: row.cursor,
      lastSuccessAt: isoOrUndefined(row.last_success_at),
      lastAttemptAt: isoOrUndefined(row.last_attempt_at),
      lastError: row.last_error,
      lastErrorAt: isoOrUndefined(row.last_error_at),
    });
  }

  async recordSyncSuccess(options: {
    entityRef: string;
    provider: string;
    cursor?: string;
    at: Date;
  }): Promise<void> {
    const values = {
      cursor: options.cursor ?? null,
      last_success_at: options.at,
      last_attempt_at: options.at,
      last_error: null,
      last_error_at: null,
    };
    await this.upsertSyncState(options.entityRef, options.provider, values);
  }

  async recordSyncFailure(options: {
    entityRef: string;
    provider: string;
    error: string;
    at: Date;
  }): Promise<void> {
    const values = {
      last_attempt_at: options.at,
      last_error: options.error.slice(0, MAX_ERROR_LENGTH),
      last_error_at: options.at,
    };
    await this.upsertSyncState(options.entityRef, options.provider, values);
  }

  private async upsertSyncState(
    entityRef: string,
    provider: string,
    values: Record<string, unknown>,
  ): Promise<void> {
    await this.db('sync_state')
      .insert({ entity_ref: entityRef, provider, ...values })
      .onConflict(['entity_ref', 'provider'])
      .merge(values);
  }

  async listSyncStatus(entityRef: string): Promise<SyncStatus[]> {
    const rows = await this.db('sync_state')
      .where({ entity_ref: entityRef })
      .orderBy('provider');
    return rows.map(row => {
      const lastErrorAt = toMillis(row.last_error_at);
      const lastSuccessAt = toMillis(row.last_success_at);
      return compact({
        provider: row.provider,
        lastSuccessAt: isoOrUndefined(row.last_success_at),
        lastAttemptAt: isoOrUndefined(row.last_attempt_at),
        lastError: row.last_error ?? undefined,
        lastErrorAt: isoOrUndefined(row.last_error_at),
        stale:
          lastErrorAt !== undefined &&
          (lastSuccessAt === undefined || lastErrorAt >= lastSuccessAt),
      });
    });
  }

  // --- reads for pages ----------------------------------------------------

  async getEnvironmentStates(
    entityRef: string,
    environments: string[],
  ): Promise<Record<string, EnvironmentState>> {
    if (environments.length === 0) return {};
    // Two single-row index look-ups per environment, sent as one statement.
    // GitHub does not reliably mark superseded deployments inactive (notably
    // in production), so "current" is the newest deployment whose latest
    // status is success, and "latest" the newest attempt of any state.
    const lookups = environments.flatMap(environment => [
      { environment, slot: 'current' as const },
      { environment, slot: 'latest' as const },
    ]);
    const [first, ...rest] = lookups.map(({ environment, slot }, index) => {
      const newest = this.db('deployments')
        .select('*', this.db.raw('? as lookup', [index]))
        .where({ entity_ref: entityRef, environment });
      if (slot === 'current') newest.where('state', 'success');
      newest
        .orderBy([
          { column: 'created_at', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(1);
      // Wrapped, because SQLite allows no ORDER BY/LIMIT on a bare UNION member.
      return this.db.select('*').from(newest.as(`lookup_${index}`));
    });
    const rows: Array<DeploymentRow & { lookup: number | string }> =
      await first.unionAll(rest);
    const statuses = await this.loadStatuses(rows.map(row => row.id));
    const result: Record<string, EnvironmentState> = Object.fromEntries(
      environments.map(environment => [environment, {}]),
    );
    for (const { lookup, ...row } of rows) {
      const { environment, slot } = lookups[Number(lookup)];
      result[environment][slot] = toDeployment(row, statuses);
    }
    return result;
  }

  async getDeployment(id: string): Promise<Deployment | undefined> {
    const key = splitProviderId(id);
    if (!key) return undefined;
    const row: DeploymentRow | undefined = await this.db('deployments')
      .where({ provider: key.provider, provider_deployment_id: key.providerId })
      .first();
    if (!row) return undefined;
    return toDeployment(row, await this.loadStatuses([row.id]));
  }

  async listOpenGates(entityRef?: string): Promise<StoredGate[]> {
    const query = this.db<GateRow>('provider_gates').orderBy([
      'since',
      'provider',
      'provider_gate_id',
    ]);
    if (entityRef !== undefined) query.where('entity_ref', entityRef);
    return (await query).map(toGate);
  }

  async getGate(id: string): Promise<StoredGate | undefined> {
    const key = splitProviderId(id);
    if (!key) return undefined;
    const row: GateRow | undefined = await this.db('provider_gates')
      .where({ provider: key.provider, provider_gate_id: key.providerId })
      .first();
    return row && toGate(row);
  }

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
          .whereIn('d.environment', environments),
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
    const versions: Array<{
      sha: string;
      tag: string | null;
      message: string | null;
      version_url: string | null;
      first_seen_at: DbTime;
    }> = await query
      .orderBy([
        { column: 'v.first_seen_at', order: 'desc' },
        { column: 'v.sha', order: 'desc' },
      ])
      .limit(limit + 1)
      .select(
        'v.sha',
        'v.tag',
        'v.message',
        'v.version_url',
        'v.first_seen_at',
      );

    const page = versions.slice(0, limit);
    const attempts: Array<
      Pick<
        DeploymentRow,
        | 'provider'
        | 'provider_deployment_id'
        | 'environment'
        | 'sha'
        | 'state'
        | 'created_at'
        | 'finished_at'
        | 'triggered_by'
        | 'url'
      >
    > =
      page.length === 0
        ? []
        : await this.db('deployments')
            .where('entity_ref', entityRef)
            .whereIn(
              'sha',
              page.map(v => v.sha),
            )
            .whereIn('environment', environments)
            .orderBy([
              { column: 'created_at', order: 'asc' },
              { column: 'id', order: 'asc' },
            ])
            .select(
              'provider',
              'provider_deployment_id',
              'environment',
              'sha',
              'state',
              'created_at',
              'finished_at',
              'triggered_by',
              'url',
            );

    // The cell shows the newest attempt of the version in the environment.
    const cells = new Map<string, TimelineCell>();
    for (const attempt of attempts) {
      const key = `${attempt.sha}\u0000${attempt.environment}`;
      const startedAt = toMillis(attempt.created_at)!;
      const finishedAt = toMillis(attempt.finished_at);
      cells.set(
        key,
        compact({
          deploymentId: `${attempt.provider}:${attempt.provider_deployment_id}`,
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
          attempts: (cells.get(key)?.attempts ?? 0) + 1,
        }),
      );
    }

    const rows: TimelineRow[] = page.map(version => ({
      version: toVersion(version),
      firstSeenAt: toIso(version.first_seen_at),
      cells: Object.fromEntries(
        environments.map(environment => [
          environment,
          cells.get(`${version.sha}\u0000${environment}`),
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

  async findVersion(
    entityRef: string,
    ref: string,
  ): Promise<Version | undefined> {
    const trimmed = ref.trim();
    if (/^[0-9a-f]{7,64}$/i.test(trimmed)) {
      const matches = await this.db('versions')
        .where('entity_ref', entityRef)
        .where('sha', 'like', `${trimmed.toLowerCase()}%`)
        .limit(2);
      if (matches.length > 1) {
        throw new InputError(
          `Version '${ref}' is ambiguous for ${entityRef}: give more of the commit SHA`,
        );
      }
      if (matches.length === 1) return toVersion(matches[0]);
    }
    const tagged = await this.db('versions')
      .where({ entity_ref: entityRef, tag: trimmed })
      .orderBy('first_seen_at', 'desc')
      .first();
    return tagged ? toVersion(tagged) : undefined;
  }

  async hasSucceeded(
    entityRef: string,
    environment: string,
    sha: string,
  ): Promise<boolean> {
    const row = await this.succeededDeployments(entityRef, environment)
      .where('d.sha', sha.toLowerCase())
      .first('d.id');
    return row !== undefined;
  }

  async previousSuccessfulVersion(
    entityRef: string,
    environment: string,
  ): Promise<Version | undefined> {
    const { current } = (
      await this.getEnvironmentStates(entityRef, [environment])
    )[environment];
    const query = this.succeededDeployments(entityRef, environment);
    if (current) query.whereNot('d.sha', current.version.sha);
    const row = await query
      .orderBy([
        { column: 'd.created_at', order: 'desc' },
        { column: 'd.id', order: 'desc' },
      ])
      .first('d.sha', 'd.tag', 'd.message', 'd.version_url');
    return row ? toVersion(row) : undefined;
  }

  /**
   * Deployments that succeeded in the environment: latest status success, or
   * success followed by inactive. GitHub marks a deployment inactive when a
   * newer one replaces it, which does not undo that the version succeeded.
   */
  private succeededDeployments(entityRef: string, environment: string) {
    return this.db('deployments as d')
      .where({ 'd.entity_ref': entityRef, 'd.environment': environment })
      .where(inner =>
        inner
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
  }

  // --- diff cache ---------------------------------------------------------

  async getCachedDiff(
    entityRef: string,
    provider: string,
    fromSha: string,
    toSha: string,
  ): Promise<ProviderComparison | undefined> {
    const row = await this.db('diff_cache')
      .where({
        entity_ref: entityRef,
        provider,
        from_sha: fromSha.toLowerCase(),
        to_sha: toSha.toLowerCase(),
      })
      .first('diff');
    return row ? JSON.parse(row.diff) : undefined;
  }

  async putCachedDiff(
    entityRef: string,
    provider: string,
    fromSha: string,
    toSha: string,
    diff: ProviderComparison,
  ): Promise<void> {
    await this.db('diff_cache')
      .insert({
        entity_ref: entityRef,
        provider,
        from_sha: fromSha.toLowerCase(),
        to_sha: toSha.toLowerCase(),
        diff: JSON.stringify(diff),
        created_at: new Date(),
      })
      .onConflict(['entity_ref', 'provider', 'from_sha', 'to_sha'])
      .merge(['diff', 'created_at']);
  }

  // --- portal actions -----------------------------------------------------

  async createRequest(request: NewPromotionRequest): Promise<PromotionRequest> {
    const row: RequestRow = {
      id: randomUUID(),
      entity_ref: request.entityRef,
      action: request.action,
      environment: request.environment,
      sha: request.version.sha.toLowerCase(),
      tag: request.version.tag ?? null,
      message: request.version.message ?? null,
      version_url: request.version.url ?? null,
      state: request.state,
      requested_by: request.requestedBy,
      requested_at: new Date(),
      comment: request.comment ?? null,
      decided_by: null,
      decided_at: null,
      decision_comment: null,
      provider_reference: null,
      error: null,
      active_slot: activeSlot(request.entityRef, request.environment),
    };
    try {
      await this.db('promotion_requests').insert(row);
    } catch (error) {
      if (isDatabaseConflictError(error)) {
        throw await this.activeSlotConflict(
          request.entityRef,
          request.environment,
        );
      }
      throw error;
    }
    return toRequest(row);
  }

  private async activeSlotConflict(entityRef: string, environment: string) {
    const holder: RequestRow | undefined = await this.db('promotion_requests')
      .where('active_slot', activeSlot(entityRef, environment))
      .first();
    return new ConflictError(
      `A ${
        holder?.action ?? 'promotion'
      } request for ${entityRef} in '${environment}' is already ${
        holder?.state ?? 'in progress'
      }${holder ? ` (request ${holder.id})` : ''}`,
    );
  }

  async updateRequest(
    id: string,
    patch: Partial<
      Pick<
        PromotionRequest,
        | 'state'
        | 'decidedBy'
        | 'decidedAt'
        | 'decisionComment'
        | 'providerReference'
        | 'error'
      >
    >,
  ): Promise<PromotionRequest> {
    const existing: RequestRow | undefined = await this.db('promotion_requests')
      .where({ id })
      .first();
    if (!existing) {
      throw new NotFoundError(`No promotion request '${id}'`);
    }
    const changes: Partial<RequestRow> = {};
    if (patch.state !== undefined) {
      changes.state = patch.state;
      changes.active_slot = ACTIVE_REQUEST_STATES.includes(patch.state)
        ? activeSlot(existing.entity_ref, existing.environment)
        : null;
    }
    if (patch.decidedBy !== undefined) changes.decided_by = patch.decidedBy;
    if (patch.decidedAt !== undefined) {
      changes.decided_at = parseTime(patch.decidedAt, 'decidedAt');
    }
    if (patch.decisionComment !== undefined) {
      changes.decision_comment = patch.decisionComment;
    }
    if (patch.providerReference !== undefined) {
      changes.provider_reference = patch.providerReference;
    }
    if (patch.error !== undefined) {
      changes.error = patch.error.slice(0, MAX_ERROR_LENGTH);
    }
    if (Object.keys(changes).length > 0) {
      try {
        await this.db('promotion_requests').where({ id }).update(changes);
      } catch (error) {
        if (isDatabaseConflictError(error)) {
          throw await this.activeSlotConflict(
            existing.entity_ref,
            existing.environment,
          );
        }
        throw error;
      }
    }
    return toRequest({ ...existing, ...changes });
  }

  async getRequest(id: string): Promise<PromotionRequest | undefined> {
    const row: RequestRow | undefined = await this.db('promotion_requests')
      .where({ id })
      .first();
    return row && toRequest(row);
  }

  async listPendingRequests(entityRef?: string): Promise<PromotionRequest[]> {
    const query = this.db<RequestRow>('promotion_requests')
      .where('state', 'pending')
      .orderBy([
        { column: 'requested_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ]);
    if (entityRef !== undefined) query.where('entity_ref', entityRef);
    return (await query).map(toRequest);
  }

  async claimIdempotencyKey(
    scope: string,
    key: string,
    fingerprint: string,
  ): Promise<IdempotencyClaim> {
    const now = new Date();
    const claimed = await this.db('idempotency_keys')
      .insert({
        scope,
        key,
        fingerprint,
        status: 'in-progress',
        status_code: null,
        response: null,
        created_at: now,
        updated_at: now,
      })
      .onConflict(['scope', 'key'])
      .ignore()
      .returning(['key']);
    if (claimed.length > 0) return { status: 'new' };

    const row = await this.db('idempotency_keys').where({ scope, key }).first();
    if (!row) {
      // Released between our insert and read: try once more.
      return this.claimIdempotencyKey(scope, key, fingerprint);
    }
    if (row.fingerprint !== fingerprint) return { status: 'mismatch' };
    if (row.status === 'completed') {
      return {
        status: 'replay',
        statusCode: Number(row.status_code),
        response: row.response === null ? null : JSON.parse(row.response),
      };
    }
    // A claim left in progress for long belongs to a request that died
    // half-way; let the retry take it over rather than block it forever.
    const takenOver = await this.db('idempotency_keys')
      .where({ scope, key, status: 'in-progress' })
      .where('updated_at', '<', new Date(now.getTime() - ABANDONED_CLAIM_MS))
      .update({ updated_at: now });
    return takenOver > 0 ? { status: 'new' } : { status: 'in-progress' };
  }

  async completeIdempotencyKey(
    scope: string,
    key: string,
    statusCode: number,
    response: unknown,
  ): Promise<void> {
    await this.db('idempotency_keys')
      .where({ scope, key })
      .update({
        status: 'completed',
        status_code: statusCode,
        response: JSON.stringify(response ?? null),
        updated_at: new Date(),
      });
  }

  async releaseIdempotencyKey(scope: string, key: string): Promise<void> {
    await this.db('idempotency_keys')
      .where({ scope, key, status: 'in-progress' })
      .delete();
  }

  // --- audit --------------------------------------------------------------

  async appendAudit(
    entry: Omit<AuditEntry, 'id' | 'at'> & { at?: string },
  ): Promise<AuditEntry> {
    const row: Omit<AuditRow, 'id'> = {
      at: entry.at ? parseTime(entry.at, 'at') : new Date(),
      entity_ref: entry.entityRef,
      action: entry.action,
      outcome: entry.outcome,
      actor: entry.actor,
      provider_identity: entry.providerIdentity ?? null,
      environment: entry.environment,
      sha: entry.version?.sha.toLowerCase() ?? null,
      tag: entry.version?.tag ?? null,
      message: entry.version?.message ?? null,
      version_url: entry.version?.url ?? null,
      comment: entry.comment ?? null,
      request_id: entry.requestId ?? null,
      detail: entry.detail?.slice(0, MAX_ERROR_LENGTH) ?? null,
    };
    const [inserted] = await this.db('audit_log').insert(row).returning(['id']);
    return toAuditEntry({ ...row, id: Number(inserted.id) });
  }

  async listAudit(
    entityRef: string,
    filters: AuditFilters,
    page: { limit: number; cursor?: string },
  ): Promise<{ entries: AuditEntry[]; nextCursor?: string }> {
    const limit = validLimit(page.limit);
    const query = this.db<AuditRow>('audit_log').where('entity_ref', entityRef);
    if (filters.environment?.length) {
      query.whereIn('environment', filters.environment);
    }
    if (filters.action?.length) query.whereIn('action', filters.action);
    if (filters.outcome?.length) query.whereIn('outcome', filters.outcome);
    if (filters.actor) query.where('actor', filters.actor);
    if (filters.since) {
      query.where('at', '>=', parseTime(filters.since, 'since'));
    }
    if (filters.until) {
      query.where('at', '<=', parseTime(filters.until, 'until'));
    }
    if (page.cursor) {
      const after = auditCursor.decode(page.cursor);
      const at = new Date(after.at);
      query.where(inner =>
        inner
          .where('at', '<', at)
          .orWhere(tie => tie.where('at', '=', at).where('id', '<', after.id)),
      );
    }
    const rows: AuditRow[] = await query
      .orderBy([
        { column: 'at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit + 1);
    const entries = rows.slice(0, limit);
    const last = entries[entries.length - 1];
    return compact({
      entries: entries.map(toAuditEntry),
      nextCursor:
        rows.length > limit && last
          ? auditCursor.encode({ at: toMillis(last.at)!, id: Number(last.id) })
          : undefined,
    });
  }

  // --- helpers ------------------------------------------------------------

  private async loadStatuses(
    deploymentIds: number[],
  ): Promise<Map<number, DeploymentStatusEntry[]>> {
    const byDeployment = new Map<number, DeploymentStatusEntry[]>();
    const ids = [...new Set(deploymentIds)];
    if (ids.length === 0) return byDeployment;
    const rows: StatusRow[] = await this.db('deployment_statuses').whereIn(
      'deployment_id',
      ids,
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
}

// --- merging provider reports -----------------------------------------------

/** Statuses in time order; equal times in the order of the state lifecycle. */
function compareStatuses(
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

function isNewerStatus(
  candidate: { state: string; at: number },
  than: { state: string; at: number | null },
): boolean {
  if (than.at === null) return true;
  return compareStatuses(candidate, { state: than.state, at: than.at }) > 0;
}

function validateReport(report: ProviderDeployment, provider: string) {
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
  if (!/^[0-9a-f]{4,64}$/i.test(report.version.sha)) {
    throw new InputError(
      `Provider '${provider}' reported invalid commit SHA '${report.version.sha}' for deployment '${report.providerDeploymentId}'`,
    );
  }
}

/** One report per deployment: two reports of the same one in a call are merged. */
function mergeDuplicateReports(
  reports: ProviderDeployment[],
  provider: string,
): ProviderDeployment[] {
  const byKey = new Map<string, ProviderDeployment>();
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

function latestStatus(statuses: DeploymentStatusEntry[]) {
  let latest: { state: string; at: number } | undefined;
  for (const status of statuses) {
    const candidate = { state: status.state, at: toMillis(status.at)! };
    if (!latest || isNewerStatus(candidate, latest)) latest = candidate;
  }
  return latest;
}

function earliestFinal(statuses: DeploymentStatusEntry[]): number | null {
  let earliest: number | null = null;
  for (const status of statuses) {
    if (FINAL_DEPLOYMENT_STATES.includes(status.state)) {
      const at = toMillis(status.at)!;
      if (earliest === null || at < earliest) earliest = at;
    }
  }
  return earliest;
}

function recordFromReport(
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
function mergeReport(
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

/** The columns that differ, as a row patch; undefined when nothing does. */
function differences(
  current: DeploymentRecord,
  merged: DeploymentRecord,
): Record<string, unknown> | undefined {
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(merged) as Array<keyof DeploymentRecord>) {
    if (current[key] !== merged[key]) {
      patch[key] = toRowValue(key, merged[key]);
    }
  }
  return Object.keys(patch).length > 0 ? patch : undefined;
}

const TIME_COLUMNS = new Set([
  'state_at',
  'created_at',
  'updated_at',
  'finished_at',
]);

function toRowValue(key: string, value: unknown) {
  return TIME_COLUMNS.has(key) && typeof value === 'number'
    ? new Date(value)
    : value;
}

function toRow(record: DeploymentRecord): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).map(([key, value]) => [key, toRowValue(key, value)]),
  );
}

function recordOf(row: DeploymentRow): DeploymentRecord {
  const { id: _id, ...rest } = row;
  return {
    ...rest,
    traffic_percent:
      row.traffic_percent === null ? null : Number(row.traffic_percent),
    state_at: toMillis(row.state_at) ?? null,
    created_at: toMillis(row.created_at)!,
    updated_at: toMillis(row.updated_at)!,
    finished_at: toMillis(row.finished_at) ?? null,
  };
}

// --- row mapping --------------------------------------------------------------

function toDeployment(
  row: DeploymentRow,
  statuses: Map<number, DeploymentStatusEntry[]>,
): Deployment {
  return compact({
    id: `${row.provider}:${row.provider_deployment_id}`,
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
    logUrl: row.log_url ?? undefined,
    description: row.description ?? undefined,
    strategy: row.strategy
      ? compact({
          type: row.strategy as DeploymentStrategyType,
          trafficPercent:
            row.traffic_percent === null
              ? undefined
              : Number(row.traffic_percent),
        })
      : undefined,
  });
}

function toVersion(row: {
  sha: string;
  tag: string | null;
  message: string | null;
  version_url: string | null;
}): Version {
  return compact({
    sha: row.sha,
    tag: row.tag ?? undefined,
    message: row.message ?? undefined,
    url: row.version_url ?? undefined,
  });
}

function toGate(row: GateRow): StoredGate {
  return compact({
    id: `${row.provider}:${row.provider_gate_id}`,
    kind: 'provider' as const,
    provider: row.provider,
    entityRef: row.entity_ref,
    environment: row.environment,
    version: toVersion(row),
    reviewers: JSON.parse(row.reviewers),
    since: toIso(row.since),
    waitTimerMinutes: row.wait_timer_minutes ?? undefined,
    requestedBy: row.requested_by ?? undefined,
    url: row.url ?? undefined,
    details: row.details ? JSON.parse(row.details) : undefined,
  });
}

function toRequest(row: RequestRow): PromotionRequest {
  return compact({
    id: row.id,
    entityRef: row.entity_ref,
    action: row.action as PromotionRequest['action'],
    environment: row.environment,
    version: toVersion(row),
    state: row.state as PromotionRequestState,
    requestedBy: row.requested_by,
    requestedAt: toIso(row.requested_at),
    comment: row.comment ?? undefined,
    decidedBy: row.decided_by ?? undefined,
    decidedAt: isoOrUndefined(row.decided_at),
    decisionComment: row.decision_comment ?? undefined,
    providerReference: row.provider_reference ?? undefined,
    error: row.error ?? undefined,
  });
}

function toAuditEntry(row: AuditRow): AuditEntry {
  return compact({
    id: String(row.id),
    at: toIso(row.at),
    entityRef: row.entity_ref,
    action: row.action as AuditEntry['action'],
    outcome: row.outcome as AuditEntry['outcome'],
    actor: row.actor,
    providerIdentity: row.provider_identity ?? undefined,
    environment: row.environment,
    version: row.sha
      ? toVersion({
          sha: row.sha,
          tag: row.tag,
          message: row.message,
          version_url: row.version_url,
        })
      : undefined,
    comment: row.comment ?? undefined,
    requestId: row.request_id ?? undefined,
    detail: row.detail ?? undefined,
  });
}

function activeSlot(entityRef: string, environment: string) {
  return `${entityRef}|${environment}`;
}

// --- small values ----------------------------------------------------------------

/** SQLite returns epoch milliseconds, PostgreSQL Dates; both become milliseconds. */
function toMillis(value: DbTime | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  const asNumber = Number(value);
  return Number.isFinite(asNumber) ? asNumber : Date.parse(value);
}

function toIso(value: DbTime): string {
  return new Date(toMillis(value)!).toISOString();
}

function isoOrUndefined(value: DbTime | null | undefined): string | undefined {
  const millis = toMillis(value);
  return millis === undefined ? undefined : new Date(millis).toISOString();
}

/**
 * Four-digit years only: JavaScript reads dates far outside what PostgreSQL
 * stores (year -10000 is valid to `Date.parse`, out of range for timestamptz).
 */
const EARLIEST_TIME = Date.parse('0001-01-01T00:00:00Z');
const LATEST_TIME = Date.parse('9999-12-31T23:59:59.999Z');

function parseTime(value: string, what: string): Date {
  const millis = Date.parse(value);
  if (Number.isNaN(millis)) {
    throw new InputError(`Invalid time '${value}' for ${what}`);
  }
  if (millis < EARLIEST_TIME || millis > LATEST_TIME) {
    throw new InputError(
      `Invalid time '${value}' for ${what}: expected a year from 1 to 9999`,
    );
  }
  return new Date(millis);
}

function validLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new InputError(
      `Invalid page size '${limit}', expected 1 to ${MAX_PAGE_SIZE}`,
    );
  }
  return limit;
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    chunks.push(items.slice(i, i + size));
  }
  return chunks;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as Partial<T>;
}

/** Drops undefined fields so responses carry no `"x": undefined` noise. */
function compact<T extends object>(value: T): T {
  return stripUndefined(value) as T;
}

/** Splits Stagecraft's `<provider>:<provider's own id>` (the provider's id may contain colons). */
function splitProviderId(
  id: string,
): { provider: string; providerId: string } | undefined {
  const separator = id.indexOf(':');
  if (separator <= 0) return undefined;
  return {
    provider: id.slice(0, separator),
    providerId: id.slice(separator + 1),
  };
}
