/**
 * The Stagecraft domain, shared by the browser and the backend.
 *
 * Times are ISO-8601 strings in UTC. Entity references are the full,
 * lower-cased form `kind:namespace/name`.
 */

/**
 * The state of one deployment attempt, normalised across providers.
 *
 * @public
 */
export type DeploymentState =
  | 'queued'
  | 'in_progress'
  | 'waiting'
  | 'success'
  | 'failure'
  | 'error'
  | 'inactive'
  | 'cancelled'
  | 'rolled_back';

/**
 * All deployment states, in a stable order (useful for validation and filters).
 *
 * @public
 */
export const DEPLOYMENT_STATES: readonly DeploymentState[] = [
  'queued',
  'in_progress',
  'waiting',
  'success',
  'failure',
  'error',
  'inactive',
  'cancelled',
  'rolled_back',
];

/**
 * States after which a deployment never changes again.
 *
 * @public
 */
export const FINAL_DEPLOYMENT_STATES: readonly DeploymentState[] = [
  'success',
  'failure',
  'error',
  'inactive',
  'cancelled',
  'rolled_back',
];

/**
 * How traffic moves to the new version.
 *
 * @public
 */
export type DeploymentStrategyType =
  | 'all-at-once'
  | 'canary'
  | 'linear'
  | 'blue-green';

/**
 * One step of a progressive rollout: the share the new version gets, and how long it holds.
 *
 * @public
 */
export interface DeploymentStrategyStep {
  /** Share of traffic on the new version during this step, 0–100. */
  percent: number;
  /** Minutes the step holds before the next, where the strategy says. */
  waitMinutes?: number;
}

/** @public */
export interface DeploymentStrategy {
  type: DeploymentStrategyType;
  /** Share of traffic on the new version, 0–100, where the provider reports it. */
  trafficPercent?: number;
  /** The provider's name of the strategy, e.g. `CodeDeployDefault.LambdaCanary10Percent5Minutes`. */
  name?: string;
  /** The steps of a canary or linear rollout, in order. */
  steps?: DeploymentStrategyStep[];
  /** Index into `steps` of the step running now (0-based), while the rollout runs. */
  currentStep?: number;
}

/**
 * What was built and shipped, beside the commit: a Lambda version, an image
 * digest, a build artifact. Rides along with the version; the commit stays
 * the join key across providers.
 *
 * @public
 */
export interface Artifact {
  /** e.g. `lambda-version`, `image`, `build`. */
  kind: string;
  /** e.g. the Lambda version number or the image digest. */
  id: string;
  url?: string;
}

/**
 * What gets deployed: one commit, optionally named by a tag or release.
 *
 * @public
 */
export interface Version {
  /**
   * The commit SHA, the join key across providers. When the provider does not
   * know the commit, `commitUnknown` is true and `sha` is a stable key made
   * from the artifact (`artifact:<kind>:<id>`), which is never compared.
   */
  sha: string;
  /** Tag or release name, e.g. `v1.42.0`. */
  tag?: string;
  /** Commit title, where known. */
  message?: string;
  /** Link to the commit or release page. */
  url?: string;
  /** The built artifact, where the provider reports one. */
  artifact?: Artifact;
  /** Set when the provider reported no commit for this version (see `sha`). */
  commitUnknown?: boolean;
}

/**
 * The result of one health check, alarm or smoke test that verifies a deployment.
 *
 * @public
 */
export interface VerificationCheck {
  name: string;
  state: 'pending' | 'passing' | 'failing';
  url?: string;
  /** When the check last changed state. */
  at?: string;
  detail?: string;
}

/**
 * Why and how a deployment was rolled back.
 *
 * @public
 */
export interface RollbackInfo {
  /** True when the provider rolled back on its own (a failed check, an alarm). */
  automatic: boolean;
  /** e.g. the alarm that tripped, or the person's comment. */
  reason?: string;
  /** The deployment that carried the roll back out, when it is a deployment of its own. */
  rollbackDeploymentId?: string;
  /** The version traffic went back to. */
  restoredVersion?: Version;
  /** Who rolled back by hand (a user entity ref or a provider login), where known. */
  by?: string;
}

