import { ConfigReader } from '@backstage/config';
import {
  ACCOUNT,
  fakeCredentials,
  REGION,
  ROLE_ARN,
} from '../__testUtils__/awsMocks';
import { AwsClientFactory } from './AwsClientFactory';

describe('AwsClientFactory', () => {
  it('builds clients with adaptive retries, the configured attempts and per-service endpoints', async () => {
    const factory = new AwsClientFactory({
      credentials: fakeCredentials,
      settings: {
        maxAttempts: 5,
        endpoints: { codepipeline: 'http://localhost:7008/aws/codepipeline' },
      },
    });

    const clients = await factory.forAccount({
      accountId: ACCOUNT,
      region: REGION,
    });

    expect(clients.codepipeline.config.retryMode).toBe('adaptive');
    expect(await clients.codepipeline.config.maxAttempts()).toBe(5);
    expect(await clients.codepipeline.config.endpoint?.()).toMatchObject({
      hostname: 'localhost',
      port: 7008,
      path: '/aws/codepipeline',
    });
    expect(clients.cloudformation.config.endpoint).toBeUndefined();
    expect(await clients.lambda.config.region()).toBe(REGION);
  });

  it('records the assumed role as the identity, never a key', async () => {
    const clients = await new AwsClientFactory({
      credentials: fakeCredentials,
      settings: { maxAttempts: 3, endpoints: {} },
    }).forAccount({ accountId: ACCOUNT, region: REGION });

    expect(clients.identity).toBe(ROLE_ARN);
  });

  it('reads accounts and roles from the standard aws: config', async () => {
    const factory = AwsClientFactory.fromConfig(
      new ConfigReader({
        aws: {
          mainAccount: {
            accessKeyId: 'AKIAMAINACCOUNT00000',
            secretAccessKey: 'main-secret',
          },
          accounts: [
            {
              accountId: '222222222222',
              roleName: 'stagecraft-deployer',
              externalId: 'stagecraft',
            },
            {
              accountId: '333333333333',
              accessKeyId: 'AKIASTATIC0000000000',
              secretAccessKey: 'static-secret',
            },
          ],
        },
        deployments: { aws: { defaultRegion: 'us-west-2' } },
      }),
    );

    const assumed = await factory.forAccount({
      accountId: '222222222222',
      region: 'us-west-2',
    });
    const staticKeys = await factory.forAccount({
      accountId: '333333333333',
      region: 'us-west-2',
    });

    expect(assumed.identity).toBe(
      'arn:aws:iam::222222222222:role/stagecraft-deployer',
    );
    expect(staticKeys.identity).toBe('aws-account:333333333333');
    expect(
      JSON.stringify([assumed.identity, staticKeys.identity]),
    ).not.toContain('secret');
  });

  it('reuses the clients of an account and region', async () => {
    const factory = new AwsClientFactory({
      credentials: fakeCredentials,
      settings: { maxAttempts: 3, endpoints: {} },
    });

    const a = await factory.forAccount({ accountId: ACCOUNT, region: REGION });
    const b = await factory.forAccount({ accountId: ACCOUNT, region: REGION });
    const c = await factory.forAccount({
      accountId: ACCOUNT,
      region: 'us-east-1',
    });

    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('tries again after an account could not be resolved', async () => {
    let calls = 0;
    const factory = new AwsClientFactory({
      credentials: {
        async getCredentialProvider(opts) {
          calls++;
          if (calls === 1) throw new Error('no integration');
          return fakeCredentials.getCredentialProvider(opts);
        },
      },
      settings: { maxAttempts: 3, endpoints: {} },
    });

    await expect(
      factory.forAccount({ accountId: ACCOUNT, region: REGION }),
    ).rejects.toThrow(
      `No AWS credentials for account ${ACCOUNT}: no integration`,
    );
    await expect(
      factory.forAccount({ accountId: ACCOUNT, region: REGION }),
    ).resolves.toMatchObject({
      identity: ROLE_ARN,
    });
  });
});
