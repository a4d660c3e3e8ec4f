import {
  DatabaseService,
  LoggerService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import type {
  AuditEntry,
  Deployment,
  EnvironmentTraffic,
  PromotionRequest,
  ReleaseEvidence,
  RollbackInfo,
  SyncStatus,
  TimelineRow,
  Version,
} from '@stagecraft/plugin-deployments-common';
import type {
  ProviderComparison,
  ProviderTarget,
} from '@stagecraft/plugin-deployments-node';
import { Knex } from 'knex';
import { KnexAuditLog } from './audit/KnexAuditLog';
import type {
  AuditFilters,
  DeploymentStore,
  EnvironmentProtection,
  ProviderWindow,
  EnvironmentState,
  IdempotencyClaim,
  LedgerDeployment,
  LedgerGate,
  NewDeploymentLink,
  NewPromotionRequest,
  RetentionCounts,
  RetentionCutoffs,
  StoredGate,
  StoredTarget,
  SyncCursorState,
  TimelinePageOptions,
} from './DeploymentStore';
import {
  KnexReleaseEvidence,
  NewReleaseEvidence,
} from './evidence/KnexReleaseEvidence';
import { KnexDeploymentLinks } from './deployments/KnexDeploymentLinks';
import {
  EnvironmentPage,
  KnexEnvironmentPage,
} from './environments/KnexEnvironmentPage';
import { KnexEnvironmentProtection } from './environments/KnexEnvironmentProtection';
import { KnexProviderWindows } from './environments/KnexProviderWindows';
import { KnexEnvironmentTraffic } from './environments/KnexEnvironmentTraffic';
import { KnexRetention } from './retention/KnexRetention';
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
  private readonly links: KnexDeploymentLinks;
  private readonly protection: KnexEnvironmentProtection;
  private readonly providerWindows: KnexProviderWindows;
  private readonly traffic: KnexEnvironmentTraffic;
  private readonly retention: KnexRetention;
  private readonly deployments: KnexDeploymentQueries;
  private readonly environmentPage: KnexEnvironmentPage;
  private readonly timeline: KnexTimeline;
  private readonly gates: KnexGateStore;
  private readonly targets: KnexTargetStore;
  private readonly syncState: KnexSyncStateStore;
  private readonly webhooks: KnexWebhookDeliveries;
  private readonly diffs: KnexDiffCache;
  private readonly requests: KnexPromotionRequests;
  private readonly idempotency: KnexIdempotencyKeys;
  private readonly audit: KnexAuditLog;
  private readonly evidence: KnexReleaseEvidence;

  private constructor(db: Knex) {
    this.ledger = new KnexDeploymentLedger(db);
    this.links = new KnexDeploymentLinks(db);
    this.protection = new KnexEnvironmentProtection(db);
    this.providerWindows = new KnexProviderWindows(db);
    this.traffic = new KnexEnvironmentTraffic(db);
    this.retention = new KnexRetention(db);
    this.deployments = new KnexDeploymentQueries(db);
    this.environmentPage = new KnexEnvironmentPage(db);
    this.timeline = new KnexTimeline(db);
    this.gates = new KnexGateStore(db);
    this.targets = new KnexTargetStore(db);
    this.syncState = new KnexSyncStateStore(db);
    this.webhooks = new KnexWebhookDeliveries(db);
    this.diffs = new KnexDiffCache(db);
    this.requests = new KnexPromotionRequests(db);
    this.idempotency = new KnexIdempotencyKeys(db);
    this.audit = new KnexAuditLog(db);
    this.evidence = new KnexReleaseEvidence(db);
  }

  // --- ingest -------------------------------------------------------------

  upsertDeployments(
    entityRef: string,
    provider: string,
    deployments: LedgerDeployment[],
  ): Promise<{ inserted: number; updated: number }> {
    return this.ledger.upsertDeployments(entityRef, provider, deployments);
  }

  addDeploymentLinks(entityRef: string, links: NewDeploymentLink[]) {
    return this.links.addDeploymentLinks(entityRef, links);
  }

  replaceOpenGates(
    entityRef: string,
    provider: string,
    targetKey: string,
    gates: LedgerGate[],
  ) {
    return this.gates.replaceOpenGates(entityRef, provider, targetKey, gates);
  }

  openGates(
    entityRef: string,
    provider: string,
    targetKey: string,
    gates: LedgerGate[],
  ) {
    return this.gates.openGates(entityRef, provider, targetKey, gates);
  }

  closeGates(entityRef: string, provider: string, providerGateIds: string[]) {
    return this.gates.closeGates(entityRef, provider, providerGateIds);
  }

  setTargets(provider: string, targets: StoredTarget[]) {
    return this.targets.setTargets(provider, targets);
  }

  setEntityTargets(
    entityRef: string,
    provider: string,
    targets: ProviderTarget[],
  ) {
    return this.targets.setEntityTargets(entityRef, provider, targets);
  }

  targetsForRoutingKey(
    provider: string,
    routingKey: string,
  ): Promise<StoredTarget[]> {
    return this.targets.targetsForRoutingKey(provider, routingKey);
  }

  targetsOfEntity(entityRef: string): Promise<StoredTarget[]> {
    return this.targets.targetsOfEntity(entityRef);
  }

  replaceEnvironmentProtection(
    entityRef: string,
    provider: string,
    targetKey: string,
    environments: Omit<EnvironmentProtection, 'provider' | 'targetKey'>[],
  ) {
    return this.protection.replaceEnvironmentProtection(
      entityRef,
      provider,
      targetKey,
      environments,
    );
  }

  listEnvironmentProtection(
    entityRef: string,
  ): Promise<EnvironmentProtection[]> {
    return this.protection.listEnvironmentProtection(entityRef);
  }

  replaceProviderWindows(
    entityRef: string,
    provider: string,
    targetKey: string,
    windows: Omit<ProviderWindow, 'provider' | 'targetKey'>[],
  ) {
    return this.providerWindows.replaceProviderWindows(
      entityRef,
      provider,
      targetKey,
      windows,
    );
  }

  listProviderWindows(entityRef: string): Promise<ProviderWindow[]> {
    return this.providerWindows.listProviderWindows(entityRef);
  }

  putTraffic(
    entityRef: string,
    traffic: Array<EnvironmentTraffic & { environment: string }>,
  ) {
    return this.traffic.putTraffic(entityRef, traffic);
  }

  getTraffic(entityRef: string): Promise<Record<string, EnvironmentTraffic>> {
    return this.traffic.getTraffic(entityRef);
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
    targetKey: string,
  ): Promise<SyncCursorState | undefined> {
    return this.syncState.getSyncState(entityRef, provider, targetKey);
  }

  recordSyncSuccess(options: {
    entityRef: string;
    provider: string;
    targetKey: string;
    cursor?: string;
    at: Date;
  }) {
    return this.syncState.recordSyncSuccess(options);
  }

  recordSyncFailure(options: {
    entityRef: string;
    provider: string;
    targetKey: string;
    error: string;
    at: Date;
  }) {
    return this.syncState.recordSyncFailure(options);
  }

  listSyncStatus(entityRef: string): Promise<SyncStatus[]> {
    return this.syncState.listSyncStatus(entityRef);
  }

  // --- retention ------------------------------------------------------------

  prune(cutoffs: RetentionCutoffs): Promise<RetentionCounts> {
    return this.retention.prune(cutoffs);
  }

  // --- reads for pages ----------------------------------------------------

  markStoppedBy(
    entityRef: string,
    deploymentId: string,
    stop: { by: string; reason?: string },
  ): Promise<boolean> {
    return this.deployments.markStoppedBy(entityRef, deploymentId, stop);
  }

  markRolledBack(
    entityRef: string,
    environment: string,
    rollback: RollbackInfo & { restoredVersion: Version },
  ): Promise<boolean> {
    return this.deployments.markRolledBack(entityRef, environment, rollback);
  }

  getEnvironmentStates(
    entityRef: string,
    environments: string[],
  ): Promise<Record<string, EnvironmentState>> {
    return this.deployments.getEnvironmentStates(entityRef, environments);
  }

  getEnvironmentPage(
    entityRef: string,
    environments: string[],
    options?: { changeSource?: string },
  ): Promise<EnvironmentPage> {
    return this.environmentPage.getEnvironmentPage(
      entityRef,
      environments,
      options,
    );
  }

  getDeployment(
    entityRef: string,
    id: string,
  ): Promise<Deployment | undefined> {
    return this.deployments.getDeployment(entityRef, id);
  }

  listOpenGates(entityRef?: string): Promise<StoredGate[]> {
    return this.gates.listOpenGates(entityRef);
  }

  getGate(entityRef: string, id: string): Promise<StoredGate | undefined> {
    return this.gates.getGate(entityRef, id);
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

  async listAudit(
    entityRef: string,
    filters: AuditFilters,
    page: { limit: number; cursor?: string },
  ): Promise<{ entries: AuditEntry[]; nextCursor?: string }> {
    const listed = await this.audit.listAudit(entityRef, filters, page);
    return {
      ...listed,
      entries: await this.evidence.withEvidenceIds(listed.entries),
    };
  }

  // --- release evidence ---------------------------------------------------

  recordReleaseEvidence(
    evidence: NewReleaseEvidence,
  ): Promise<ReleaseEvidence> {
    return this.evidence.recordReleaseEvidence(evidence);
  }

  getReleaseEvidence(
    entityRef: string,
    auditId: string,
  ): Promise<ReleaseEvidence | undefined> {
    return this.evidence.getReleaseEvidence(entityRef, auditId);
  }
}
