import { ConflictError, InputError } from '@backstage/errors';
import type {
  ProviderActionResult,
  ProviderPromoteRequest,
} from '@stagecraft/plugin-deployments-node';
import { PROMOTE_BY_DEPLOYMENT } from '../annotations';
import type { GithubRepositoryClient } from '../client/GithubClientFactory';
import { expectObjectWith } from '../client/conditionalRequest';
import { toActionError } from '../client/githubErrors';

const WORKFLOW = /^(?:[A-Za-z0-9._-]+\.ya?ml|\d+)$/;
const FULL_SHA = /^[0-9a-f]{40}$/;

export interface PromoteOptions {
  request: ProviderPromoteRequest;
  /** Workflow file name or id, or `deployment`. */
  promoteWith: string;
  /** The GitHub name of the target environment. */
  githubEnvironment: string;
}

/**
 * Starts a deployment of the request's version. Either dispatches the
 * entity's deploy workflow with `{ environment, version }` — the `ref` must be
 * a branch or tag, so it is the version's tag when known and the default
 * branch otherwise, and the exact SHA travels in the inputs — or creates a
 * GitHub deployment of the exact SHA, with `auto_merge: false` so GitHub
 * deploys that commit and nothing merged into it.
 */
export async function promote(
  client: GithubRepositoryClient,
  options: PromoteOptions,
): Promise<ProviderActionResult> {
  const { request, promoteWith, githubEnvironment } = options;
  const { octokit, repository } = client;
  const { sha, tag } = request.version;
  if (!FULL_SHA.test(sha)) {
    throw new InputError(
      `Version '${sha}' is not a full commit SHA; resolve it before promoting`,
    );
  }
  const what = `${request.kind} of ${
    tag ?? sha.slice(0, 7)
  } to '${githubEnvironment}' in ${repository.owner}/${repository.repo}`;

  if (promoteWith === PROMOTE_BY_DEPLOYMENT) {
    try {
      const response = await octokit.request(
        'POST /repos/{owner}/{repo}/deployments',
        {
          owner: repository.owner,
          repo: repository.repo,
          ref: sha,
          environment: githubEnvironment,
          task: 'deploy',
          auto_merge: false,
          required_contexts: [],
          payload: {
            stagecraft: {
              kind: request.kind,
              requestedBy: request.requestedBy,
              idempotencyKey: request.idempotencyKey,
              ...(tag ? { tag } : {}),
            },
          },
          description: describe(request).slice(0, 140),
        },
      );
      if (response.status !== 201) {
        // 202: GitHub merged the default branch instead of deploying; never
        // expected with auto_merge off, and not the requested version.
        throw new ConflictError(
          `GitHub did not create a deployment for the ${what}`,
        );
      }
      const deployment = expectObjectWith<{ id: number }>(
        response.data,
        'id',
        'the created deployment',
      );
      return {
        identity: client.identity,
        reference: String(deployment.id),
        url: `${client.htmlUrl}/deployments/${encodeURIComponent(
          githubEnvironment,
        )}`,
      };
    } catch (error) {
      if (error instanceof ConflictError) throw error;
      throw toActionError(error, `the ${what}`);
    }
  }

  if (!WORKFLOW.test(promoteWith)) {
    throw new InputError(
      `Promote workflow '${promoteWith}' is not a workflow file name (e.g. deploy.yml), a workflow id or '${PROMOTE_BY_DEPLOYMENT}'`,
    );
  }
  try {
    const ref = tag ?? (await defaultBranch(client));
    await octokit.request(
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      {
        owner: repository.owner,
        repo: repository.repo,
        workflow_id: promoteWith,
        ref,
        inputs: { environment: githubEnvironment, version: sha },
      },
    );
    return {
      identity: client.identity,
      url: `${client.htmlUrl}/actions/workflows/${encodeURIComponent(
        promoteWith,
      )}`,
    };
  } catch (error) {
    throw toActionError(error, `the ${what} through workflow ${promoteWith}`);
  }
}

function describe(request: ProviderPromoteRequest): string {
  const verb = request.kind === 'rollback' ? 'Roll back' : 'Promote';
  return `${verb} by ${request.requestedBy} via Stagecraft`;
}

async function defaultBranch(client: GithubRepositoryClient): Promise<string> {
  const response = await client.octokit.request('GET /repos/{owner}/{repo}', {
    owner: client.repository.owner,
    repo: client.repository.repo,
  });
  return expectObjectWith<{ default_branch: string }>(
    response.data,
    'default_branch',
    'the repository',
  ).default_branch;
}