/**
 * Where a second provider reported the same rollout (e.g. GitHub Actions ran `sam deploy` that AWS reports).
 *
 * @public
 */
export interface DeploymentLink {
  provider: string;
  providerDeploymentId: string;
  url?: string;
  /** What the link opens, e.g. `run #812` or `CodeDeploy d-ABC123`. */
  label?: string;
}

/**
 * One version's share of an environment's traffic.
 *
 * @public
 */
export interface TrafficShare {
  version: Version;
  /** 0–100. The shares of an environment add up to 100 (a standby has 0). */
  percent: number;
  /** `live` serves all or most traffic, `canary` the new version, `standby` blue/green's idle side. */
  role?: 'live' | 'canary' | 'standby';
  /** The deployment that put this version there, when known. */
  deploymentId?: string;
}

/**
 * Which versions serve an environment right now, as its provider last reported.
 *
 * @public
 */
export interface EnvironmentTraffic {
  provider: string;
  shares: TrafficShare[];
  /** When the provider reported it. */
  at: string;
}

/**
 * One entry of a deployment's status history.
 *
 * @public
 */
export interface DeploymentStatusEntry {
  state: DeploymentState;
  at: string;
  description?: string;
  logUrl?: string;
}

/**
 * One attempt to put a version into an environment, from one provider.
 *
 * @public
 */
export interface Deployment {
  /** Stagecraft's id: `<provider>:<provider deployment id>`. */
  id: string;
  provider: string;
  providerDeploymentId: string;
  entityRef: string;
  environment: string;
  version: Version;
  /** Latest state (the last entry of `statuses`). */
  state: DeploymentState;
  statuses: DeploymentStatusEntry[];
  createdAt: string;
  updatedAt: string;
  /** When the deployment reached a final state. */
  finishedAt?: string;
  /** Login or user entity ref of whoever triggered it. */
  triggeredBy?: string;
  /** Link to the run, pipeline execution or deployment page. */
  url?: string;
  /** What `url` opens, e.g. `run #812` or `execution 3f2a…`; absent: a deployment page. */
  urlLabel?: string;
  logUrl?: string;
  description?: string;
  strategy?: DeploymentStrategy;
  /** Health checks, alarms and smoke tests that verify the deployment. */
  checks?: VerificationCheck[];
  /** Set when the deployment was rolled back. */
  rollback?: RollbackInfo;
  /** The same rollout as other providers reported it. */
  links?: DeploymentLink[];
}

/** @public */
export interface GateReviewer {
  /** `principal`: a provider identity such as an IAM role or a GitHub App. */
  type: 'user' | 'team' | 'principal';
  /** Login, team slug, entity ref or principal name. */
  name: string;
}

/**
 * What kind of decision a gate waits for.
 *
 * @public
 */
export type GateType =
  /** A provider's review, e.g. a GitHub environment with required reviewers. */
  | 'provider-review'
  /** A provider's manual approval action, e.g. in CodePipeline. */
  | 'manual-approval'
  /** Time that must pass, e.g. a GitHub wait timer. */
  | 'wait-timer'
  /** A promotion Stagecraft holds until another person approves it. */
  | 'portal-request';

/**
 * A deployment waiting for a decision: a provider's own gate (a GitHub
 * environment review, a CodePipeline manual approval) or a promotion that
 * Stagecraft itself holds until someone approves it.
 *
 * @public
 */
