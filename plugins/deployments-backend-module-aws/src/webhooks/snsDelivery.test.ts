import { generateKeyPairSync } from 'crypto';
import { createTestProvider, PIPELINE_ARN } from '../__testUtils__/awsMocks';
import {
  CERT_URL,
  delivery,
  notification,
  signedSnsMessage,
  serveSnsCertificates,
  TEST_SNS_CERT,
  TOPIC,
} from '../__testUtils__/snsSigning';
import { SnsMessageVerifier } from './verifySnsMessage';

// SNS's own certificates are fetched by sns-validator, from here.
const snsHosts = serveSnsCertificates();

function setup(config: Record<string, unknown> = {}) {
  snsHosts.requested.length = 0;
  const fetched = snsHosts.requested;
  const confirmed: string[] = [];
  const verifier = new SnsMessageVerifier({
    sandboxHost: (config.sandboxHost as string) ?? undefined,
    fetchText: async url => {
      fetched.push(url);
      return TEST_SNS_CERT;
    },
  });
  const { provider } = createTestProvider(
    { sns: { topicArns: [TOPIC] } },
    {
      snsVerifier: verifier,
      confirmSubscription: async url => {
        confirmed.push(url);
      },
    },
  );
  return { provider, fetched, confirmed };
}

const SUBSCRIBE_URL =
  'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=abc';

