import type {
  DeploymentStatusEntry,
  Version,
} from '@stagecraft/plugin-deployments-common';
import type { ProviderDeployment } from '@stagecraft/plugin-deployments-node';
import type { EnvironmentNames } from '../annotations';

/** What Stagecraft keeps of a GitHub deployment, whichever API reported it. */
export interface GithubDeploymentFacts {
  id: number;
  sha: string;
  ref: string;
  /** The GitHub environment name (before mapping to Stagecraft's name). */
  environment: string;
  createdAt: string;
  updatedAt: string;
  creator?: string;
  description?: string;
  /** A tag recorded by Stagecraft in the payload when it created the deployment. */
  payloadTag?: string;
}

/** How the deployments of one repository are presented to Stagecraft. */
export interface RepositoryView {
  names: EnvironmentNames;
  /** Tag names by commit SHA. */
  tags: Record<string, string>;
  /** e.g. `https://github.com/acme/payments-api` */
  htmlUrl: string;
}

/** The parts of REST's `deployment` and the webhook's `deployment` read here. */
export interface RestDeploymentLike {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  created_at: string;
  updated_at: string;
  description?: string | null;
  creator?: { login: string } | null;
  payload?: unknown;
}

export function factsFromRest(
  deployment: RestDeploymentLike,
): GithubDeploymentFacts {
  return {
    id: deployment.id,
    sha: deployment.sha,
    ref: deployment.ref,
    environment: deployment.environment,
    createdAt: deployment.created_at,
    updatedAt: deployment.updated_at,
    creator: deployment.creator?.login ?? undefined,
    description: deployment.description ?? undefined,
    payloadTag: tagFromPayload(deployment.payload),
  };
}

/** Reads `{ stagecraft: { tag } }`, which promote() writes into deployments it creates. */
export function tagFromPayload(payload: unknown): string | undefined {
  let value = payload;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  const tag = (value as { stagecraft?: { tag?: unknown } } | null)?.stagecraft
    ?.tag;
  return typeof tag === 'string' && tag ? tag : undefined;
}

export function versionOf(
  sha: string,
  view: RepositoryView,
  fallbackTag?: string,
): Version {
  const tag = view.tags[sha] ?? fallbackTag;
  return {
    sha,
    ...(tag ? { tag } : {}),
    url: `${view.htmlUrl}/commit/${sha}`,
  };
}

/**
 * Builds the deployment Stagecraft stores. The history starts with the
 * deployment's creation as `queued` (GitHub shows a deployment without
 * statuses as pending), followed by GitHub's statuses oldest first. Every path
 * (GraphQL, REST, webhooks) builds the same first entry, so the core can merge
 * histories from several sources by time and state.
 */
export function toProviderDeployment(
  facts: GithubDeploymentFacts,
  statuses: DeploymentStatusEntry[],
  view: RepositoryView,
): ProviderDeployment {
  const history: DeploymentStatusEntry[] = [
    { state: 'queued', at: facts.createdAt, description: 'Deployment created' },
    ...[...statuses].sort((a, b) => a.at.localeCompare(b.at)),
  ];
  const logUrl = [...history].reverse().find(s => s.logUrl)?.logUrl;
  const latest = history[history.length - 1];
  return {
    providerDeploymentId: String(facts.id),
    environment: view.names.fromGithub(facts.environment),
    version: versionOf(facts.sha, view, facts.payloadTag),
    statuses: history,
    createdAt: facts.createdAt,
    updatedAt: latest.at > facts.updatedAt ? latest.at : facts.updatedAt,
    ...(facts.creator ? { triggeredBy: facts.creator } : {}),
    url:
      logUrl ??
      `${view.htmlUrl}/deployments/${encodeURIComponent(facts.environment)}`,
    urlLabel: linkLabel(logUrl),
    ...(logUrl ? { logUrl } : {}),
    ...(facts.description ? { description: facts.description } : {}),
  };
}

/**
 * What a deployment's link opens, by the link: a workflow run (GitHub's run
 * URLs carry the run id, not its number, so it says "workflow run"), a job
 * of one, or else the environment's deployments page.
 */
export function linkLabel(logUrl: string | undefined): string {
  if (logUrl && /\/actions\/runs\/\d+\/job\/\d+/.test(logUrl)) {
    return 'workflow job';
  }
  if (logUrl && /\/actions\/runs\/\d+/.test(logUrl)) return 'workflow run';
  return 'deployments';
}
