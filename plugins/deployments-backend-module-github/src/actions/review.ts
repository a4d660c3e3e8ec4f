import { AuthenticationError, ConflictError } from '@backstage/errors';
import type {
  ProviderActionResult,
  ProviderReviewRequest,
} from '@stagecraft/plugin-deployments-node';
import type { GithubRepositoryClient } from '../client/GithubClientFactory';
import { expectArray, expectObjectWith } from '../client/conditionalRequest';
import { toActionError } from '../client/githubErrors';
import type { RestPendingDeployment } from '../sync/githubTypes';

export interface ReviewOptions {
  request: ProviderReviewRequest;
  runId: number;
  githubEnvironment: string;
  /** Known from sync; gates opened by a webhook carry only the name. */
  environmentId?: number;
  /** True when the client acts with the user's own token. */
  asUser: boolean;
}

/**
 * Approves or rejects an environment a workflow run waits on. GitHub lets only
 * the environment's required reviewers do this, so the user's own token is
 * used when the browser supplied one; the identity recorded in the audit log
 * says whose credentials acted.
 */
export async function review(
  client: GithubRepositoryClient,
  options: ReviewOptions,
): Promise<ProviderActionResult> {
  const { request, runId, githubEnvironment } = options;
  const { octokit, repository } = client;
  const verb = request.decision === 'approve' ? 'approval' : 'rejection';
  const what = `the ${verb} of '${githubEnvironment}' for run ${runId} in ${repository.owner}/${repository.repo}`;
  const params = {
    owner: repository.owner,
    repo: repository.repo,
    run_id: runId,
  };

  let identity = client.identity;
  if (options.asUser) {
    identity = `github-user:${await loginOf(client)}`;
  }
  try {
    let environmentId = options.environmentId;
    if (environmentId === undefined) {
      const pending = await octokit.request(
        'GET /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments',
        params,
      );
      environmentId = expectArray<RestPendingDeployment>(
        pending.data,
        `pending deployments of run ${runId}`,
      ).find(p => p.environment.name === githubEnvironment)?.environment.id;
      if (environmentId === undefined) {
        throw new ConflictError(
          `Run ${runId} no longer waits for a review of '${githubEnvironment}'`,
        );
      }
    }
    await octokit.request(
      'POST /repos/{owner}/{repo}/actions/runs/{run_id}/pending_deployments',
      {
        ...params,
        environment_ids: [environmentId],
        state: request.decision === 'approve' ? 'approved' : 'rejected',
        comment: request.comment,
      },
    );
  } catch (error) {
    if (error instanceof ConflictError) throw error;
    throw toActionError(error, what);
  }
  return {
    identity,
    reference: String(runId),
    url: `${client.htmlUrl}/actions/runs/${runId}`,
  };
}

async function loginOf(client: GithubRepositoryClient): Promise<string> {
  try {
    const response = await client.octokit.request('GET /user');
    return expectObjectWith<{ login: string }>(
      response.data,
      'login',
      'the user',
    ).login;
  } catch (error) {
    if ((error as { status?: number }).status === 401) {
      throw new AuthenticationError(
        'GitHub rejected the token supplied by the browser (401); sign in to GitHub again',
      );
    }
    throw toActionError(error, 'identifying the GitHub user');
  }
}
