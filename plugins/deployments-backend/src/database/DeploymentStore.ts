import type {
  AuditEntry,
  AuditOutcome,
  Deployment,
  DeploymentActionType,
  PendingGate,
  PromotionRequest,
  PromotionRequestState,
  ReleaseEvidence,
  RollbackInfo,
  SyncStatus,
  TimelineOutcome,
  TimelineRow,
  Version,
} from '@stagecraft/plugin-deployments-common';
import type {
  DeploymentLink,
  EnvironmentTraffic,
  GateReviewer,
} from '@stagecraft/plugin-deployments-common';
import type {
  ProviderComparison,
  ProviderDeployment,
  ProviderDeploymentWindow,
  ProviderGate,
  ProviderTarget,
} from '@stagecraft/plugin-deployments-node';
import type { NewReleaseEvidence } from './evidence/KnexReleaseEvidence';
import type { EnvironmentPage } from './environments/KnexEnvironmentPage';

/** A provider gate as stored, with what the provider needs to act on it later. */
export type StoredGate = PendingGate & {
  details?: Record<string, string>;
  /** The provider target that reported the gate. */
  targetKey?: string;
};

/**
 * A deployment as the core hands it to the store: environment names already
 * mapped to the entity's, and a version whose `sha` is always set (the commit,
 * or `artifact:<kind>:<id>` with `commitUnknown` when the commit is unknown).
 */
export type LedgerDeployment = Omit<ProviderDeployment, 'version'> & {
  version: Version;
};

/** A provider gate with the environment mapped and the version normalised like {@link LedgerDeployment}. */
export type LedgerGate = Omit<ProviderGate, 'version'> & { version: Version };

/** A target of an entity as stored by sync, so webhooks on any replica can route and map events. */
export interface StoredTarget {
  entityRef: string;
  provider: string;
  target: ProviderTarget;
}

/** An environment's protection as its provider configures it, stored by sync. */
export interface EnvironmentProtection {
  provider: string;
  targetKey: string;
  /** The entity's environment name. */
  environment: string;
  requiredReviewers: GateReviewer[];
  waitTimerMinutes?: number;
  url?: string;
}

/** A deployment window a provider's own schedule defines for an environment, stored by sync. */
export interface ProviderWindow extends ProviderDeploymentWindow {
  provider: string;
  targetKey: string;
  /** The entity's environment name. */
  environment: string;
}

/** A second provider's report of a rollout that the environment's owner deployed. */
export interface NewDeploymentLink extends DeploymentLink {
  environment: string;
  sha: string;
  /** The version as the linking provider names it (its tag, message, link): recorded for the commit. */
  version?: Version;
  /** When the linking provider saw the rollout. */
  seenAt?: string;
}

/** How old rows must be for the retention task to prune them. */
export interface RetentionCutoffs {
  webhookDeliveries?: Date;
  idempotencyKeys?: Date;
  diffCache?: Date;
  /** Dedupe keys of the notifications sent. */
  sentNotifications?: Date;
  /** Only when configured: finished deployments created before this, never the current one of an environment. */
  deployments?: Date;
  /** Only when configured. */
  auditLog?: Date;
}

export type RetentionCounts = Record<keyof RetentionCutoffs, number>;

export interface EnvironmentState {
  /** Newest deployment whose latest status is success. */
  current?: Deployment;
  /** Newest deployment of any state. */
  latest?: Deployment;
  /**
   * The attempt just before `current`, when it was rolled back to the
   * version `current` runs: what runs now came back through that rollback
   * (a roll back asked for in the portal redeploys the old version).
   */
  rolledBackBeforeCurrent?: Deployment;
}

export interface TimelinePageOptions {
  environments: string[];
  limit: number;
  cursor?: string;
  since?: string;
  until?: string;
  /** Only versions with a deployment of one of these outcomes in the environments. */
  outcome?: TimelineOutcome[];
}

export interface AuditFilters {
  environment?: string[];
  action?: string[];
  outcome?: string[];
  actor?: string;
  since?: string;
  until?: string;
}

export interface SyncCursorState {
  targetKey: string;
  cursor?: string;
  lastSuccessAt?: string;
  lastAttemptAt?: string;
  lastError?: string;
  lastErrorAt?: string;
}

export interface NewPromotionRequest {
  entityRef: string;
  action: DeploymentActionType;
  environment: string;
  version: Version;
  requestedBy: string;
  comment?: string;
  /** `pending` when it waits for an approval, `approved` when it runs at once. */
  state: Extract<PromotionRequestState, 'pending' | 'approved'>;
}

export type IdempotencyClaim =
  | { status: 'new' }
  /** The same key with the same request was completed before: answer with its response. */
  | { status: 'replay'; statusCode: number; response: unknown }
  /** The same key is being processed right now. */
  | { status: 'in-progress' }
  /** The same key was used for a different request. */
  | { status: 'mismatch' };

/**
 * The deployment ledger. The only place SQL lives. All writes are idempotent
 * where the data comes from providers (replays change nothing), and nothing a
 * user did in the portal (requests, audit) is ever deleted by a sync.
 */
