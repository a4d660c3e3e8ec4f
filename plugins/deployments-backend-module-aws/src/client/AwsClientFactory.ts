import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import type { Config } from '@backstage/config';
import {
  AwsCredentialsManager,
  DefaultAwsCredentialsManager,
} from '@backstage/integration-aws-node';
import type { AwsProviderSettings, AwsService } from '../settings';
import { readAwsProviderSettings } from '../settings';

/** The SDK clients of one account and region, and who they act as. */
export interface AwsClients {
  accountId?: string;
  region: string;
  /**
   * The identity recorded for actions: the assumed role's ARN, else
   * `aws-account:<id>`, else `aws-default-credentials`. Never a key.
   */
  identity: string;
  codepipeline: CodePipelineClient;
  codedeploy: CodeDeployClient;
  cloudformation: CloudFormationClient;
  lambda: LambdaClient;
  cloudwatch: CloudWatchClient;
  tagging: ResourceGroupsTaggingAPIClient;
}

export interface AwsClientFactoryOptions {
  credentials: AwsCredentialsManager;
  settings: Pick<AwsProviderSettings, 'endpoints' | 'maxAttempts'>;
}

/**
 * Builds AWS SDK v3 clients per account and region with credentials from
 * `@backstage/integration-aws-node` (the `aws:` config: main account,
 * accounts by id, assumed roles with an external id), adaptive retries and
 * the configured endpoint overrides. Clients are reused; their credential
 * provider refreshes assumed-role credentials on its own.
 */
export class AwsClientFactory {
  private readonly credentials: AwsCredentialsManager;
  private readonly settings: AwsClientFactoryOptions['settings'];
  private readonly cache = new Map<string, Promise<AwsClients>>();

  static fromConfig(config: Config): AwsClientFactory {
    return new AwsClientFactory({
      credentials: DefaultAwsCredentialsManager.fromConfig(config),
      settings: readAwsProviderSettings(config),
    });
  }

  constructor(options: AwsClientFactoryOptions) {
    this.credentials = options.credentials;
    this.settings = options.settings;
  }

  /** The clients of an account (the main account's credentials when none is named) in a region. */
  forAccount(location: {
    accountId?: string;
    region: string;
  }): Promise<AwsClients> {
    const key = `${location.accountId ?? ''}/${location.region}`;
    let clients = this.cache.get(key);
    if (!clients) {
      clients = this.create(location);
      // A failed lookup (an account missing from the `aws:` config) is retried next time.
      clients.catch(() => this.cache.delete(key));
      this.cache.set(key, clients);
    }
    return clients;
  }

  private async create(location: {
    accountId?: string;
    region: string;
  }): Promise<AwsClients> {
    let provider;
    try {
      provider = await this.credentials.getCredentialProvider(
        location.accountId ? { accountId: location.accountId } : undefined,
      );
    } catch (error) {
      // eslint-disable-next-line @typescript-eslint/no-use-before-define
      throw new AwsCredentialsError(
        `No AWS credentials for account ${
          location.accountId ?? '(main account)'
        }: ${(error as Error).message}`,
      );
    }
    const common = (service: AwsService) => ({
      region: location.region,
      credentials: provider.sdkCredentialProvider,
      retryMode: 'adaptive',
      maxAttempts: this.settings.maxAttempts,
      ...(this.settings.endpoints[service]
        ? { endpoint: this.settings.endpoints[service] }
        : {}),
    });
    const accountId = location.accountId ?? provider.accountId;
    return {
      accountId,
      region: location.region,
      identity:
        provider.roleArn ??
        (accountId ? `aws-account:${accountId}` : 'aws-default-credentials'),
      codepipeline: new CodePipelineClient(common('codepipeline')),
      codedeploy: new CodeDeployClient(common('codedeploy')),
      cloudformation: new CloudFormationClient(common('cloudformation')),
      lambda: new LambdaClient(common('lambda')),
      cloudwatch: new CloudWatchClient(common('cloudwatch')),
      tagging: new ResourceGroupsTaggingAPIClient(common('tagging')),
    };
  }
}

/** The `aws:` config has no credentials for an account. */
export class AwsCredentialsError extends Error {
  name = 'AwsCredentialsError';
}
