import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegrationRegistry,
  ScmIntegrations,
} from '@backstage/integration';
import { retry, type RetryOptions } from '@octokit/plugin-retry';
import { throttling, type ThrottlingOptions } from '@octokit/plugin-throttling';
import { Octokit } from '@octokit/rest';
import Bottleneck from 'bottleneck';
import type { GithubRepository } from '../annotations';

type OctokitPlugin = Parameters<typeof Octokit.plugin>[0];

// The plugins are typed against the @octokit/core hoisted to the repository
// root, an older major than the one @octokit/rest brings; at runtime they use
// only the hook API both share, so the cast is about type identity only.
const GithubOctokit: typeof Octokit = Octokit.plugin(
  throttling as unknown as OctokitPlugin,
  retry as unknown as OctokitPlugin,
);

/** An Octokit with the throttling and retry plugins. */
export type GithubOctokitClient = Octokit;

/** A client for one repository and who it acts as. */
export interface GithubRepositoryClient {
  octokit: GithubOctokitClient;
  repository: GithubRepository;
  /** `github-app`, `github-token` or `github-anonymous`; the audit log's provider identity. Never a token. */
  identity: string;
  /** Where people open the repository in a browser, e.g. `https://github.com/acme/payments-api`. */
  htmlUrl: string;
}

export interface GithubClientFactoryOptions {
  integrations: ScmIntegrationRegistry;
  credentialsProvider?: GithubCredentialsProvider;
  logger: LoggerService;
  /** Abort a single request after this long. Default 30 s. */
  requestTimeoutMs?: number;
  /** Base unit of retry and rate-limit waits (Octokit's `retryAfterBaseValue`). Default 1000 ms; tests lower it. */
  retryBaseMs?: number;
  /** Wait at most this long for a rate limit to reset before failing the call. Default 60 s. */
  maxRateLimitWaitSeconds?: number;
  /** Retries of 5xx answers, with quadratic backoff. Default 3. */
  retries?: number;
  /**
   * Minimum time between writes (and GraphQL queries, which Octokit's
   * throttling counts as writes). Default 1000 ms, as GitHub asks of
   * integrators; tests set 0.
   */
  writeSpacingMs?: number;
}

/**
 * Builds Octokit clients per repository with the credentials of the matching
 * `integrations.github` entry (token or GitHub App), or with a user's own
 * token for a single call.
 */
export class GithubClientFactory {
  private readonly integrations: ScmIntegrationRegistry;
  private readonly credentialsProvider: GithubCredentialsProvider;
  private readonly logger: LoggerService;
  private readonly requestTimeoutMs: number;
  private readonly retryBaseMs: number;
  private readonly maxRateLimitWaitSeconds: number;
  private readonly retries: number;
  private readonly writeGroup: Bottleneck.Group;

  static fromConfig(
    config: Config,
    options: Omit<GithubClientFactoryOptions, 'integrations'>,
  ): GithubClientFactory {
    return new GithubClientFactory({
      integrations: ScmIntegrations.fromConfig(config),
      ...options,
    });
  }

  constructor(options: GithubClientFactoryOptions) {
    this.integrations = options.integrations;
    this.credentialsProvider =
      options.credentialsProvider ??
      DefaultGithubCredentialsProvider.fromIntegrations(options.integrations);
    this.logger = options.logger;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.retryBaseMs = options.retryBaseMs ?? 1000;
    this.maxRateLimitWaitSeconds = options.maxRateLimitWaitSeconds ?? 60;
    this.retries = options.retries ?? 3;
    // Shared by every client of this factory, so the spacing holds across
    // repositories and credentials.
    this.writeGroup = new Bottleneck.Group({
      id: 'stagecraft-github-write',
      maxConcurrent: 1,
      minTime: options.writeSpacingMs ?? 1000,
    });
  }

  /** The host of the GitHub integration that serves a repository, preferring the one named by the entity's location. */
  hostFor(locationUrl?: string): string | undefined {
    if (locationUrl) {
      const byUrl = this.safeByUrl(locationUrl);
      if (byUrl) {
        return byUrl;
      }
    }
    const all = this.integrations.github.list();
    return (
      all.find(i => i.config.host === 'github.com')?.config.host ??
      all[0]?.config.host
    );
  }