export interface PendingGate {
  /** Stable id: `<provider>:<provider gate id>` or `stagecraft:<request id>`. */
  id: string;
  kind: 'provider' | 'portal';
  provider: string;
  entityRef: string;
  environment: string;
  version: Version;
  reviewers: GateReviewer[];
  since: string;
  /** Minutes a wait timer holds the gate, where configured. */
  waitTimerMinutes?: number;
  requestedBy?: string;
  url?: string;
  /** What the gate waits for; absent from providers that predate gate types. */
  type?: GateType;
  /** When the gate stops accepting a decision, e.g. 7 days after a CodePipeline approval opened. */
  expiresAt?: string;
  /** What waits, in the provider's words (a CodePipeline approval's custom data). */
  summary?: string;
}

/**
 * How fresh the data from one provider is for one entity.
 *
 * @public
 */
export interface SyncStatus {
  provider: string;
  /** The provider's target (repository, pipeline, stack) this status is about. */
  target?: string;
  lastSuccessAt?: string;
  lastAttemptAt?: string;
  lastError?: string;
  lastErrorAt?: string;
  /** True when the last attempt failed: the data shown is the last known state. */
  stale: boolean;
}

/** @public */
export interface EnvironmentSummary {
  name: string;
  /** Position on the entity's promotion path, from 0. */
  position: number;
  /** The newest deployment whose latest status is success. */
  current?: Deployment;
  /** The newest deployment attempt of any state (may equal `current`). */
  latest?: Deployment;
  pendingGates: PendingGate[];
  /** Whether promoting into this environment needs an approval in the portal. */
  requiresApproval: boolean;
  /** How far this environment's current version trails the previous environment's. */
  behindPrevious?: { commits?: number; days?: number };
  /** The provider that deploys into this environment, absent when none or several claim it. */
  provider?: string;
  /** How the owner was decided, or why none could be. */
  ownership?: EnvironmentOwnership;
  /** What the owning provider can do here; a missing capability carries the reason. */
  capabilities?: EnvironmentCapabilities;
  /** Which versions serve the environment right now, where the provider reports traffic. */
  traffic?: EnvironmentTraffic;
  /**
   * The attempt whose roll back put `current` back, when it came before
   * `current` (a roll back redeployed the old version); while a newer
   * version has not succeeded since.
   */
  rolledBack?: Deployment;
  /** Set while a freeze window covers the environment: promotions are refused until then. */
  freeze?: EnvironmentFreeze;
  /** Deployment windows the provider's own schedule defines (shown; the provider enforces them). */
  deploymentWindows?: EnvironmentDeploymentWindow[];
}

/**
 * How an environment's owning provider was decided.
 *
 * @public
 */
export interface EnvironmentOwnership {
  /** `annotation`: `stagecraft.io/environments`; `provider`: the only provider whose targets cover it. */
  declaredBy?: 'annotation' | 'provider';
  /** Why no provider owns the environment (none covers it, or several claim it). */
  problem?: string;
}

/**
 * Whether a provider can do something, and if not, why.
 *
 * @public
 */
export interface Capability {
  available: boolean;
  reason?: string;
}

/**
 * The provider capabilities that the lane's actions need.
 *
 * @public
 */
export interface EnvironmentCapabilities {
  promote: Capability;
  rollback: Capability;
  review: Capability;
  abort: Capability;
  compare: Capability;
}

/** @public */
export interface EnvironmentsResponse {
  entityRef: string;
  environments: EnvironmentSummary[];
  sync: SyncStatus[];
  /** Set when the entity has no deployments source, saying why. */
  reason?: string;
  /** With `include=permissions`: what the caller may do on this entity. */
  permissions?: ActionPermissions;
  /** With `include=timeline`: the timeline's first page over the whole path. */
  timeline?: TimelineResponse;
}

/**
 * The caller's decisions for the entity's deployment permissions, as the
 * permission framework answered them. They only shape the UI; every action is
 * checked again when it is asked for.
 *
 * @public
 */
export interface ActionPermissions {
  promote: boolean;
  approve: boolean;
  rollback: boolean;
  abort: boolean;
  override: boolean;
}

