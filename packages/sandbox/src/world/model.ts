/**
 * The sandbox's own records. They hold just what the simulation needs; the
 * GitHub shapes are derived from them in `src/github/representations.ts`.
 * Times are epoch milliseconds.
 */

export type Reviewer =
  | { type: 'User'; login: string }
  | { type: 'Team'; slug: string };

export interface EnvironmentRecord {
  id: number;
  name: string;
  createdAt: number;
  updatedAt: number;
  reviewers: Reviewer[];
  waitTimerMinutes: number;
  preventSelfReview: boolean;
  /** Where the deployed service answers (the status' environment_url). */
  url: string;
}

export interface FileChange {
  filename: string;
  status: 'added' | 'modified' | 'removed';
  additions: number;
  deletions: number;
}

export interface CommitRecord {
  sha: string;
  treeSha: string;
  message: string;
  author: string;
  committer: string;
  date: number;
  parents: string[];
  files: FileChange[];
  /** Number of the pull request that brought this commit to main. */
  pullNumber?: number;
}

export interface PullRecord {
  number: number;
  id: number;
  title: string;
  body: string;
  author: string;
  headRef: string;
  headSha: string;
  baseSha: string;
  createdAt: number;
  mergedAt: number;
  mergeCommitSha: string;
  labels: string[];
}

export interface TagRecord {
  name: string;
  sha: string;
  createdAt: number;
}

export type RunStatus = 'queued' | 'in_progress' | 'waiting' | 'completed';
export type RunConclusion = 'success' | 'failure' | 'cancelled' | null;

export interface JobRecord {
  id: number;
  name: string;
  /** The environment this job deploys to, if any. */
  environment?: string;
  status: 'queued' | 'in_progress' | 'waiting' | 'completed';
  conclusion: 'success' | 'failure' | 'cancelled' | 'skipped' | null;
  createdAt: number;
  startedAt: number;
  completedAt: number | null;
}

export interface ReviewRecord {
  state: 'approved' | 'rejected';
  user: string;
  comment: string;
  environmentIds: number[];
  at: number;
}

/** A run waiting at an environment with protection rules. */
export interface GateRecord {
  environment: string;
  since: number;
  deploymentId: number;
  jobId: number;
  approvedAt?: number;
}

export interface RunRecord {
  id: number;
  runNumber: number;
  event: 'push' | 'workflow_dispatch';
  status: RunStatus;
  conclusion: RunConclusion;
  headSha: string;
  headBranch: string;
  actor: string;
  displayTitle: string;
  createdAt: number;
  updatedAt: number;
  runStartedAt: number;
  inputs?: Record<string, string>;
  jobs: JobRecord[];
  reviews: ReviewRecord[];
  gate?: GateRecord;
  /** The steps of the run still to take (see Pipeline). */
  plan: PipelineStep[];
  /** A step at which this run is fated to fail (tests, or an environment). */
  failAt?: string;
}

/** One step of the deploy workflow, taken per tick. */
export type PipelineStep =
  | { kind: 'start' }
  | { kind: 'test' }
  | { kind: 'build' }
  | { kind: 'queue'; environment: string }
  | { kind: 'progress'; environment: string }
  | { kind: 'finish'; environment: string }
  | { kind: 'complete' };

export type DeploymentStatusState =
  | 'error'
  | 'failure'
  | 'inactive'
  | 'pending'
  | 'success'
  | 'queued'
  | 'in_progress';

export interface DeploymentStatusRecord {
  id: number;
  state: DeploymentStatusState;
  description: string;
  creator: string;
  createdAt: number;
  logUrl: string;
  environmentUrl: string;
}

export interface DeploymentRecord {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  payload: Record<string, unknown> | string;
  description: string | null;
  creator: string;
  createdAt: number;
  updatedAt: number;
  transient: boolean;
  production: boolean;
  /** Oldest first. */
  statuses: DeploymentStatusRecord[];
  runId?: number;
  jobId?: number;
}

export interface WorkflowRecord {
  id: number;
  name: string;
  path: string;
  createdAt: number;
  /** The `workflow_dispatch` inputs the workflow declares. */
  inputs: Record<string, { required: boolean; options?: string[] }>;
}

export interface RepositoryRecord {
  id: number;
  owner: string;
  name: string;
  description: string;
  language: string;
  team: string;
  createdAt: number;
  defaultBranch: string;
  workflow: WorkflowRecord;
  environments: EnvironmentRecord[];
  /** Main's history in topological (and chronological) order. */
  commits: CommitRecord[];
  pulls: PullRecord[];
  tags: TagRecord[];
  /** Oldest first. */
  runs: RunRecord[];
  /** Oldest first. */
  deployments: DeploymentRecord[];
}

export function fullName(repo: RepositoryRecord): string {
  return `${repo.owner}/${repo.name}`;
}
