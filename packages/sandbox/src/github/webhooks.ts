import { createHmac, randomUUID } from 'node:crypto';
import type { components } from '@octokit/openapi-types';
import { WorldEvent } from '../world/events';
import { JobRecord, RepositoryRecord, RunRecord } from '../world/model';
import { GithubRepresentation, isoTime } from './representations';
import {
  Deployment,
  DeploymentStatus,
  Job,
  Repository,
  SimpleUser,
  Workflow,
  WorkflowRun,
} from './schemas';

type Webhooks = components['schemas'];

/**
 * Webhook payloads. GitHub embeds the same objects its REST API returns, so
 * the embedded objects reuse the REST schemas; the `action` values come from
 * GitHub's webhook schemas.
 */
interface Envelope {
  repository: Repository;
  sender: SimpleUser;
}

export interface DeploymentCreatedPayload extends Envelope {
  action: Webhooks['webhook-deployment-created']['action'];
  deployment: Deployment;
  workflow: Workflow | null;
  workflow_run: WorkflowRun | null;
}

export interface DeploymentStatusCreatedPayload extends Envelope {
  action: Webhooks['webhook-deployment-status-created']['action'];
  deployment_status: DeploymentStatus;
  deployment: Deployment;
  check_run: null;
  workflow?: Workflow;
  workflow_run?: WorkflowRun;
}

interface WorkflowJobRun {
  id: number;
  name: string;
  status: string;
  conclusion: string | null;
  html_url: string;
  environment: string;
  created_at: string;
  updated_at: string;
}

type ReviewerEntry =
  | { type: 'User'; reviewer: SimpleUser }
  | { type: 'Team'; reviewer: components['schemas']['team'] };

export interface DeploymentReviewPayload extends Envelope {
  action:
    | Webhooks['webhook-deployment-review-requested']['action']
    | Webhooks['webhook-deployment-review-approved']['action']
    | Webhooks['webhook-deployment-review-rejected']['action'];
  since: string;
  workflow_run: WorkflowRun;
  reviewers: ReviewerEntry[];
  /** requested */
  environment?: string;
  workflow_job_run?: WorkflowJobRun;
  requestor?: SimpleUser;
  /** approved / rejected */
  workflow_job_runs?: WorkflowJobRun[];
  approver?: SimpleUser;
  comment?: string;
}

export interface WorkflowRunPayload extends Envelope {
  action: 'requested' | 'in_progress' | 'completed';
  workflow_run: WorkflowRun;
  workflow: Workflow;
}

export interface WorkflowJobPayload extends Envelope {
  action: 'queued' | 'in_progress' | 'completed' | 'waiting';
  workflow_job: Job;
  deployment?: Deployment;
}

export interface WebhookDelivery {
  event: WorldEvent['kind'];
  payload:
    | DeploymentCreatedPayload
    | DeploymentStatusCreatedPayload
    | DeploymentReviewPayload
    | WorkflowRunPayload
    | WorkflowJobPayload;
}

/** Builds the payload GitHub would deliver for an event of the world. */
export function webhookFor(
  present: GithubRepresentation,
  event: WorldEvent,
): WebhookDelivery {
  const repo = event.repository;
  const envelope: Envelope = {
    repository: present.repository(repo),
    sender: present.user(event.sender),
  };
  switch (event.kind) {
    case 'deployment':
      return {
        event: event.kind,
        payload: {
          action: 'created',
          deployment: present.deployment(repo, event.deployment),
          workflow: event.run ? present.workflow(repo) : null,
          workflow_run: event.run ? present.run(repo, event.run) : null,
          ...envelope,
        },
      };
    case 'deployment_status':
      return {
        event: event.kind,
        payload: {
          action: 'created',
          deployment_status: present.deploymentStatus(
            repo,
            event.deployment,
            event.status,
          ),
          deployment: present.deployment(repo, event.deployment),
          check_run: null,
          ...(event.run
            ? {
                workflow: present.workflow(repo),
                workflow_run: present.run(repo, event.run),
              }
            : {}),
          ...envelope,
        },
      };
    case 'deployment_review': {
      const environment = repo.environments.find(
        e => e.name === event.job.environment,
      )!;
      const jobRun = workflowJobRun(present, repo, event.run, event.job);
      const common = {
        since: isoTime(event.run.gate?.since ?? event.run.createdAt),
        workflow_run: present.run(repo, event.run),
        reviewers:
          present
            .environment(repo, environment)
            .protection_rules?.flatMap(rule =>
              'reviewers' in rule && rule.reviewers
                ? (rule.reviewers as ReviewerEntry[])
                : [],
            ) ?? [],
        ...envelope,
      };
      if (event.action === 'requested') {
        return {
          event: event.kind,
          payload: {
            action: 'requested',
            environment: environment.name,
            workflow_job_run: jobRun,
            requestor: present.user(event.run.actor),
            ...common,
          },
        };
      }
      return {
        event: event.kind,
        payload: {
          action: event.action,
          workflow_job_runs: [jobRun],
          approver: present.user(event.review!.user),
          comment: event.review!.comment,
          ...common,
        },
      };
    }
    case 'workflow_run':
      return {
        event: event.kind,
        payload: {
          action: event.action,
          workflow_run: present.run(repo, event.run),
          workflow: present.workflow(repo),
          ...envelope,
        },
      };
    case 'workflow_job':
      return {
        event: event.kind,
        payload: {
          action: event.action,
          workflow_job: present.job(repo, event.run, event.job),
          ...(event.deployment
            ? { deployment: present.deployment(repo, event.deployment) }
            : {}),
          ...envelope,
        },
      };
    default:
      throw new Error('unknown event');
  }
}