/** @public */
export interface TimelineCell {
  deploymentId: string;
  state: DeploymentState;
  startedAt: string;
  finishedAt?: string;
  durationSeconds?: number;
  triggeredBy?: string;
  url?: string;
  /** What `url` opens, e.g. `run #812`; absent: a deployment page. */
  urlLabel?: string;
  /** Attempts of this version in this environment. */
  attempts: number;
  /** How traffic moved to the version, where the provider says. */
  strategy?: DeploymentStrategy;
  /** Set when the deployment was rolled back. */
  rollback?: RollbackInfo;
  /** True when one of the deployment's checks reported failing. */
  verificationFailed?: boolean;
  /** Other providers' reports of the same rollout. */
  links?: DeploymentLink[];
}

/** @public */
export interface TimelineRow {
  version: Version;
  /** When this version first appeared anywhere on the path. */
  firstSeenAt: string;
  cells: Record<string, TimelineCell | undefined>;
}

/** @public */
export interface TimelineResponse {
  entityRef: string;
  environments: string[];
  rows: TimelineRow[];
  /** Opaque cursor of the next page; absent on the last page. */
  nextCursor?: string;
  /** Set when the entity has no deployments source, saying why. */
  reason?: string;
}

/** @public */
export interface ChangeCommit {
  sha: string;
  message: string;
  author: string;
  authorLogin?: string;
  date: string;
  url?: string;
  pullRequest?: { number: number; title: string; url: string };
}

/** @public */
export interface ChangedFile {
  filename: string;
  status: string;
  additions: number;
  deletions: number;
}

/** @public */
export interface ChangeDiff {
  entityRef: string;
  from: { ref: string; sha: string };
  to: { ref: string; sha: string };
  /** `ahead`: `to` contains commits `from` lacks; `behind`: a roll back. */
  status: 'ahead' | 'behind' | 'identical' | 'diverged';
  aheadBy: number;
  behindBy: number;
  totalCommits: number;
  commits: ChangeCommit[];
  files: ChangedFile[];
  additions: number;
  deletions: number;
  url?: string;
  /** Set when no diff could be computed (no deployments source, no change source, a version whose commit is unknown), saying why. */
  reason?: string;
}

/** @public */
export type DeploymentActionType =
  | 'promote'
  | 'approve'
  | 'reject'
  | 'rollback'
  /** Stop an in-flight rollout. */
  | 'abort';

/** @public */
export const DEPLOYMENT_ACTIONS: readonly DeploymentActionType[] = [
  'promote',
  'approve',
  'reject',
  'rollback',
  'abort',
];

/**
 * What happened to an action, as recorded in the audit log.
 *
 * @public
 */
export type AuditOutcome =
  | 'requested'
  | 'approved'
  | 'rejected'
  | 'executed'
  | 'failed'
  | 'refused';

/** @public */
export interface AuditEntry {
  id: string;
  at: string;
  entityRef: string;
  action: DeploymentActionType;
  outcome: AuditOutcome;
  /** Backstage user entity ref of the person who acted. */
  actor: string;
  /** Which provider identity carried the action out, e.g. `github-app:12345` or `user-token:octocat`. */
  providerIdentity?: string;
  environment: string;
  version?: Version;
  comment?: string;
  /** The promotion request this entry belongs to. */
  requestId?: string;
  /** Rule that refused, or error message of a failure. */
  detail?: string;
  /** Set when the entry recorded release evidence (`GET …/audit/{id}/evidence`). */
  evidenceId?: string;
}

/** @public */
export type PromotionRequestState =
  | 'pending'
  | 'approved'
  | 'rejected'
  | 'executed'
  | 'failed';

/**
 * A promotion asked for in the portal, and where it stands.
 *
 * @public
 */
export interface PromotionRequest {
  id: string;
  entityRef: string;
  action: DeploymentActionType;
  environment: string;
  version: Version;
  state: PromotionRequestState;
  requestedBy: string;
  requestedAt: string;
  comment?: string;
  decidedBy?: string;
  decidedAt?: string;
  decisionComment?: string;
  /** The provider's id for what it started, e.g. a workflow run id. */
  providerReference?: string;
  error?: string;
}