describe('SNS deliveries', () => {
  it('confirms the subscription of a configured topic and answers SNS itself', async () => {
    const { provider, confirmed } = setup();
    const message = signedSnsMessage({
      Type: 'SubscriptionConfirmation',
      Message: 'You have chosen to subscribe',
      Token: 'abc',
      SubscribeURL: SUBSCRIBE_URL,
    });

    const result = await provider.handleWebhook(delivery(message));

    expect(confirmed).toEqual([SUBSCRIBE_URL]);
    expect(result).toEqual({
      deliveryKey: message.MessageId,
      events: [],
      reply: { status: 200, body: { confirmed: true, topicArn: TOPIC } },
    });
  });

  it('refuses a confirmation of another topic with 403 and confirms nothing', async () => {
    const { provider, confirmed } = setup();
    const message = signedSnsMessage({
      Type: 'SubscriptionConfirmation',
      TopicArn: 'arn:aws:sns:eu-west-1:999999999999:somebody-else',
      Message: 'subscribe',
      Token: 'abc',
      SubscribeURL: SUBSCRIBE_URL,
    });

    await expect(
      provider.handleWebhook(delivery(message)),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
    expect(confirmed).toEqual([]);
  });

  it('refuses a confirmation whose SubscribeURL is not an SNS host', async () => {
    const { provider, confirmed } = setup();
    const message = signedSnsMessage({
      Type: 'SubscriptionConfirmation',
      Message: 'subscribe',
      Token: 'abc',
      SubscribeURL: 'https://evil.example.com/confirm',
    });

    await expect(
      provider.handleWebhook(delivery(message)),
    ).rejects.toMatchObject({
      name: 'AuthenticationError',
    });
    expect(confirmed).toEqual([]);
  });

  it('refuses a message signed by another key', async () => {
    const { provider } = setup();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = signedSnsMessage(
      { Type: 'Notification', Message: '{}' },
      { key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string },
    );

    await expect(
      provider.handleWebhook(delivery(forged)),
    ).rejects.toMatchObject({
      name: 'AuthenticationError',
      message: 'The SNS message signature is not valid',
    });
  });

  it('refuses a message whose body was changed after signing', async () => {
    const { provider } = setup();
    const message = notification({ source: 'aws.codepipeline' });
    message.Message = JSON.stringify({ source: 'aws.codedeploy' });

    await expect(
      provider.handleWebhook(delivery(message)),
    ).rejects.toMatchObject({
      name: 'AuthenticationError',
    });
  });

  it('fetches the certificate only from an SNS host', async () => {
    const { provider, fetched } = setup();
    const message = signedSnsMessage({
      Type: 'Notification',
      Message: '{}',
      SigningCertURL:
        'https://sns.eu-west-1.amazonaws.com.evil.example/cert.pem',
    });

    await expect(
      provider.handleWebhook(delivery(message)),
    ).rejects.toMatchObject({
      name: 'AuthenticationError',
    });
    expect(fetched).toEqual([]);
  });

  it('accepts the sandbox certificate host only when it is configured', async () => {
    const sandboxCert = 'http://localhost:7008/sns/cert.pem';
    const message = signedSnsMessage({
      Type: 'Notification',
      Message: '{}',
      SigningCertURL: sandboxCert,
    });

    await expect(
      setup().provider.handleWebhook(delivery(message)),
    ).rejects.toMatchObject({
      name: 'AuthenticationError',
    });
    const sandboxed = setup({ sandboxHost: 'localhost:7008' });
    await expect(
      sandboxed.provider.handleWebhook(delivery(message)),
    ).resolves.toMatchObject({
      deliveryKey: message.MessageId,
    });
    expect(sandboxed.fetched).toEqual([sandboxCert]);
  });

  it('verifies SignatureVersion 1 (SHA1) messages too', async () => {
    const { provider } = setup();
    const message = signedSnsMessage(
      { Type: 'Notification', Message: '{}' },
      { version: '1' },
    );

    await expect(
      provider.handleWebhook(delivery(message)),
    ).resolves.toMatchObject({ events: [] });
  });

  it('answers a body that is not an SNS message with an InputError', async () => {
    const { provider } = setup();

    await expect(
      provider.handleWebhook({
        headers: {},
        rawBody: Buffer.from('{"hello":"world"}'),
      }),
    ).rejects.toMatchObject({ name: 'InputError' });
    await expect(
      provider.handleWebhook({ headers: {}, rawBody: Buffer.from('not json') }),
    ).rejects.toMatchObject({ name: 'InputError' });
  });

  it('translates a decided approval into a closed gate and a resync of the pipeline', async () => {
    const { provider } = setup();
    const message = notification({
      source: 'aws.codepipeline',
      'detail-type': 'CodePipeline Action Execution State Change',
      account: '111111111111',
      region: 'eu-west-1',
      resources: [PIPELINE_ARN],
      detail: {
        pipeline: 'payments-pipeline',
        'execution-id': 'exec-1',
        stage: 'Approve',
        action: 'ProductionApproval',
        state: 'SUCCEEDED',
        type: {
          owner: 'AWS',
          category: 'Approval',
          provider: 'Manual',
          version: '1',
        },
      },
    });

    const result = await provider.handleWebhook(delivery(message));

    expect(result).toEqual({
      deliveryKey: message.MessageId,
      events: [
        {
          routingKey: PIPELINE_ARN,
          resync: true,
          closedGateIds: [
            'approval/payments-pipeline/Approve/ProductionApproval/exec-1',
          ],
        },
      ],
    });
  });

  it('routes CodeDeploy and CloudFormation events to the stack target keys', async () => {
    const { provider } = setup();
    const codedeploy = await provider.handleWebhook(
      delivery(
        notification(
          {
            source: 'aws.codedeploy',
            'detail-type': 'CodeDeploy Deployment State-change Notification',
            account: '111111111111',
            region: 'eu-west-1',
            resources: [
              'arn:aws:codedeploy:eu-west-1:111111111111:application:app',
              'arn:aws:codedeploy:eu-west-1:111111111111:deploymentgroup:app/group',
            ],
            detail: {
              application: 'app',
              deploymentGroup: 'group',
              deploymentId: 'd-1',
              state: 'START',
            },
          },
          'm-2',
        ),
      ),
    );
    const cloudformation = await provider.handleWebhook(
      delivery(
        notification(
          {
            source: 'aws.cloudformation',
            'detail-type': 'CloudFormation Stack Status Change',
            account: '111111111111',
            region: 'eu-west-1',
            detail: {
              'stack-id':
                'arn:aws:cloudformation:eu-west-1:111111111111:stack/payments-prod/5b7e0f60',
              'status-details': { status: 'UPDATE_IN_PROGRESS' },
            },
          },
          'm-3',
        ),
      ),
    );

    expect(codedeploy.events).toEqual([
      {
        routingKey:
          'arn:aws:codedeploy:eu-west-1:111111111111:deploymentgroup:app/group',
        resync: true,
      },
    ]);
    expect(cloudformation.events).toEqual([
      {
        routingKey:
          'arn:aws:cloudformation:eu-west-1:111111111111:stack/payments-prod',
        resync: true,
      },
    ]);
    expect(cloudformation.deliveryKey).toBe('m-3');
  });

  it('caches the signing certificate by URL', async () => {
    const { provider, fetched } = setup();
    const certUrl = CERT_URL.replace('.pem', '-cached.pem');
    for (const MessageId of ['a', 'b']) {
      await provider.handleWebhook(
        delivery(
          signedSnsMessage({
            Type: 'Notification',
            Message: '{}',
            MessageId,
            SigningCertURL: certUrl,
          }),
        ),
      );
    }

    expect(fetched).toEqual([certUrl]);
  });
});