export interface DeploymentStore {
  // --- ingest (sync and webhooks) ---------------------------------------

  /**
   * Inserts or updates deployments keyed by (entity, provider,
   * providerDeploymentId); merges status history without duplicates. Two
   * entities that share a repository each keep their own rows.
   */
  upsertDeployments(
    entityRef: string,
    provider: string,
    deployments: LedgerDeployment[],
  ): Promise<{ inserted: number; updated: number }>;

  /** Records where a non-owning provider reported a rollout; idempotent by (entity, provider, providerDeploymentId). */
  addDeploymentLinks(
    entityRef: string,
    links: NewDeploymentLink[],
  ): Promise<void>;

  /** Makes `gates` the complete set of open gates of one target of the entity. */
  replaceOpenGates(
    entityRef: string,
    provider: string,
    targetKey: string,
    gates: LedgerGate[],
  ): Promise<void>;

  /** Adds or refreshes some gates (a webhook saying a review was requested). */
  openGates(
    entityRef: string,
    provider: string,
    targetKey: string,
    gates: LedgerGate[],
  ): Promise<void>;

  /** Closes gates by provider gate id (a webhook saying a review was decided). */
  closeGates(
    entityRef: string,
    provider: string,
    providerGateIds: string[],
  ): Promise<void>;

  /**
   * Replaces every stored target of the provider (after a full catalog read).
   * Replacing targets also forgets the sync state and environment protection
   * of targets that are gone; refuses (InputError, writes nothing) a target
   * without a key, with an empty routing key, or of another provider.
   */
  setTargets(provider: string, targets: StoredTarget[]): Promise<void>;
  /** Replaces the stored targets of one entity and provider (after a sync of that entity); an empty list removes them. */
  setEntityTargets(
    entityRef: string,
    provider: string,
    targets: ProviderTarget[],
  ): Promise<void>;
  /** The targets whose routing keys include `routingKey`, with their entities. */
  targetsForRoutingKey(
    provider: string,
    routingKey: string,
  ): Promise<StoredTarget[]>;
  /** Every stored target of the entity, of every provider. */
  targetsOfEntity(entityRef: string): Promise<StoredTarget[]>;

  /** Makes `environments` the complete protection of one target's environments. */
  replaceEnvironmentProtection(
    entityRef: string,
    provider: string,
    targetKey: string,
    environments: Omit<EnvironmentProtection, 'provider' | 'targetKey'>[],
  ): Promise<void>;
  listEnvironmentProtection(
    entityRef: string,
  ): Promise<EnvironmentProtection[]>;
  /** Makes `windows` the complete deployment windows of one target's environments. */
  replaceProviderWindows(
    entityRef: string,
    provider: string,
    targetKey: string,
    windows: Omit<ProviderWindow, 'provider' | 'targetKey'>[],
  ): Promise<void>;
  /** The entity's provider-defined deployment windows, of the targets stored now. */
  listProviderWindows(entityRef: string): Promise<ProviderWindow[]>;

  /** Stores the traffic of the environments listed (others keep theirs). */
  putTraffic(
    entityRef: string,
    traffic: Array<EnvironmentTraffic & { environment: string }>,
  ): Promise<void>;
  /** Traffic by environment name. */
  getTraffic(entityRef: string): Promise<Record<string, EnvironmentTraffic>>;

  /** Records a webhook delivery; false when it was seen before (a duplicate to drop). */
  recordWebhookDelivery(
    provider: string,
    deliveryKey: string,
  ): Promise<boolean>;
  /** Forgets a delivery whose processing failed, so the provider's redelivery is processed. */
  forgetWebhookDelivery?(provider: string, deliveryKey: string): Promise<void>;

  // --- sync state (per entity, provider and target) -------------------------

  getSyncState(
    entityRef: string,
    provider: string,
    targetKey: string,
  ): Promise<SyncCursorState | undefined>;
  recordSyncSuccess(options: {
    entityRef: string;
    provider: string;
    targetKey: string;
    cursor?: string;
    at: Date;
  }): Promise<void>;
  /** Keeps the cursor and the data; remembers the error and when. */
  recordSyncFailure(options: {
    entityRef: string;
    provider: string;
    targetKey: string;
    error: string;
    at: Date;
  }): Promise<void>;
  /** One status per provider target of the entity, with `target` set. */
  listSyncStatus(entityRef: string): Promise<SyncStatus[]>;

  // --- retention ------------------------------------------------------------

  /**
   * Deletes rows older than the cutoffs given, in batches; what is not given
   * is kept. Idempotency keys go by their last update, an in-progress one
   * only once it also counts as abandoned; deployments only when finished and
   * neither the current nor the latest of their environment.
   */
  prune(cutoffs: RetentionCutoffs): Promise<RetentionCounts>;

  // --- reads for pages ----------------------------------------------------