/**
 * One policy rule's verdict on an action.
 *
 * @public
 */
export interface PolicyCheck {
  rule:
    | 'permission'
    | 'approval-required'
    | 'no-self-approval'
    | 'comment-required'
    | 'promotion-order'
    | 'nothing-to-promote'
    /** One promotion per entity and environment at a time (refused with 409). */
    | 'one-at-a-time'
    /** A gate is decided once (refused with 409). */
    | 'decided-once'
    /** The environment's provider cannot do this (refused with 422). */
    | 'provider-capability'
    /** No provider, or more than one, owns the environment (refused with 422). */
    | 'environment-owner'
    /** An abort needs a deployment of that environment that is still in flight (refused with 422). */
    | 'in-flight'
    /** A freeze window covers the environment (refused with 422 unless overridden). */
    | 'freeze';
  passed: boolean;
  message: string;
}

/** @public */
export interface ActionResponse {
  request: PromotionRequest;
  checks: PolicyCheck[];
}

/** @public */
export interface AuditResponse {
  entries: AuditEntry[];
  nextCursor?: string;
}

/** @public */
export interface ApprovalsResponse {
  gates: PendingGate[];
}

/**
 * A freeze window on an environment now, as its lane shows it.
 *
 * @public
 */
export interface EnvironmentFreeze {
  /** The window's name. */
  name: string;
  reason: string;
  /** The IANA zone the window is defined in. */
  timeZone: string;
  /** When the window began (ISO 8601). */
  since: string;
  /** When promotions are allowed again (ISO 8601), after any window that follows without a gap. */
  until: string;
}

/**
 * A deployment window that the provider's own schedule defines for an
 * environment (a CodePipeline DeploymentWindow entry condition): deploys
 * enter only while it is open; the provider holds them otherwise.
 *
 * @public
 */
export interface EnvironmentDeploymentWindow {
  /** The provider whose schedule it is (`aws`). */
  provider: string;
  /** Who applies it, for people: `CodePipeline`. */
  label: string;
  /** When deploys may enter: `Mon–Fri 09:00–17:00 Europe/Berlin`. */
  allowed: string;
  timeZone: string;
  /** Whether deploys may enter now. */
  open: boolean;
  /** Open: when it closes; closed: when it opens next (ISO 8601). Absent: not within a year. */
  until?: string;
  url?: string;
}

/**
 * One time a freeze window is on, as `GET /freezes` lists it.
 *
 * @public
 */
export interface FreezeWindowSummary {
  id: string;
  name: string;
  reason: string;
  /** `config`, `annotation`, or the provider whose own schedule defines it. */
  source: string;
  timeZone: string;
  /** The environments it covers; absent: every environment. */
  environments?: string[];
  /** The entities it covers. */
  scope:
    | { kind: 'all' }
    | { kind: 'system' | 'owner' | 'entity'; refs: string[] };
  schedule:
    | { kind: 'once' }
    | { kind: 'recurring'; rrule: string; duration: string }
    /** A provider's deployment window: on while its schedule keeps deploys out. */
    | { kind: 'outside-window'; cron: string; allowed: string };
  /** This occurrence's start and end (ISO 8601). */
  start: string;
  end: string;
}

/**
 * Body of `GET /freezes`.
 *
 * @public
 */
export interface FreezesResponse {
  /** Set when the list is for one entity (`?entity=`). */
  entityRef?: string;
  /** The time the lists are for (ISO 8601). */
  now: string;
  /** Windows on now. */
  active: FreezeWindowSummary[];
  /** Each window's next time, soonest first. */
  next: FreezeWindowSummary[];
  /** Every time a window is on within `?from=&to=`, when asked. */
  occurrences?: FreezeWindowSummary[];
  /** Freeze definitions that cannot be read (an entity's annotation). */
  problems: string[];
}

