import type { Entity } from '@backstage/catalog-model';
import type {
  Artifact,
  ChangeDiff,
  DeploymentStatusEntry,
  DeploymentStrategy,
  GateReviewer,
  GateType,
  PendingGate,
  RollbackInfo,
  VerificationCheck,
  Version,
} from '@stagecraft/plugin-deployments-common';

/**
 * One place where an entity's deployments live for one provider: a
 * repository, a pipeline, one stack per environment. An entity may have any
 * number of targets per provider; the core keeps cursors and sync state per
 * target.
 *
 * @public
 */
export interface ProviderTarget {
  /**
   * Identifies the target within its provider, e.g. `acme/payments-api` or a
   * pipeline ARN. Sync state, cursors and open gates are kept per key.
   */
  key: string;
  /**
   * What the provider's webhooks and events name, to route them to the
   * entities of this target (for GitHub the repository, for AWS a pipeline
   * ARN or a stack id). Usually `[key]`.
   */
  routingKeys: string[];
  /**
   * The entity's environments this target reports, after `environmentNames`
   * is applied: `'all'`, or a named set. Deployments, gates and traffic for
   * other environments are ignored for this entity, which is how two
   * entities that share a repository tell their deployments apart.
   */
  environments: 'all' | string[];
  /**
   * The provider's environment names mapped to the entity's (e.g. a GitHub
   * environment `prod` to `production`, a pipeline stage `Deploy-Prod` to
   * `production`). The core applies it to everything the provider reports,
   * in sync and in webhooks; names not listed are kept as they are.
   */
  environmentNames?: Record<string, string>;
  /**
   * True when the target is the entity's source control: the core asks this
   * target's provider (through `compare`) for the changes between any two
   * deployed commits, whichever provider deployed them.
   */
  changeSource?: boolean;
  /** Provider-specific settings read from the entity (never a secret). */
  settings?: Record<string, string>;
  /**
   * The provider's optional capabilities this target supports, when not all
   * of them (an AWS stack can stop a rollout but not start one; its
   * pipeline can). Absent: every capability the provider has.
   */
  capabilities?: ProviderCapability[];
}

/**
 * A version as a provider reports it. The commit is the join key across
 * providers; a provider that cannot tell the commit leaves `sha` out and
 * reports the artifact instead.
 *
 * @public
 */
export interface ProviderVersion {
  sha?: string;
  tag?: string;
  message?: string;
  url?: string;
  artifact?: Artifact;
}

/**
 * A deployment as a provider reports it. Upserted by the entity, the
 * provider and `providerDeploymentId`.
 *
 * @public
 */
export interface ProviderDeployment {
  providerDeploymentId: string;
  /** The provider's environment name; the target's `environmentNames` maps it. */
  environment: string;
  version: ProviderVersion;
  /** Full status history known to the provider, oldest first. */
  statuses: DeploymentStatusEntry[];
  createdAt: string;
  updatedAt: string;
  triggeredBy?: string;
  url?: string;
  logUrl?: string;
  description?: string;
  strategy?: DeploymentStrategy;
  /** Health checks, alarms and smoke tests as they stand now (the whole list). */
  checks?: VerificationCheck[];
  rollback?: RollbackInfo;
  /** What `url` opens, e.g. `run #812`; the UI says `deployment` otherwise. */
  urlLabel?: string;
}

/**
 * A provider's own gate, e.g. a GitHub environment review or a CodePipeline
 * manual approval.
 *
 * @public
 */
export interface ProviderGate {
  /** The provider's id of the gate (unique within the provider). */
  providerGateId: string;
  /** The provider's environment name; the target's `environmentNames` maps it. */
  environment: string;
  version: ProviderVersion;
  reviewers: GateReviewer[];
  since: string;
  type?: GateType;
  expiresAt?: string;
  /** What waits, in the provider's words (a CodePipeline approval's custom data). */
  summary?: string;
  waitTimerMinutes?: number;
  requestedBy?: string;
  url?: string;
  /** What the provider needs to act on the gate later (run id, stage and action name, …). Never a secret or a token. */
  details?: Record<string, string>;
}