  getEnvironmentStates(
    entityRef: string,
    environments: string[],
  ): Promise<Record<string, EnvironmentState>>;
  /**
   * What the environments page shows of an entity, in two round trips: the
   * states of `environments` (as `getEnvironmentStates`), the change
   * source's cached diffs between neighbouring lanes, open gates, pending
   * requests, sync status, protection, traffic and provider windows.
   */
  getEnvironmentPage(
    entityRef: string,
    environments: string[],
    options?: { changeSource?: string },
  ): Promise<EnvironmentPage>;
  /**
   * Records, on the deployment running in the environment now, that a roll
   * back asked for in the portal is replacing it with `restoredVersion`.
   * A deployment that already says how it was rolled back keeps that; a
   * replay changes nothing. Returns whether a deployment was marked.
   */
  markRolledBack(
    entityRef: string,
    environment: string,
    rollback: RollbackInfo & { restoredVersion: Version },
  ): Promise<boolean>;
  /**
   * Records on a deployment whose rollout the portal stopped, with a roll
   * back, who stopped it and why; the provider's report of the roll back
   * adds its facts later. A deployment that already names who rolled it back
   * keeps that. Returns whether it was marked.
   */
  markStoppedBy(
    entityRef: string,
    deploymentId: string,
    stop: { by: string; reason?: string },
  ): Promise<boolean>;
  /** A deployment of the entity by Stagecraft id (`<provider>:<provider deployment id>`). */
  getDeployment(entityRef: string, id: string): Promise<Deployment | undefined>;
  /** Open provider gates of one entity, or of all entities when `entityRef` is omitted. */
  listOpenGates(entityRef?: string): Promise<StoredGate[]>;
  getGate(entityRef: string, id: string): Promise<StoredGate | undefined>;
  /** Versions as rows (newest first), environments as columns; cursor-paged. */
  getTimeline(
    entityRef: string,
    options: TimelinePageOptions,
  ): Promise<{ rows: TimelineRow[]; nextCursor?: string }>;
  /** Finds a version the entity has deployed, by full or abbreviated SHA (≥ 7) or by tag. */
  findVersion(entityRef: string, ref: string): Promise<Version | undefined>;
  /** Whether the commit has a deployment in the environment whose latest status is success. */
  hasSucceeded(
    entityRef: string,
    environment: string,
    sha: string,
  ): Promise<boolean>;
  /** The newest successful version in the environment that differs from the current one (the roll-back target). */
  previousSuccessfulVersion(
    entityRef: string,
    environment: string,
  ): Promise<Version | undefined>;

  // --- diff cache ---------------------------------------------------------

  getCachedDiff(
    entityRef: string,
    provider: string,
    fromSha: string,
    toSha: string,
  ): Promise<ProviderComparison | undefined>;
  putCachedDiff(
    entityRef: string,
    provider: string,
    fromSha: string,
    toSha: string,
    diff: ProviderComparison,
  ): Promise<void>;

  // --- portal actions -----------------------------------------------------

  /**
   * Creates a promotion request. Throws `ConflictError` when another request
   * for the same entity and environment is still pending or running.
   */
  createRequest(request: NewPromotionRequest): Promise<PromotionRequest>;
  /** Moves a request on; leaving pending/approved releases its entity+environment slot. */
  updateRequest(
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
  ): Promise<PromotionRequest>;
  getRequest(id: string): Promise<PromotionRequest | undefined>;
  /** Pending requests of one entity, or of all entities when omitted. */
  listPendingRequests(entityRef?: string): Promise<PromotionRequest[]>;

  /** Claims an idempotency key for (scope, key); `fingerprint` identifies the request body. */
  claimIdempotencyKey(
    scope: string,
    key: string,
    fingerprint: string,
  ): Promise<IdempotencyClaim>;
  completeIdempotencyKey(
    scope: string,
    key: string,
    statusCode: number,
    response: unknown,
  ): Promise<void>;
  /** Frees a key whose processing failed before anything was written, so a retry may run. */
  releaseIdempotencyKey(scope: string, key: string): Promise<void>;

  // --- audit (append-only) ------------------------------------------------

  appendAudit(
    entry: Omit<AuditEntry, 'id' | 'at'> & { at?: string },
  ): Promise<AuditEntry>;
  /** Entries newest first; each with `evidenceId` where it recorded release evidence. */
  listAudit(
    entityRef: string,
    filters: AuditFilters,
    page: { limit: number; cursor?: string },
  ): Promise<{ entries: AuditEntry[]; nextCursor?: string }>;

  // --- release evidence (append-only) -------------------------------------

  /** Records an audit entry's evidence; a second record for the same actor and Idempotency-Key returns the first. */
  recordReleaseEvidence(evidence: NewReleaseEvidence): Promise<ReleaseEvidence>;
  /** The evidence of one audit entry of the entity (InputError for an id that is no audit id). */
  getReleaseEvidence(
    entityRef: string,
    auditId: string,
  ): Promise<ReleaseEvidence | undefined>;
}

export type { NewReleaseEvidence };

export type { AuditOutcome };
