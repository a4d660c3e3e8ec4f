import { InputError } from '@backstage/errors';
import type { ProviderWebhookEvent } from '@stagecraft/plugin-deployments-node';
import { EnvironmentNames } from '../annotations';
import { fromRestState } from '../sync/deploymentStates';
import { gateIdOf, toGateReviewers } from '../sync/gates';
import {
  factsFromRest,
  RestDeploymentLike,
  toProviderDeployment,
  versionOf,
} from '../sync/githubDeployments';

/** The fields of GitHub's webhook payloads read here (see octokit/webhooks payload schemas). */
interface WebhookPayload {
  action?: string;
  repository?: { full_name?: string };
  deployment?: RestDeploymentLike;
  deployment_status?: {
    state: string;
    created_at: string;
    description?: string | null;
    log_url?: string;
    target_url?: string;
  };
  workflow_run?: {
    id: number;
    head_sha: string;
    html_url: string;
    updated_at?: string;
  } | null;
  workflow_job?: {
    run_id: number;
    head_sha: string;
    status: string;
    html_url?: string | null;
    started_at?: string;
    created_at?: string;
  };
  environment?: string;
  since?: string;
  reviewers?: Array<{
    type?: string;
    reviewer?: { login?: string; slug?: string; name?: string | null };
  }>;
  requestor?: { login?: string } | null;
  workflow_job_run?: { environment?: string };
  workflow_job_runs?: Array<{ environment?: string }>;
}

export interface TranslateOptions {
  event: string;
  body: Buffer;
  /** The environment names of the entities of a repository, by lower-cased `owner/repo`. */
  namesOf: (targetKey: string) => EnvironmentNames;
  /** `https://github.com` or the GitHub Enterprise host. */
  htmlBaseUrl: string;
}

/**
 * Turns one verified delivery into events for the core, from the payload
 * alone: no GitHub call happens here, so the answer goes back well within
 * GitHub's 10 seconds. Where a payload carries too little, the event asks
 * the core for a resync instead.
 */
export function translateWebhook(
  options: TranslateOptions,
): ProviderWebhookEvent[] {
  let payload: WebhookPayload;
  try {
    payload = JSON.parse(options.body.toString('utf8'));
  } catch {
    throw new InputError(
      `GitHub webhook '${options.event}' has a body that is not JSON`,
    );
  }
  const fullName = payload?.repository?.full_name;
  if (!fullName) {
    return [];
  }
  const targetKey = fullName.toLowerCase();
  const names = options.namesOf(targetKey);
  const view = {
    names,
    tags: {},
    htmlUrl: `${options.htmlBaseUrl}/${fullName}`,
  };

  switch (options.event) {
    case 'deployment': {
      if (!payload.deployment) return [];
      return [
        {
          routingKey: targetKey,
          deployments: [
            toProviderDeployment(factsFromRest(payload.deployment), [], view),
          ],
        },
      ];
    }
    case 'deployment_status': {
      const status = payload.deployment_status;
      if (!payload.deployment || !status) return [];
      const logUrl = status.log_url || status.target_url;
      const entry = {
        state: fromRestState(status.state),
        at: status.created_at,
        ...(status.description ? { description: status.description } : {}),
        ...(logUrl ? { logUrl } : {}),
      };
      // The delivery carries only the new status; the core appends it to the
      // history it has, ordered by time, whatever order deliveries arrive in.
      return [
        {
          routingKey: targetKey,
          deployments: [
            toProviderDeployment(
              factsFromRest(payload.deployment),
              [entry],
              view,
            ),
          ],
        },
      ];
    }
    case 'deployment_review':
      return [translateReview(payload, targetKey, names, view)];
    case 'workflow_job': {
      const job = payload.workflow_job;
      if (!job || !payload.deployment) {
        return [];
      }
      if (job.status !== 'waiting') {
        return [{ routingKey: targetKey, resync: true }];
      }
      // A job held by an environment. Its reviewers and its run's page are
      // not in the payload: the gate opens now, and the review event or the
      // resync fills them in (the store keeps what this report leaves out).
      const githubEnvironment = payload.deployment.environment;
      return [
        {
          routingKey: targetKey,
          openedGates: [
            {
              providerGateId: gateIdOf(job.run_id, githubEnvironment),
              environment: names.fromGithub(githubEnvironment),
              version: versionOf(job.head_sha, view),
              reviewers: [],
              type: 'provider-review',
              since:
                job.started_at ??
                job.created_at ??
                payload.deployment.created_at,
              details: { runId: String(job.run_id), githubEnvironment },
            },
          ],
          resync: true,
        },
      ];
    }
    case 'workflow_run':
      return [{ routingKey: targetKey, resync: true }];
    default:
      return [];
  }
}

function translateReview(
  payload: WebhookPayload,
  targetKey: string,
  names: EnvironmentNames,
  view: {
    names: EnvironmentNames;
    tags: Record<string, string>;
    htmlUrl: string;
  },
): ProviderWebhookEvent {
  const run = payload.workflow_run;
  if (!run) {
    return { routingKey: targetKey, resync: true };
  }
  if (payload.action === 'requested' && payload.environment) {
    const githubEnvironment = payload.environment;
    return {
      routingKey: targetKey,
      openedGates: [
        {
          providerGateId: gateIdOf(run.id, githubEnvironment),
          environment: names.fromGithub(githubEnvironment),
          version: versionOf(run.head_sha, view),
          reviewers: toGateReviewers(payload.reviewers),
          type: 'provider-review',
          since: payload.since ?? run.updated_at ?? new Date().toISOString(),
          ...(payload.requestor?.login
            ? { requestedBy: payload.requestor.login }
            : {}),
          url: run.html_url,
          details: { runId: String(run.id), githubEnvironment },
        },
      ],
    };
  }
  if (payload.action === 'approved' || payload.action === 'rejected') {
    const environments = new Set<string>();
    for (const job of [
      payload.workflow_job_run,
      ...(payload.workflow_job_runs ?? []),
    ]) {
      if (job?.environment) environments.add(job.environment);
    }
    if (payload.environment) environments.add(payload.environment);
    if (environments.size === 0) {
      return { routingKey: targetKey, resync: true };
    }
    return {
      routingKey: targetKey,
      closedGateIds: [...environments].map(e => gateIdOf(run.id, e)),
      // The run moves on (or fails); its deployments change right after.
      resync: true,
    };
  }
  return { routingKey: targetKey, resync: true };
}