/**
 * An environment's protection as the provider configures it. Stored by the
 * core, so webhooks and the approval policy see it on every replica.
 *
 * @public
 */
export interface ProviderEnvironment {
  /** The provider's environment name; the target's `environmentNames` maps it. */
  name: string;
  requiredReviewers: GateReviewer[];
  waitTimerMinutes?: number;
  url?: string;
  /**
   * Windows the provider's own schedule defines for deployments into the
   * environment (a CodePipeline `DeploymentWindow` entry condition).
   * Optional: absent means the provider defines none or cannot tell.
   */
  deploymentWindows?: ProviderDeploymentWindow[];
}

/**
 * A schedule the provider itself applies to deployments into an
 * environment. Stagecraft shows it (lanes, `GET /freezes`, the timeline);
 * the provider enforces it.
 *
 * @public
 */
export interface ProviderDeploymentWindow {
  /** Unique among the environment's windows of the target, e.g. `Deploy-Prod/ProdWindow`. */
  id: string;
  /** `allow`: deployments enter only while the schedule matches (outside it they wait). */
  kind: 'allow';
  /**
   * The times in the window as a Quartz-style cron expression, as the
   * provider gives it: `seconds minutes hours day-of-month month day-of-week [year]`
   * (e.g. `* * 9-17 ? * MON-FRI`). A minute whose fields match is in the window.
   */
  cron: string;
  /** The zone the expression is read in (IANA, or `UTC±hh:mm`). */
  timeZone: string;
  /** Who applies it, for people: `CodePipeline`. */
  label: string;
  /** Where it is defined, in the provider's words: `stage Deploy-Prod, rule ProdWindow`. */
  definedAt?: string;
  url?: string;
}

/**
 * The versions serving one environment and their shares.
 *
 * @public
 */
export interface ProviderTraffic {
  /** The provider's environment name; the target's `environmentNames` maps it. */
  environment: string;
  shares: Array<{
    version: ProviderVersion;
    percent: number;
    role?: 'live' | 'canary' | 'standby';
    providerDeploymentId?: string;
  }>;
  at: string;
}

/**
 * What one incremental sync of one target found.
 *
 * @public
 */
export interface ProviderSnapshot {
  /** New or changed deployments since the cursor (all of them without a cursor). */
  deployments: ProviderDeployment[];
  /** Every gate of this target open right now; the target's gates not listed are closed. */
  openGates: ProviderGate[];
  /** The protection of the target's environments; omitted when unchanged or unknown. */
  environments?: ProviderEnvironment[];
  /** Traffic of the target's environments; environments not listed keep what was stored. */
  traffic?: ProviderTraffic[];
  /** Where the next sync continues; kept by the core per entity and target. */
  cursor?: string;
}

/**
 * The change between two commits, as computed by a change source.
 *
 * @public
 */
export type ProviderComparison = Omit<ChangeDiff, 'entityRef' | 'from' | 'to'>;

/**
 * What a provider did when asked to act.
 *
 * @public
 */
export interface ProviderActionResult {
  /** The identity the provider acted as, e.g. `github-app:12345` or an assumed role's ARN. Never a token or a key. */
  identity: string;
  /** The provider's id for what it started (workflow run, deployment, execution). */
  reference?: string;
  url?: string;
}

/**
 * Which target of the entity an action or read is about, with the entity.
 *
 * @public
 */
export interface ProviderTargetRequest {
  entity: Entity;
  target: ProviderTarget;
}

/** @public */
export interface ProviderPromoteRequest extends ProviderTargetRequest {
  /** The entity's environment name (map it back with `target.environmentNames`). */
  environment: string;
  version: Version;
  /** `rollback` deploys an older version; providers may label it differently. */
  kind: 'promote' | 'rollback';
  /** Backstage user entity ref of who asked. */
  requestedBy: string;
  comment?: string;
  /** Stable across retries of the same action, so a provider can deduplicate. */
  idempotencyKey: string;
}

/** @public */
export interface ProviderReviewRequest extends ProviderTargetRequest {
  gate: PendingGate & { details?: Record<string, string> };
  decision: 'approve' | 'reject';
  comment: string;
  actor: string;
  /** The user's own token for the provider, when the browser supplied one. Use it for this call only. */
  userToken?: string;
}

