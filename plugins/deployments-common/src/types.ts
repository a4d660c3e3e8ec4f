/**
 * The Stagecraft domain, shared by the browser and the backend.
 *
 * Times are ISO-8601 strings in UTC. Entity references are the full,
 * lower-cased form `kind:namespace/name`.
 */

/** The state of one deployment attempt, normalised across providers. */
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

/** All deployment states, in a stable order (useful for validation and filters). */
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

/** States after which a deployment never changes again. */
export const FINAL_DEPLOYMENT_STATES: readonly DeploymentState[] = [
  'success',
  'failure',
  'error',
  'inactive',
  'cancelled',
  'rolled_back',
];

/** How traffic moves to the new version. */
export type DeploymentStrategyType =
  | 'all-at-once'
  | 'canary'
  | 'linear'
  | 'blue-green';

export interface DeploymentStrategy {
  type: DeploymentStrategyType;
  /** Share of traffic on the new version, 0–100, where the provider reports it. */
  trafficPercent?: number;
}

/** What gets deployed: one commit, optionally named by a tag or release. */
export interface Version {
  sha: string;
  /** Tag or release name, e.g. `v1.42.0`. */
  tag?: string;
  /** Commit title, where known. */
  message?: string;
  /** Link to the commit or release page. */
  url?: string;
}

/** One entry of a deployment's status history. */
export interface DeploymentStatusEntry {
  state: DeploymentState;
  at: string;
  description?: string;
  logUrl?: string;
}

/** One attempt to put a version into an environment, from one provider. */
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
  logUrl?: string;
  description?: string;
  strategy?: DeploymentStrategy;
}

export interface GateReviewer {
  type: 'user' | 'team';
  /** Login, team slug or entity ref. */
  name: string;
}

/**
 * A deployment waiting for a decision: a provider's own gate (a GitHub
 * environment review, a CodePipeline manual approval) or a promotion that
 * Stagecraft itself holds until someone approves it.
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
}

/** How fresh the data from one provider is for one entity. */
export interface SyncStatus {
  provider: string;
  lastSuccessAt?: string;
  lastAttemptAt?: string;
  lastError?: string;
  lastErrorAt?: string;
  /** True when the last attempt failed: the data shown is the last known state. */
  stale: boolean;
}

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
}

export interface EnvironmentsResponse {
  entityRef: string;
  environments: EnvironmentSummary[];
  sync: SyncStatus[];
  /** Set when the entity has no deployments source, saying why. */
  reason?: string;
}

export interface TimelineCell {
  deploymentId: string;
  state: DeploymentState;
  startedAt: string;
  finishedAt?: string;
  durationSeconds?: number;
  triggeredBy?: string;
  url?: string;
  /** Attempts of this version in this environment. */
  attempts: number;
}

export interface TimelineRow {
  version: Version;
  /** When this version first appeared anywhere on the path. */
  firstSeenAt: string;
  cells: Record<string, TimelineCell | undefined>;
}

export interface TimelineResponse {
  entityRef: string;
  environments: string[];
  rows: TimelineRow[];
  /** Opaque cursor of the next page; absent on the last page. */
  nextCursor?: string;
  /** Set when the entity has no deployments source, saying why. */
  reason?: string;
}

export interface ChangeCommit {
  sha: string;
  message: string;
  author: string;
  authorLogin?: string;
  date: string;
  url?: string;
  pullRequest?: { number: number; title: string; url: string };
}

export interface ChangedFile {
  filename: string;
  status: string;
  additions: number;
  deletions: number;
}

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
  /** Set when no diff could be computed because the entity has no deployments source, saying why. */
  reason?: string;
}

export type DeploymentActionType =
  | 'promote'
  | 'approve'
  | 'reject'
  | 'rollback';

export const DEPLOYMENT_ACTIONS: readonly DeploymentActionType[] = [
  'promote',
  'approve',
  'reject',
  'rollback',
];

/** What happened to an action, as recorded in the audit log. */
export type AuditOutcome =
  | 'requested'
  | 'approved'
  | 'rejected'
  | 'executed'
  | 'failed'
  | 'refused';

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
}

export type PromotionRequestState =
  | 'pending'
  | 'approved'
  | 'rejected'
  | 'executed'
  | 'failed';

/** A promotion asked for in the portal, and where it stands. */
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

/** One policy rule's verdict on an action. */
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
    | 'decided-once';
  passed: boolean;
  message: string;
}

export interface ActionResponse {
  request: PromotionRequest;
  checks: PolicyCheck[];
}

export interface AuditResponse {
  entries: AuditEntry[];
  nextCursor?: string;
}

export interface ApprovalsResponse {
  gates: PendingGate[];
}
