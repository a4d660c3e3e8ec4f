import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import type { AwsCredentialsManager } from '@backstage/integration-aws-node';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsDeploymentProvider } from '../AwsDeploymentProvider';
import { AwsClientFactory } from '../client/AwsClientFactory';
import { readAwsProviderSettings } from '../settings';
import { SnsMessageVerifier } from '../webhooks/verifySnsMessage';

/** Test doubles of every AWS client the provider uses (aws-sdk-client-mock patches `send` of all instances). */
export const aws = {
  codepipeline: mockClient(CodePipelineClient),
  codedeploy: mockClient(CodeDeployClient),
  cloudformation: mockClient(CloudFormationClient),
  lambda: mockClient(LambdaClient),
  cloudwatch: mockClient(CloudWatchClient),
  tagging: mockClient(ResourceGroupsTaggingAPIClient),
};

export function resetAws() {
  for (const mock of Object.values(aws)) mock.reset();
}

/** Every AWS call made since the last reset, as `Service.Command`. */
export function awsCalls(): string[] {
  return Object.entries(aws).flatMap(([service, mock]) =>
    mock.calls().map(call => {
      const command = (call.args[0] as { constructor: { name: string } })
        .constructor.name;
      return `${service}.${command.replace(/Command$/, '')}`;
    }),
  );
}

export const ACCOUNT = '111111111111';
export const REGION = 'eu-west-1';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/stagecraft-readonly`;
export const PIPELINE_ARN = `arn:aws:codepipeline:${REGION}:${ACCOUNT}:payments-pipeline`;

/** A credentials manager that answers like an assumed role, with a fake key the tests look for in every message. */
export const FAKE_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
export const fakeCredentials: AwsCredentialsManager = {
  async getCredentialProvider(opts) {
    return {
      accountId: opts?.accountId ?? ACCOUNT,
      roleArn: ROLE_ARN,
      sdkCredentialProvider: async () => ({
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        secretAccessKey: FAKE_SECRET,
      }),
    };
  },
};

export function createTestProvider(
  config: Record<string, unknown> = {},
  options: {
    credentials?: AwsCredentialsManager;
    snsVerifier?: SnsMessageVerifier;
    confirmSubscription?: (url: string) => Promise<void>;
  } = {},
) {
  const reader = new ConfigReader({
    deployments: {
      aws: {
        defaultAccountId: ACCOUNT,
        defaultRegion: REGION,
        consoleBaseUrl: 'https://console.test/{region}',
        ...config,
      },
    },
  });
  const settings = readAwsProviderSettings(reader);
  const logger = mockServices.logger.mock();
  const provider = new AwsDeploymentProvider({
    clients: new AwsClientFactory({
      credentials: options.credentials ?? fakeCredentials,
      settings,
    }),
    settings,
    logger,
    ...(options.snsVerifier ? { snsVerifier: options.snsVerifier } : {}),
    ...(options.confirmSubscription
      ? { confirmSubscription: options.confirmSubscription }
      : {}),
  });
  return { provider, logger, settings };
}

export function entityWith(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments-api', namespace: 'default', annotations },
    spec: { type: 'service', owner: 'team-payments', lifecycle: 'production' },
  };
}

/** An AWS SDK service error as the SDK throws it. */
export function awsError(name: string, message: string, status = 400) {
  const error = new Error(message) as Error & {
    $metadata: { httpStatusCode: number };
    $fault: string;
  };
  error.name = name;
  error.$metadata = { httpStatusCode: status };
  error.$fault = status >= 500 ? 'server' : 'client';
  return error;
}
