import type { components } from '@octokit/openapi-types';

/**
 * The GitHub REST shapes the sandbox serves, straight from GitHub's OpenAPI
 * description, so a response cannot drift from what api.github.com returns.
 */
type Schemas = components['schemas'];

export type SimpleUser = Schemas['simple-user'];
export type Team = Schemas['team'];
export type Repository = Schemas['repository'];
export type MinimalRepository = Schemas['minimal-repository'];
export type Deployment = Schemas['deployment'];
export type DeploymentStatus = Schemas['deployment-status'];
export type Environment = Schemas['environment'];
export type PendingDeployment = Schemas['pending-deployment'];
export type EnvironmentApprovals = Schemas['environment-approvals'];
export type WorkflowRun = Schemas['workflow-run'];
export type Workflow = Schemas['workflow'];
export type Job = Schemas['job'];
export type Commit = Schemas['commit'];
export type CommitComparison = Schemas['commit-comparison'];
export type DiffEntry = Schemas['diff-entry'];
export type PullRequestSimple = Schemas['pull-request-simple'];
export type Tag = Schemas['tag'];
export type BasicError = Schemas['basic-error'];
export type ValidationError = Schemas['validation-error'];

/** `GET /repos/{owner}/{repo}/environments` */
export interface EnvironmentList {
  total_count: number;
  environments: Environment[];
}

/** `GET /repos/{owner}/{repo}/actions/runs` */
export interface WorkflowRunList {
  total_count: number;
  workflow_runs: WorkflowRun[];
}

/** `GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs` */
export interface JobList {
  total_count: number;
  jobs: Job[];
}

/** `POST …/dispatches` with `return_run_details: true` (200). */
export interface WorkflowDispatchRunDetails {
  workflow_run_id: number;
  run_url: string;
  html_url: string;
}

export type PublicUser = components['schemas']['public-user'];