function workflowJobRun(
  present: GithubRepresentation,
  repo: RepositoryRecord,
  run: RunRecord,
  job: JobRecord,
): WorkflowJobRun {
  const presented = present.job(repo, run, job);
  return {
    id: job.id,
    name: job.name,
    status: job.status,
    conclusion: job.conclusion,
    html_url: presented.html_url ?? '',
    environment: job.environment ?? '',
    created_at: presented.created_at,
    updated_at: presented.completed_at ?? presented.started_at,
  };
}

/** `sha256=<hex HMAC-SHA256 of the raw body>`, GitHub's X-Hub-Signature-256. */
export function signatureOf(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret)
    .update(body, 'utf8')
    .digest('hex')}`;
}

export interface WebhookLogger {
  info(message: string): void;
  warn(message: string): void;
}

export interface WebhookSenderOptions {
  url: string | (() => string);
  secret: string;
  hookId: number;
  logger: WebhookLogger;
  timeoutMs?: number;
}

/**
 * Delivers webhooks one at a time, in the order the events happened, signed
 * like GitHub signs them. A failed delivery is logged and dropped (GitHub does
 * not retry either); it never stops the sandbox.
 */
export class WebhookSender {
  private queue: Promise<void> = Promise.resolve();
  private delivered = 0;
  private failed = 0;
  /** Failures since the last success: only the first of a streak is logged. */
  private failingSince = 0;

  constructor(private readonly options: WebhookSenderOptions) {}

  send(delivery: WebhookDelivery, targetId: number) {
    this.queue = this.queue.then(() => this.deliver(delivery, targetId));
  }

  /** Resolves once everything sent so far has been attempted. */
  async flush(): Promise<void> {
    await this.queue;
  }

  get stats() {
    return { delivered: this.delivered, failed: this.failed };
  }

  private async deliver(delivery: WebhookDelivery, targetId: number) {
    const { secret, hookId, logger } = this.options;
    const url = this.url();
    const body = JSON.stringify(delivery.payload);
    const id = randomUUID();
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'GitHub-Hookshot/stagecraft-sandbox',
          'x-github-event': delivery.event,
          'x-github-delivery': id,
          'x-github-hook-id': String(hookId),
          'x-github-hook-installation-target-type': 'repository',
          'x-github-hook-installation-target-id': String(targetId),
          'x-hub-signature-256': signatureOf(body, secret),
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      if (!response.ok) {
        this.fail(
          `${delivery.event}.${delivery.payload.action} (${id}) answered ${response.status}`,
        );
        return;
      }
      if (this.failingSince > 0) {
        logger.info(
          `Webhook deliveries to ${url} work again after ${this.failingSince} failures`,
        );
      }
      this.failingSince = 0;
      this.delivered++;
    } catch (error) {
      this.fail(
        `${delivery.event}.${delivery.payload.action} (${id}) failed: ${
          (error as Error).message
        }`,
      );
    }
  }

  private url(): string {
    const { url } = this.options;
    return typeof url === 'function' ? url() : url;
  }

  private fail(what: string) {
    this.failed++;
    this.failingSince++;
    // A portal that is not running yet would otherwise flood the log.
    if (this.failingSince === 1) {
      this.options.logger.warn(
        `Webhook ${what} at ${this.url()}; further failures are counted quietly until a delivery succeeds`,
      );
    }
  }
}
