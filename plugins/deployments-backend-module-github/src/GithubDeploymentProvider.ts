import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import type { Config } from '@backstage/config';
import {
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import type { Version } from '@stagecraft/plugin-deployments-common';
import type {
  DeploymentProvider,
  ProviderActionResult,
  ProviderComparison,
  ProviderPromoteRequest,
  ProviderReviewRequest,
  ProviderSnapshot,
  ProviderTarget,
  ProviderWebhookRequest,
  ProviderWebhookResult,
} from '@stagecraft/plugin-deployments-node';
import { promote } from './actions/promote';
import { review } from './actions/review';
import {
  DEFAULT_PROMOTE_WORKFLOW,
  EnvironmentNames,
  GITHUB_ENVIRONMENT_SCOPE_ANNOTATION,
  GITHUB_ENVIRONMENTS_ANNOTATION,
  GITHUB_PROMOTE_WORKFLOW_ANNOTATION,
  GithubRepository,
  parseRepositorySlug,
  readGithubRepository,
} from './annotations';
import {
  GithubClientFactory,
  GithubClientFactoryOptions,
  GithubRepositoryClient,
} from './client/GithubClientFactory';
import {
  describeGithubFailure,
  isTemporaryGithubFailure,
  MalformedGithubResponseError,
} from './client/githubErrors';
import { expectArray, expectObjectWith } from './client/conditionalRequest';
import { compareCommits } from './compare/compareCommits';
import { parseGateId } from './sync/gates';
import type { RestCommit, RestTag } from './sync/githubTypes';
import { syncRepository } from './sync/syncRepository';
import { translateWebhook } from './webhooks/translateWebhook';
import {
  deliveryKeyOf,
  header,
  verifyDelivery,
} from './webhooks/verifyDelivery';

const SOURCE_LOCATION = 'backstage.io/source-location';
const MANAGED_BY_LOCATION = 'backstage.io/managed-by-location';
const REF = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$/;

export interface GithubDeploymentProviderOptions {
  clients: GithubClientFactory;
  logger: LoggerService;
  /** `deployments.github.webhookSecret`; without it webhook deliveries are refused. */
  webhookSecret?: string;
  /** Pages of 100 deployments the first sync reads. Default 10. */
  backfillPages?: number;
  /** Commits listed by compare(). Default 1000. */
  maxCompareCommits?: number;
  /** `/commits/{sha}/pulls` lookups per compare() for commits whose message names no pull request. Default 30. */
  maxPullRequestLookups?: number;
}

/**
 * Stagecraft's view of GitHub: deployments and their statuses, environments
 * with their protection rules, workflow runs waiting for a review, and
 * compare; promotes through a workflow dispatch or a deployment and acts on
 * environment reviews.
 */
export class GithubDeploymentProvider implements DeploymentProvider {
  readonly id = 'github';

  private readonly clients: GithubClientFactory;
  private readonly logger: LoggerService;
  private readonly webhookSecret?: string;
  private readonly backfillPages: number;
  private readonly maxCompareCommits: number;
  private readonly maxPullRequestLookups: number;
  static fromConfig(
    config: Config,
    options: { logger: LoggerService } & Partial<
      Omit<GithubClientFactoryOptions, 'integrations' | 'logger'>
    >,
  ): GithubDeploymentProvider {
    return new GithubDeploymentProvider({
      clients: GithubClientFactory.fromConfig(config, options),
      logger: options.logger,
      webhookSecret: config.getOptionalString(
        'deployments.github.webhookSecret',
      ),
    });
  }

  constructor(options: GithubDeploymentProviderOptions) {
    this.clients = options.clients;
    this.logger = options.logger;
    this.webhookSecret = options.webhookSecret;
    this.backfillPages = options.backfillPages ?? 10;
    this.maxCompareCommits = options.maxCompareCommits ?? 1000;
    this.maxPullRequestLookups = options.maxPullRequestLookups ?? 30;
  }

  /**
   * One target per entity: its repository. The target covers every
   * environment, or with `stagecraft.io/github-environment-scope: mapped`
   * only those `stagecraft.io/github-environments` names (how entities that
   * share a repository keep their deployments apart). GitHub's environment
   * names are reported as they are; the core maps them with
   * `environmentNames`.
   */
  async targetsOf(entity: Entity): Promise<ProviderTarget[]> {
    const repository = readGithubRepository(entity);
    if (!repository) {
      return [];
    }
    const annotations = entity.metadata.annotations ?? {};
    const host = this.clients.hostFor(
      annotations[SOURCE_LOCATION]?.replace(/^url:/, '') ??
        annotations[MANAGED_BY_LOCATION]?.replace(/^url:/, ''),
    );
    if (!host) {
      return [];
    }
    const names = EnvironmentNames.parse(
      annotations[GITHUB_ENVIRONMENTS_ANNOTATION],
    );
    const scope = annotations[GITHUB_ENVIRONMENT_SCOPE_ANNOTATION]?.trim();
    const key = `${repository.owner}/${repository.repo}`.toLowerCase();
    return [
      {
        key,
        routingKeys: [key],
        environments: scope === 'mapped' ? names.stagecraftNames() : 'all',
        environmentNames: names.fromGithubMap(),
        changeSource: true,
        settings: {
          owner: repository.owner,
          repo: repository.repo,
          host,
          promoteWith:
            annotations[GITHUB_PROMOTE_WORKFLOW_ANNOTATION]?.trim() ||
            DEFAULT_PROMOTE_WORKFLOW,
          environments: names.toString(),
        },
      },
    ];
  }

  async sync(request: {
    entity: Entity;
    target: ProviderTarget;
    cursor?: string;
    signal?: AbortSignal;
  }): Promise<ProviderSnapshot> {
    const { repository, host } = this.settingsOf(request.target);
    const slug = `${repository.owner}/${repository.repo}`;
    try {
      const client = await this.clients.forRepository(repository, host);
      return await syncRepository({
        client,
        // GitHub's names as they are: the core maps them with the target's environmentNames.
        names: EnvironmentNames.parse(undefined),
        cursor: request.cursor,
        signal: request.signal,
        backfillPages: this.backfillPages,
      });
    } catch (error) {
      const message = describeGithubFailure(
        error,
        `syncing deployments of ${slug}`,
      );
      this.logger.warn(message);
      throw new Error(message);
    }
  }

  async compare(request: {
    entity: Entity;
    target: ProviderTarget;
    fromSha: string;
    toSha: string;
  }): Promise<ProviderComparison> {
    const { repository, host } = this.settingsOf(request.target);
    for (const ref of [request.fromSha, request.toSha]) {
      if (!REF.test(ref)) {
        throw new InputError(
          `'${ref}' is not a commit or ref that can be compared`,
        );
      }
    }
    const client = await this.clients.forRepository(repository, host);
    try {
      return await compareCommits(client, {
        fromSha: request.fromSha,
        toSha: request.toSha,
        maxCommits: this.maxCompareCommits,
        maxPullRequestLookups: this.maxPullRequestLookups,
      });
    } catch (error) {
      if ((error as { status?: number }).status === 404) {
        throw new NotFoundError(
          `GitHub cannot compare ${request.fromSha}...${request.toSha} in ${repository.owner}/${repository.repo}`,
        );
      }
      const message = describeGithubFailure(
        error,
        `comparing ${request.fromSha}...${request.toSha} in ${repository.owner}/${repository.repo}`,
      );
      // The core answers 503 for a ServiceUnavailableError: try again later.
      throw isTemporaryGithubFailure(error)
        ? new ServiceUnavailableError(message)
        : new Error(message);
    }
  }

  async resolveVersion(request: {
    entity: Entity;
    target: ProviderTarget;
    ref: string;
  }): Promise<Version | undefined> {
    const { repository, host } = this.settingsOf(request.target);
    if (!REF.test(request.ref)) {
      throw new InputError(
        `'${request.ref}' is not a tag, branch or commit SHA`,
      );
    }
    const client = await this.clients.forRepository(repository, host);
    const params = { owner: repository.owner, repo: repository.repo };
    try {
      const commit = expectObjectWith<RestCommit>(
        (
          await client.octokit.request(
            'GET /repos/{owner}/{repo}/commits/{ref}',
            {
              ...params,
              ref: request.ref,
            },
          )
        ).data,
        'sha',
        'a commit',
      );
      const tags = expectArray<RestTag>(
        (
          await client.octokit.request('GET /repos/{owner}/{repo}/tags', {
            ...params,
            per_page: 100,
          })
        ).data,
        'tags',
      );
      const tag =
        tags.find(t => t.name === request.ref && t.commit.sha === commit.sha) ??
        tags.find(t => t.commit.sha === commit.sha);
      return {
        sha: commit.sha,
        ...(tag ? { tag: tag.name } : {}),
        message: commit.commit.message.split('\n')[0],
        url: commit.html_url,
      };
    } catch (error) {
      const status = (error as { status?: number }).status;
      // GitHub answers 404 for an unknown ref and 422 for an unknown SHA.
      if (status === 404 || status === 422) {
        return undefined;
      }
      if (
        error instanceof MalformedGithubResponseError ||
        status !== undefined
      ) {
        throw new Error(
          describeGithubFailure(error, `resolving '${request.ref}'`),
        );
      }
      throw error;
    }
  }

  async promote(
    request: ProviderPromoteRequest,
  ): Promise<ProviderActionResult> {
    const { repository, host, names, promoteWith } = this.settingsOf(
      request.target,
    );
    const client = await this.clients.forRepository(repository, host);
    return promote(client, {
      request,
      promoteWith,
      githubEnvironment: names.toGithub(request.environment),
    });
  }

  async review(request: ProviderReviewRequest): Promise<ProviderActionResult> {
    const { repository, host } = this.settingsOf(request.target);
    const details = request.gate.details ?? {};
    const fromId = parseGateId(request.gate.id.replace(/^github:/, ''));
    const runId = Number(details.runId ?? fromId?.runId);
    const githubEnvironment =
      details.githubEnvironment ?? fromId?.githubEnvironment;
    if (!Number.isSafeInteger(runId) || !githubEnvironment) {
      throw new InputError(
        `Gate '${request.gate.id}' does not name a GitHub workflow run`,
      );
    }
    const environmentId =
      details.environmentId !== undefined
        ? Number(details.environmentId)
        : undefined;
    const client: GithubRepositoryClient = request.userToken
      ? this.clients.forUser(repository, request.userToken, host)
      : await this.clients.forRepository(repository, host);
    return review(client, {
      request,
      runId,
      githubEnvironment,
      environmentId: Number.isSafeInteger(environmentId)
        ? environmentId
        : undefined,
      asUser: Boolean(request.userToken),
    });
  }

  async handleWebhook(
    request: ProviderWebhookRequest,
  ): Promise<ProviderWebhookResult> {
    await verifyDelivery(this.webhookSecret, request.rawBody, request.headers);
    const deliveryKey = deliveryKeyOf(request.headers);
    const event = header(request.headers, 'x-github-event');
    if (!event) {
      // GitHub names the event of every delivery; without it nothing can be read.
      throw new InputError(
        'GitHub webhook delivery has no X-GitHub-Event header',
      );
    }
    const host = this.clients.hostFor() ?? 'github.com';
    const events = translateWebhook({
      event,
      body: request.rawBody,
      // GitHub's names as they are: the core maps them with the stored
      // target's environmentNames, on any replica, right after a restart.
      namesOf: () => EnvironmentNames.parse(undefined),
      htmlBaseUrl: `https://${host}`,
    });
    return { deliveryKey, events };
  }

  /** Reads what targetsOf() stored in the target; refuses targets this provider did not make. */
  private settingsOf(target: ProviderTarget): {
    repository: GithubRepository;
    host: string;
    names: EnvironmentNames;
    promoteWith: string;
  } {
    const details = target.settings ?? {};
    const repository = parseRepositorySlug(
      details.owner && details.repo
        ? `${details.owner}/${details.repo}`
        : target.key,
    );
    if (!repository) {
      throw new InputError(
        `'${target.key}' is not a GitHub repository (owner/repo)`,
      );
    }
    return {
      repository,
      host: details.host ?? 'github.com',
      names: EnvironmentNames.parse(details.environments),
      promoteWith: details.promoteWith ?? DEFAULT_PROMOTE_WORKFLOW,
    };
  }
}
