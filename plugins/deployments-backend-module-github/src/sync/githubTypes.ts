import type { RestEndpointMethodTypes } from '@octokit/rest';

/** Response shapes of the REST endpoints this module reads, from Octokit's generated types. */
export type RestDeployment =
  RestEndpointMethodTypes['repos']['listDeployments']['response']['data'][number];
export type RestDeploymentStatus =
  RestEndpointMethodTypes['repos']['listDeploymentStatuses']['response']['data'][number];
export type RestEnvironments =
  RestEndpointMethodTypes['repos']['getAllEnvironments']['response']['data'];
export type RestEnvironment = NonNullable<
  RestEnvironments['environments']
>[number];
export type RestWorkflowRuns =
  RestEndpointMethodTypes['actions']['listWorkflowRunsForRepo']['response']['data'];
export type RestWorkflowRun = RestWorkflowRuns['workflow_runs'][number];
export type RestPendingDeployment =
  RestEndpointMethodTypes['actions']['getPendingDeploymentsForRun']['response']['data'][number];
export type RestTag =
  RestEndpointMethodTypes['repos']['listTags']['response']['data'][number];
export type RestComparison =
  RestEndpointMethodTypes['repos']['compareCommitsWithBasehead']['response']['data'];
export type RestCommit =
  RestEndpointMethodTypes['repos']['getCommit']['response']['data'];
export type RestPullRequestOfCommit =
  RestEndpointMethodTypes['repos']['listPullRequestsAssociatedWithCommit']['response']['data'][number];