/** @public */
export interface ProviderAbortRequest extends ProviderTargetRequest {
  /** The in-flight deployment to stop (its environment is the entity's name). */
  deployment: { providerDeploymentId: string; environment: string };
  /** Ask the provider to put the previous version back. */
  rollback: boolean;
  requestedBy: string;
  comment?: string;
  idempotencyKey: string;
}

/**
 * One event of a webhook delivery, about the targets that one routing key names.
 *
 * @public
 */
export interface ProviderWebhookEvent {
  /** One of the `routingKeys` of the targets the event is about. */
  routingKey: string;
  deployments?: ProviderDeployment[];
  openedGates?: ProviderGate[];
  closedGateIds?: string[];
  traffic?: ProviderTraffic[];
  /** Ask the core to sync the target's entities soon (for events that carry too little). */
  resync?: boolean;
}

/** @public */
export interface ProviderWebhookResult {
  /** Unique per delivery (GitHub: hook and delivery id; SNS: message id); duplicates are dropped by the core. */
  deliveryKey: string;
  events: ProviderWebhookEvent[];
  /**
   * Set when the delivery needs an answer of its own instead of the core's
   * (e.g. an SNS subscription confirmation); the core still records the
   * delivery key.
   */
  reply?: { status: number; body?: unknown };
}

/** @public */
export interface ProviderWebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

/**
 * The optional things a provider can do, by method name.
 *
 * @public
 */
export type ProviderCapability =
  | 'compare'
  | 'resolveVersion'
  | 'promote'
  | 'review'
  | 'abort'
  | 'handleWebhook';

/**
 * A source of deployments. Implementations live in backend modules and
 * register through {@link deploymentProvidersExtensionPoint}; the core never
 * imports a provider.
 *
 * Only `targetsOf` and `sync` are required. Every other method is a
 * capability: the core answers with a 4xx that names what is missing, and
 * the UI disables the action with that reason, when a provider lacks one.
 *
 * @public
 */
export interface DeploymentProvider {
  /** Stable id, used in stored ids, routes (`/webhooks/{id}`) and the UI. */
  readonly id: string;

  /** Every place this entity's deployments live for this provider; empty when it does not handle the entity. */
  targetsOf(entity: Entity): Promise<ProviderTarget[]>;

  /** Lists a target's deployments incrementally from a cursor and reports its open gates. */
  sync(
    request: ProviderTargetRequest & { cursor?: string; signal?: AbortSignal },
  ): Promise<ProviderSnapshot>;

  /** The change diff between two commits, for a target that is a `changeSource`. */
  compare?(
    request: ProviderTargetRequest & { fromSha: string; toSha: string },
  ): Promise<ProviderComparison>;

  /** Resolves a tag or short SHA to a full commit, when the store does not know it. */
  resolveVersion?(
    request: ProviderTargetRequest & { ref: string },
  ): Promise<Version | undefined>;

  /** Starts a deployment of the version into the environment (promote or roll back). */
  promote?(request: ProviderPromoteRequest): Promise<ProviderActionResult>;

  /** Approves or rejects one of the provider's own gates. */
  review?(request: ProviderReviewRequest): Promise<ProviderActionResult>;

  /** Stops an in-flight rollout, optionally rolling it back. */
  abort?(request: ProviderAbortRequest): Promise<ProviderActionResult>;

  /**
   * Verifies and translates a webhook delivery. Throws `AuthenticationError`
   * from `@backstage/errors` when the signature is missing or wrong, and
   * `InputError` when the body is not what the provider sends.
   */
  handleWebhook?(
    request: ProviderWebhookRequest,
  ): Promise<ProviderWebhookResult>;
}

/**
 * Whether a provider has a capability, and, given a target, whether that target supports it.
 *
 * @public
 */
export function hasCapability(
  provider: DeploymentProvider,
  capability: ProviderCapability,
  target?: ProviderTarget,
): boolean {
  return (
    typeof provider[capability] === 'function' &&
    (!target?.capabilities || target.capabilities.includes(capability))
  );
}
