import type {
  AuditEntry,
  AuditOutcome,
  Deployment,
  DeploymentActionType,
  PendingGate,
  PromotionRequest,
  PromotionRequestState,
  SyncStatus,
  TimelineRow,
  Version,
} from '@stagecraft/plugin-deployments-common';
import type {
  ProviderComparison,
  ProviderDeployment,
  ProviderGate,
} from '@stagecraft/plugin-deployments-node';

/** A provider gate as stored, with what the provider needs to act on it later. */
export type StoredGate = PendingGate & { details?: Record<string, string> };

export interface EnvironmentState {
  /** Newest deployment whose latest status is success. */
  current?: Deployment;
  /** Newest deployment of any state. */
  latest?: Deployment;
}

export interface TimelinePageOptions {
  environments: string[];
  limit: number;
  cursor?: string;
  since?: string;
  until?: string;
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

  /** Inserts or updates deployments keyed by (provider, providerDeploymentId); merges status history without duplicates. */
  upsertDeployments(
    entityRef: string,
    provider: string,
    deployments: ProviderDeployment[],
  ): Promise<{ inserted: number; updated: number }>;

  /** Makes `gates` the complete set of open provider gates of the entity and provider. */
  replaceOpenGates(entityRef: string, provider: string, gates: ProviderGate[]): Promise<void>;

  /** Adds or refreshes some gates (a webhook saying a review was requested). */
  openGates(entityRef: string, provider: string, gates: ProviderGate[]): Promise<void>;

  /** Closes gates by provider gate id (a webhook saying a review was decided). */
  closeGates(entityRef: string, provider: string, providerGateIds: string[]): Promise<void>;

  /** Replaces the provider's target map (target key → entity refs), used to route webhooks. */
  setTargets(provider: string, targets: Array<{ entityRef: string; targetKey: string }>): Promise<void>;
  entitiesForTarget(provider: string, targetKey: string): Promise<string[]>;

  /** Records a webhook delivery; false when it was seen before (a duplicate to drop). */
  recordWebhookDelivery(provider: string, deliveryKey: string): Promise<boolean>;
  /** Forgets a delivery whose processing failed, so the provider's redelivery is processed. */
  forgetWebhookDelivery?(provider: string, deliveryKey: string): Promise<void>;

  // --- sync state ---------------------------------------------------------

  getSyncState(entityRef: string, provider: string): Promise<SyncCursorState | undefined>;
  recordSyncSuccess(options: { entityRef: string; provider: string; cursor?: string; at: Date }): Promise<void>;
  /** Keeps the cursor and the data; remembers the error and when. */
  recordSyncFailure(options: { entityRef: string; provider: string; error: string; at: Date }): Promise<void>;
  listSyncStatus(entityRef: string): Promise<SyncStatus[]>;

  // --- reads for pages ----------------------------------------------------

  getEnvironmentStates(entityRef: string, environments: string[]): Promise<Record<string, EnvironmentState>>;
  getDeployment(id: string): Promise<Deployment | undefined>;
  /** Open provider gates of one entity, or of all entities when `entityRef` is omitted. */
  listOpenGates(entityRef?: string): Promise<StoredGate[]>;
  getGate(id: string): Promise<StoredGate | undefined>;
  /** Versions as rows (newest first), environments as columns; cursor-paged. */
  getTimeline(entityRef: string, options: TimelinePageOptions): Promise<{ rows: TimelineRow[]; nextCursor?: string }>;
  /** Finds a version the entity has deployed, by full or abbreviated SHA (≥ 7) or by tag. */
  findVersion(entityRef: string, ref: string): Promise<Version | undefined>;
  /** Whether the commit has a deployment in the environment whose latest status is success. */
  hasSucceeded(entityRef: string, environment: string, sha: string): Promise<boolean>;
  /** The newest successful version in the environment that differs from the current one (the roll-back target). */
  previousSuccessfulVersion(entityRef: string, environment: string): Promise<Version | undefined>;

  // --- diff cache ---------------------------------------------------------

  getCachedDiff(entityRef: string, provider: string, fromSha: string, toSha: string): Promise<ProviderComparison | undefined>;
  putCachedDiff(entityRef: string, provider: string, fromSha: string, toSha: string, diff: ProviderComparison): Promise<void>;

  // --- portal actions -----------------------------------------------------

  /**
   * Creates a promotion request. Throws `ConflictError` when another request
   * for the same entity and environment is still pending or running.
   */
  createRequest(request: NewPromotionRequest): Promise<PromotionRequest>;
  /** Moves a request on; leaving pending/approved releases its entity+environment slot. */
  updateRequest(
    id: string,
    patch: Partial<Pick<PromotionRequest, 'state' | 'decidedBy' | 'decidedAt' | 'decisionComment' | 'providerReference' | 'error'>>,
  ): Promise<PromotionRequest>;
  getRequest(id: string): Promise<PromotionRequest | undefined>;
  /** Pending requests of one entity, or of all entities when omitted. */
  listPendingRequests(entityRef?: string): Promise<PromotionRequest[]>;

  /** Claims an idempotency key for (scope, key); `fingerprint` identifies the request body. */
  claimIdempotencyKey(scope: string, key: string, fingerprint: string): Promise<IdempotencyClaim>;
  completeIdempotencyKey(scope: string, key: string, statusCode: number, response: unknown): Promise<void>;
  /** Frees a key whose processing failed before anything was written, so a retry may run. */
  releaseIdempotencyKey(scope: string, key: string): Promise<void>;

  // --- audit (append-only) ------------------------------------------------

  appendAudit(entry: Omit<AuditEntry, 'id' | 'at'> & { at?: string }): Promise<AuditEntry>;
  listAudit(
    entityRef: string,
    filters: AuditFilters,
    page: { limit: number; cursor?: string },
  ): Promise<{ entries: AuditEntry[]; nextCursor?: string }>;
}

export type { AuditOutcome };
