import {
  DeploymentState,
  FINAL_DEPLOYMENT_STATES,
} from '@stagecraft/plugin-deployments-common';

/**
 * REST and webhook deployment status states. REST has no `waiting`, but the
 * webhooks of GitHub Actions report it for jobs held by an environment review.
 */
const REST_STATES: Record<string, DeploymentState> = {
  pending: 'queued',
  queued: 'queued',
  in_progress: 'in_progress',
  waiting: 'waiting',
  success: 'success',
  failure: 'failure',
  error: 'error',
  inactive: 'inactive',
};

/** GraphQL `DeploymentStatusState` and `DeploymentState` values. */
const GRAPHQL_STATES: Record<string, DeploymentState> = {
  PENDING: 'queued',
  QUEUED: 'queued',
  IN_PROGRESS: 'in_progress',
  WAITING: 'waiting',
  SUCCESS: 'success',
  // ACTIVE is the deployment-level state of a successful, current deployment.
  ACTIVE: 'success',
  FAILURE: 'failure',
  ERROR: 'error',
  INACTIVE: 'inactive',
  // DESTROYED: a transient environment torn down; ABANDONED: never completed
  // (e.g. the review was rejected or the run cancelled).
  DESTROYED: 'inactive',
  ABANDONED: 'cancelled',
};

/** Maps a REST or webhook status state; unknown states are treated as still queued rather than dropped. */
export function fromRestState(state: string): DeploymentState {
  return REST_STATES[state.toLowerCase()] ?? 'queued';
}

/** Maps a GraphQL `DeploymentStatusState` or `DeploymentState`. */
export function fromGraphqlState(state: string): DeploymentState {
  return GRAPHQL_STATES[state.toUpperCase()] ?? 'queued';
}

export function isFinalState(state: DeploymentState): boolean {
  return FINAL_DEPLOYMENT_STATES.includes(state);
}