/**
 * One commit of a release's change set, as its evidence records it.
 *
 * @public
 */
export interface EvidenceCommit {
  sha: string;
  /** The commit's title. */
  message: string;
  author: string;
  authorLogin?: string;
  date: string;
  url?: string;
  /** The number of the pull request the commit came from, where known. */
  pullRequest?: number;
}

/**
 * One pull request of a release's change set.
 *
 * @public
 */
export interface EvidencePullRequest {
  number: number;
  title: string;
  /** Who wrote it: the author of its oldest commit in the range (a squash merge's author is the pull request's). */
  author: string;
  url: string;
  /** The SHAs of its commits in the range. */
  commits: string[];
}

/**
 * How a change set is hashed: SHA-256 over {@link canonicalChangeSet}.
 *
 * @public
 */
export interface ChangeSetHash {
  algorithm: 'sha256';
  /** The canonical serialisation's name and version. */
  canonicalization: 'stagecraft-change-set/v1';
  /** Lower-case hex. */
  value: string;
}

/**
 * What a release shipped: the commits between what ran in the environment
 * and the version, or why they are not known.
 *
 * @public
 */
export type ReleaseChanges =
  | {
      status: 'available';
      from: { ref: string; sha: string };
      to: { ref: string; sha: string };
      /** How `to` relates to `from` (`behind`: a roll back). */
      comparison: ChangeDiff['status'];
      aheadBy: number;
      behindBy: number;
      totalCommits: number;
      /** Newest first, as the change diff lists them. */
      commits: EvidenceCommit[];
      /** By number. */
      pullRequests: EvidencePullRequest[];
      /** True when the source control listed fewer commits than `totalCommits`: the hash covers those listed. */
      truncated: boolean;
      url?: string;
      hash: ChangeSetHash;
    }
  | {
      status: 'unavailable';
      /** What ran in the environment, when anything did. */
      from?: { ref: string; sha: string };
      to: { ref: string; sha: string };
      /** Why the change set is not known (nothing ran there yet, no source control, the provider failed). */
      reason: string;
    };

/**
 * The gate a release passed (or waits at, or was refused at), with its reviewers and decision.
 *
 * @public
 */
export interface ReleaseGate {
  /** `provider`: the provider's own gate; `portal`: a request Stagecraft holds; `none`: no approval is required. */
  kind: 'provider' | 'portal' | 'none';
  /** The gate's id (`<provider>:<id>` or `stagecraft:<request id>`), where it has one. */
  id?: string;
  /** The provider whose gate it is (`stagecraft` for the portal's own). */
  provider?: string;
  environment: string;
  /** Required reviewers as the provider configures them; empty for the portal's own gate. */
  reviewers: GateReviewer[];
  /** Who may decide, in words. */
  rule: string;
  requestedBy?: string;
  requestedAt?: string;
  decision?: 'approved' | 'rejected';
  decidedBy?: string;
  decidedAt?: string;
  decisionComment?: string;
}

/**
 * The record of what one promotion, roll back, approval or rejection shipped
 * (or refused to ship), taken when the portal accepted the action.
 *
 * @public
 */
export interface ReleaseEvidence {
  schema: 'stagecraft.release-evidence/v1';
  id: string;
  /** The audit entry the evidence belongs to. */
  auditId: string;
  /** The promotion request, for portal requests. */
  requestId?: string;
  entityRef: string;
  action: Extract<
    DeploymentActionType,
    'promote' | 'rollback' | 'approve' | 'reject'
  >;
  /** The audit entry's outcome. */
  outcome: AuditOutcome;
  environment: string;
  version: Version;
  /** Backstage user entity ref of who acted. */
  actor: string;
  providerIdentity?: string;
  comment?: string;
  /** When the action was accepted (the audit entry's time). */
  recordedAt: string;
  changes: ReleaseChanges;
  /** The policy checks and their verdicts when the action was accepted. */
  checks: PolicyCheck[];
  gate: ReleaseGate;
}
