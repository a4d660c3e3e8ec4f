import type { Entity } from '@backstage/catalog-model';
import type {
  ChangeDiff,
  DeploymentStatusEntry,
  DeploymentStrategy,
  GateReviewer,
  PendingGate,
  Version,
} from '@stagecraft/plugin-deployments-common';

/**
 * Where one entity's deployments live for one provider: for GitHub the
 * repository slug `owner/repo`, for AWS a pipeline or stack. The key is what
 * webhooks name, so the core can find the entities an event is about.
 */
export interface ProviderTarget {
  key: string;
  /** Provider-specific settings read from the entity's annotations. */
  details?: Record<string, string>;
}

/** A deployment as a provider reports it. Upserted by `(provider, providerDeploymentId)`. */
export interface ProviderDeployment {
  providerDeploymentId: string;
  environment: string;
  version: Version;
  /** Full status history known to the provider, oldest first. */
  statuses: DeploymentStatusEntry[];
  createdAt: string;
  updatedAt: string;
  triggeredBy?: string;
  url?: string;
  logUrl?: string;
  description?: string;
  strategy?: DeploymentStrategy;
}

/** A provider's own gate, e.g. a GitHub environment review or a CodePipeline approval. */
export interface ProviderGate {
  /** The provider's id of the gate (unique within the provider). */
  providerGateId: string;
  environment: string;
  version: Version;
  reviewers: GateReviewer[];
  since: string;
  waitTimerMinutes?: number;
  requestedBy?: string;
  url?: string;
  /** What the provider needs to act on the gate later (run id, approval token, …). Never a secret. */
  details?: Record<string, string>;
}

/** An environment's protection as the provider configures it. */
export interface ProviderEnvironment {
  name: string;
  requiredReviewers: GateReviewer[];
  waitTimerMinutes?: number;
  url?: string;
}

/** What one incremental sync of one target found. */
export interface ProviderSnapshot {
  /** New or changed deployments since the cursor (all of them without a cursor). */
  deployments: ProviderDeployment[];
  /** Every gate open right now; gates not listed are closed. */
  openGates: ProviderGate[];
  environments?: ProviderEnvironment[];
  /** Where the next sync continues; kept by the core per provider and entity. */
  cursor?: string;
}

/** The change between two versions, as computed by a provider. */
export type ProviderComparison = Omit<ChangeDiff, 'entityRef' | 'from' | 'to'>;

/** What a provider did when asked to act. */
export interface ProviderActionResult {
  /** The identity the provider acted as, e.g. `github-app` or `user:octocat`. Never a token. */
  identity: string;
  /** The provider's id for what it started (workflow run, deployment, execution). */
  reference?: string;
  url?: string;
}

export interface ProviderPromoteRequest {
  entity: Entity;
  target: ProviderTarget;
  environment: string;
  version: Version;
  /** `rollback` promotes an older version; providers may label it differently. */
  kind: 'promote' | 'rollback';
  /** Backstage user entity ref of who asked. */
  requestedBy: string;
  comment?: string;
  /** Stable across retries of the same action, so a provider can deduplicate. */
  idempotencyKey: string;
}

export interface ProviderReviewRequest {
  entity: Entity;
  target: ProviderTarget;
  gate: PendingGate & { details?: Record<string, string> };
  decision: 'approve' | 'reject';
  comment: string;
  actor: string;
  /** The user's own token for the provider, when the browser supplied one. Use it for this call only. */
  userToken?: string;
}

/** One event of a webhook delivery, about one target. */
export interface ProviderWebhookEvent {
  targetKey: string;
  deployments?: ProviderDeployment[];
  openedGates?: ProviderGate[];
  closedGateIds?: string[];
  /** Ask the core to run a sync of the target's entities soon (for events that carry too little). */
  resync?: boolean;
}

export interface ProviderWebhookResult {
  /** Unique per delivery (for GitHub: hook id and delivery id); duplicates are dropped by the core. */
  deliveryKey: string;
  events: ProviderWebhookEvent[];
}

export interface ProviderWebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

/**
 * A source and target of deployments. Implementations live in backend modules
 * and register through {@link deploymentProvidersExtensionPoint}; the core
 * never imports a provider.
 */
export interface DeploymentProvider {
  /** Stable id, used in stored ids, routes (`/webhooks/{id}`) and the UI. */
  readonly id: string;

  /** Where this entity's deployments live, or undefined when the provider does not handle it. */
  targetOf(entity: Entity): ProviderTarget | undefined;

  /** Lists deployments incrementally from a cursor and reports the open gates. */
  sync(request: {
    entity: Entity;
    target: ProviderTarget;
    cursor?: string;
    signal?: AbortSignal;
  }): Promise<ProviderSnapshot>;

  /** The change diff between two commits. */
  compare(request: {
    entity: Entity;
    target: ProviderTarget;
    fromSha: string;
    toSha: string;
  }): Promise<ProviderComparison>;

  /** Resolves a tag or short SHA to a full commit, when the store does not know it. */
  resolveVersion?(request: {
    entity: Entity;
    target: ProviderTarget;
    ref: string;
  }): Promise<Version | undefined>;

  /** Starts a deployment of the version into the environment. */
  promote(request: ProviderPromoteRequest): Promise<ProviderActionResult>;

  /** Approves or rejects one of the provider's own gates. */
  review(request: ProviderReviewRequest): Promise<ProviderActionResult>;

  /**
   * Verifies and translates a webhook delivery. Throws `AuthenticationError`
   * from `@backstage/errors` when the signature is missing or wrong.
   */
  handleWebhook?(
    request: ProviderWebhookRequest,
  ): Promise<ProviderWebhookResult>;
}