  /** A client acting with the integration's own credentials (GitHub App installation or token). */
  async forRepository(
    repository: GithubRepository,
    host = 'github.com',
  ): Promise<GithubRepositoryClient> {
    const integration = this.integrationFor(host);
    const url = `https://${integration.config.host}/${repository.owner}/${repository.repo}`;
    const credentials = await this.credentialsProvider.getCredentials({ url });
    let identity = 'github-anonymous';
    if (credentials.token) {
      identity = credentials.type === 'app' ? 'github-app' : 'github-token';
    }
    return {
      octokit: this.createOctokit(
        integration.config.apiBaseUrl,
        credentials.token,
      ),
      repository,
      identity,
      htmlUrl: url,
    };
  }

  /**
   * A client acting as a person with their own token, for one call. The
   * identity is completed by the caller once it knows the login.
   */
  forUser(
    repository: GithubRepository,
    userToken: string,
    host = 'github.com',
  ): GithubRepositoryClient {
    const integration = this.integrationFor(host);
    return {
      octokit: this.createOctokit(integration.config.apiBaseUrl, userToken),
      repository,
      identity: 'github-user',
      htmlUrl: `https://${integration.config.host}/${repository.owner}/${repository.repo}`,
    };
  }

  private integrationFor(host: string) {
    const integration = this.integrations.github.byHost(host);
    if (!integration) {
      throw new InputError(
        `No GitHub integration is configured for host '${host}'; add it under integrations.github`,
      );
    }
    return integration;
  }

  private safeByUrl(url: string): string | undefined {
    try {
      return this.integrations.github.byUrl(url)?.config.host;
    } catch {
      return undefined;
    }
  }

  private createOctokit(
    baseUrl: string | undefined,
    token: string | undefined,
  ): GithubOctokitClient {
    const logger = this.logger;
    const maxWait = this.maxRateLimitWaitSeconds;
    const retryOptions: RetryOptions = {
      retries: this.retries,
      retryAfterBaseValue: this.retryBaseMs,
    };
    const throttleOptions: ThrottlingOptions = {
      retryAfterBaseValue: this.retryBaseMs,
      fallbackSecondaryRateRetryAfter: 60,
      write: this.writeGroup,
      // GitHub says when the budget resets (x-ratelimit-reset, retry-after).
      // Wait once if that is soon; otherwise fail the call so a sync does not
      // hold a scheduler slot for up to an hour.
      onRateLimit: (retryAfter, options, _octokit, retryCount) => {
        logger.warn(
          `GitHub rate limit reached for ${options.method} ${options.url}; resets in ${retryAfter}s`,
        );
        return retryCount < 1 && retryAfter <= maxWait;
      },
      onSecondaryRateLimit: (retryAfter, options, _octokit, retryCount) => {
        logger.warn(
          `GitHub secondary rate limit for ${options.method} ${options.url}; retry after ${retryAfter}s`,
        );
        return retryCount < 1 && retryAfter <= maxWait;
      },
    };
    const octokit = new GithubOctokit({
      auth: token,
      baseUrl,
      userAgent: 'stagecraft-deployments',
      // Octokit logs request details at debug level, and its request log
      // reports every non-2xx answer at error level — including each 304 of
      // an unchanged poll and each retried 5xx. Failures reach our logs once,
      // from the sync that records them, so only its warnings pass through.
      log: {
        debug: () => {},
        info: () => {},
        warn: message => logger.warn(message),
        error: () => {},
      },
      retry: retryOptions,
      throttle: throttleOptions,
    });
    const timeoutMs = this.requestTimeoutMs;
    // A request that hangs would otherwise block a sync forever.
    octokit.hook.before('request', options => {
      const timeout = AbortSignal.timeout(timeoutMs);
      const given = options.request?.signal as AbortSignal | undefined;
      options.request = {
        ...options.request,
        signal: given ? AbortSignal.any([given, timeout]) : timeout,
      };
    });
    return octokit;
  }
}
