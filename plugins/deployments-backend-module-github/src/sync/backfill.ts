import type { ProviderDeployment } from '@stagecraft/plugin-deployments-node';
import type { GithubRepositoryClient } from '../client/GithubClientFactory';
import { MalformedGithubResponseError } from '../client/githubErrors';
import { fromGraphqlState, isFinalState } from './deploymentStates';
import {
  GithubDeploymentFacts,
  RepositoryView,
  tagFromPayload,
  toProviderDeployment,
} from './githubDeployments';

/**
 * One page of deployments with their statuses. REST would need one request per
 * deployment for its statuses; GraphQL returns 100 deployments with up to 100
 * statuses each for one request (and about one rate-limit point).
 */
export const BACKFILL_QUERY = `
query StagecraftDeployments($owner: String!, $name: String!, $cursor: String) {
  repository(owner: $owner, name: $name) {
    deployments(first: 100, after: $cursor, orderBy: {field: CREATED_AT, direction: DESC}) {
      pageInfo { hasNextPage endCursor }
      nodes {
        databaseId commitOid environment task state createdAt updatedAt description payload
        creator { login }
        ref { name }
        statuses(first: 100) { nodes { state description logUrl environmentUrl createdAt } }
      }
    }
  }
  rateLimit { cost remaining resetAt }
}`;

interface GraphqlDeployment {
  databaseId: number | null;
  commitOid: string;
  environment: string | null;
  task: string | null;
  state: string | null;
  createdAt: string;
  updatedAt: string;
  description: string | null;
  payload: string | null;
  creator: { login: string } | null;
  ref: { name: string } | null;
  statuses: {
    nodes: Array<{
      state: string;
      description: string | null;
      logUrl: string | null;
      environmentUrl: string | null;
      createdAt: string;
    } | null> | null;
  } | null;
}

interface BackfillPage {
  repository: {
    deployments: {
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      nodes: Array<GraphqlDeployment | null> | null;
    };
  } | null;
  rateLimit?: { cost: number; remaining: number; resetAt: string } | null;
}

export interface BackfillResult {
  deployments: ProviderDeployment[];
  unfinished: GithubDeploymentFacts[];
  newestDeploymentId?: number;
  requests: number;
}

/** Reads the newest `maxPages` × 100 deployments with their statuses. */
export async function backfillDeployments(
  client: GithubRepositoryClient,
  view: RepositoryView,
  options: { maxPages: number; signal?: AbortSignal },
): Promise<BackfillResult> {
  const deployments: ProviderDeployment[] = [];
  const unfinished: GithubDeploymentFacts[] = [];
  let newestDeploymentId: number | undefined;
  let after: string | null = null;
  let requests = 0;
  for (let page = 0; page < options.maxPages; page++) {
    const data: BackfillPage = await client.octokit.graphql<BackfillPage>(
      BACKFILL_QUERY,
      {
        owner: client.repository.owner,
        name: client.repository.repo,
        cursor: after,
        request: { signal: options.signal },
      },
    );
    requests++;
    const connection = data?.repository?.deployments;
    if (!connection || !connection.pageInfo) {
      throw new MalformedGithubResponseError(
        'expected repository.deployments in the GraphQL answer',
      );
    }
    for (const node of connection.nodes ?? []) {
      if (!node || node.databaseId === null || !node.environment) {
        continue;
      }
      const facts: GithubDeploymentFacts = {
        id: node.databaseId,
        sha: node.commitOid,
        ref: node.ref?.name ?? node.commitOid,
        environment: node.environment,
        createdAt: node.createdAt,
        updatedAt: node.updatedAt,
        creator: node.creator?.login,
        description: node.description ?? undefined,
        payloadTag: tagFromPayload(node.payload),
      };
      const statuses = (node.statuses?.nodes ?? [])
        .filter(s => s !== null)
        .map(s => ({
          state: fromGraphqlState(s.state),
          at: s.createdAt,
          ...(s.description ? { description: s.description } : {}),
          ...(s.logUrl ? { logUrl: s.logUrl } : {}),
        }));
      const deployment = toProviderDeployment(facts, statuses, view);
      // The deployment-level state knows what no status says: ABANDONED
      // (rejected or cancelled while waiting) and DESTROYED.
      const overall = node.state ? fromGraphqlState(node.state) : undefined;
      const last = deployment.statuses[deployment.statuses.length - 1];
      if (overall && isFinalState(overall) && !isFinalState(last.state)) {
        deployment.statuses.push({ state: overall, at: node.updatedAt });
      }
      deployments.push(deployment);
      if (
        !isFinalState(deployment.statuses[deployment.statuses.length - 1].state)
      ) {
        unfinished.push(facts);
      }
      newestDeploymentId = Math.max(newestDeploymentId ?? 0, facts.id);
    }
    if (!connection.pageInfo.hasNextPage || !connection.pageInfo.endCursor) {
      break;
    }
    after = connection.pageInfo.endCursor;
  }
  return { deployments, unfinished, newestDeploymentId, requests };
}
