import {
  DatabaseService,
  LoggerService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import type {
  AuditEntry,
  Deployment,
  PromotionRequest,
  SyncStatus,
  TimelineRow,
  Version,
} from '@stagecraft/plugin-deployments-common';
import type {
  ProviderComparison,
  ProviderDeployment,
  ProviderGate,
} from '@stagecraft/plugin-deployments-node';
import { Knex } from 'knex';
import { KnexAuditLog } from './audit/KnexAuditLog';
import type {
  AuditFilters,
  DeploymentStore,
  EnvironmentState,
  IdempotencyClaim,
  NewPromotionRequest,
  StoredGate,
  SyncCursorState,
  TimelinePageOptions,
} from './DeploymentStore';
import { KnexDeploymentLedger } from './deployments/KnexDeploymentLedger';
import { KnexDeploymentQueries } from './deployments/KnexDeploymentQueries';
import { KnexDiffCache } from './diffCache/KnexDiffCache';
import { KnexGateStore } from './gates/KnexGateStore';
import { KnexIdempotencyKeys } from './requests/KnexIdempotencyKeys';
import {
  KnexPromotionRequests,
  RequestPatch,
} from './requests/KnexPromotionRequests';
import { KnexSyncStateStore } from './targets/KnexSyncStateStore';
import { KnexTargetStore } from './targets/KnexTargetStore';
import { KnexTimeline } from './timeline/KnexTimeline';
import { KnexWebhookDeliveries } from './webhooks/KnexWebhookDeliveries';

/**
 * The deployment ledger on Knex (SQLite through better-sqlite3, and
 * PostgreSQL): a facade over one small store per concept, each in its own
 * folder beside its tests. It runs the migrations and holds no logic.
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

  private readonly ledger: KnexDeploymentLedger;
  private readonly deployments: KnexDeploymentQueries;
  private readonly timeline: KnexTimeline;
  private readonly gates: KnexGateStore;
  private readonly targets: KnexTargetStore;
  private readonly syncState: KnexSyncStateStore;
  private readonly webhooks: KnexWebhookDeliveries;
  private readonly diffs: KnexDiffCache;
  private readonly requests: KnexPromotionRequests;
  private readonly idempotency: KnexIdempotencyKeys;
  private readonly audit: KnexAuditLog;

  private constructor(db: Knex) {
    this.ledger = new KnexDeploymentLedger(db);
    this.deployments = new KnexDeploymentQueries(db);
    this.timeline = new KnexTimeline(db);
    this.gates = new KnexGateStore(db);
    this.targets = new KnexTargetStore(db);
    this.syncState = new KnexSyncStateStore(db);
    this.webhooks = new KnexWebhookDeliveries(db);
    this.diffs = new KnexDiffCache(db);
    this.requests = new KnexPromotionRequests(db);
    this.idempotency = new KnexIdempotencyKeys(db);
    this.audit = new KnexAuditLog(db);
  }

  // --- ingest -------------------------------------------------------------

  upsertDeployments(
    entityRef: string,
    provider: string,
    deployments: ProviderDeployment[],
  ): Promise<{ inserted: number; updated: number }> {
    return this.ledger.upsertDeployments(entityRef, provider, deployments);
  }

  replaceOpenGates(entityRef: string, provider: string, gates: ProviderGate[]) {
    return this.gates.replaceOpenGates(entityRef, provider, gates);
  }

  openGates(entityRef: string, provider: string, gates: ProviderGate[]) {
    return this.gates.openGates(entityRef, provider, gates);
  }

  closeGates(entityRef: string, provider: string, providerGateIds: string[]) {
    return this.gates.closeGates(entityRef, provider, providerGateIds);
  }

  setTargets(
    provider: string,
    targets: Array<{ entityRef: string; targetKey: string }>,
  ) {
    return this.targets.setTargets(provider, targets);
  }

  entitiesForTarget(provider: string, targetKey: string): Promise<string[]> {
    return this.targets.entitiesForTarget(provider, targetKey);
  }

  recordWebhookDelivery(provider: string, deliveryKey: string) {
    return this.webhooks.recordWebhookDelivery(provider, deliveryKey);
  }

  forgetWebhookDelivery(provider: string, deliveryKey: string) {
    return this.webhooks.forgetWebhookDelivery(provider, deliveryKey);
  }

  // --- sync state ---------------------------------------------------------

  getSyncState(
    entityRef: string,
    provider: string,
  ): Promise<SyncCursorState | undefined> {
    return this.syncState.getSyncState(entityRef, provider);
  }

  recordSyncSuccess(options: {
    entityRef: string;
    provider: string;
    cursor?: string;
    at: Date;
  }) {
    return this.syncState.recordSyncSuccess(options);
  }

  recordSyncFailure(options: {
    entityRef: string;
    provider: string;
    error: string;
    at: Date;
  }) {
    return this.syncState.recordSyncFailure(options);
  }

  listSyncStatus(entityRef: string): Promise<SyncStatus[]> {
    return this.syncState.listSyncStatus(entityRef);
  }

  // --- reads for pages ----------------------------------------------------

  getEnvironmentStates(
    entityRef: string,
    environments: string[],
  ): Promise<Record<string, EnvironmentState>> {
    return this.deployments.getEnvironmentStates(entityRef, environments);
  }

  getDeployment(id: string): Promise<Deployment | undefined> {
    return this.deployments.getDeployment(id);
  }

  listOpenGates(entityRef?: string): Promise<StoredGate[]> {
    return this.gates.listOpenGates(entityRef);
  }

  getGate(id: string): Promise<StoredGate | undefined> {
    return this.gates.getGate(id);
  }

  getTimeline(
    entityRef: string,
    options: TimelinePageOptions,
  ): Promise<{ rows: TimelineRow[]; nextCursor?: string }> {
    return this.timeline.getTimeline(entityRef, options);
  }

  findVersion(entityRef: string, ref: string): Promise<Version | undefined> {
    return this.deployments.findVersion(entityRef, ref);
  }

  hasSucceeded(entityRef: string, environment: string, sha: string) {
    return this.deployments.hasSucceeded(entityRef, environment, sha);
  }

  previousSuccessfulVersion(entityRef: string, environment: string) {
    return this.deployments.previousSuccessfulVersion(entityRef, environment);
  }

  // --- diff cache ---------------------------------------------------------

  getCachedDiff(
    entityRef: string,
    provider: string,
    fromSha: string,
    toSha: string,
  ): Promise<ProviderComparison | undefined> {
    return this.diffs.getCachedDiff(entityRef, provider, fromSha, toSha);
  }

  putCachedDiff(
    entityRef: string,
    provider: string,
    fromSha: string,
    toSha: string,
    diff: ProviderComparison,
  ) {
    return this.diffs.putCachedDiff(entityRef, provider, fromSha, toSha, diff);
  }

  // --- portal actions -----------------------------------------------------

  createRequest(request: NewPromotionRequest): Promise<PromotionRequest> {
    return this.requests.createRequest(request);
  }

  updateRequest(id: string, patch: RequestPatch): Promise<PromotionRequest> {
    return this.requests.updateRequest(id, patch);
  }

  getRequest(id: string): Promise<PromotionRequest | undefined> {
    return this.requests.getRequest(id);
  }

  listPendingRequests(entityRef?: string): Promise<PromotionRequest[]> {
    return this.requests.listPendingRequests(entityRef);
  }

  claimIdempotencyKey(
    scope: string,
    key: string,
    fingerprint: string,
  ): Promise<IdempotencyClaim> {
    return this.idempotency.claimIdempotencyKey(scope, key, fingerprint);
  }

  completeIdempotencyKey(
    scope: string,
    key: string,
    statusCode: number,
    response: unknown,
  ) {
    return this.idempotency.completeIdempotencyKey(
      scope,
      key,
      statusCode,
      response,
    );
  }

  releaseIdempotencyKey(scope: string, key: string) {
    return this.idempotency.releaseIdempotencyKey(scope, key);
  }

  // --- audit --------------------------------------------------------------

  appendAudit(
    entry: Omit<AuditEntry, 'id' | 'at'> & { at?: string },
  ): Promise<AuditEntry> {
    return this.audit.appendAudit(entry);
  }

  listAudit(
    entityRef: string,
    filters: AuditFilters,
    page: { limit: number; cursor?: string },
  ): Promise<{ entries: AuditEntry[]; nextCursor?: string }> {
    return this.audit.listAudit(entityRef, filters, page);
  }
}
