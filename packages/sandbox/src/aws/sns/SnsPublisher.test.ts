import { StartPipelineExecutionCommand } from '@aws-sdk/client-codepipeline';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { createVerify } from 'node:crypto';
import { SandboxServer } from '../../server';
import { github, startTestSandbox } from '../../__testUtils__/sandbox';
import { awsClients } from '../../__testUtils__/aws';

interface Received {
  headers: Record<string, string | string[] | undefined>;
  message: Record<string, string>;
}

/**
 * The string SNS signs, rebuilt here the way sns-validator 0.3.5 rebuilds it
 * (its signable keys, `Key\nValue\n` for each present one), independently of
 * the sandbox's own code.
 */
function canonical(message: Record<string, string>) {
  const keys =
    message.Type === 'SubscriptionConfirmation' ||
    message.Type === 'UnsubscribeConfirmation'
      ? [
          'Message',
          'MessageId',
          'Subject',
          'SubscribeURL',
          'Timestamp',
          'Token',
          'TopicArn',
          'Type',
        ]
      : [
          'Message',
          'MessageId',
          'Subject',
          'SubscribeURL',
          'Timestamp',
          'TopicArn',
          'Type',
        ];
  return keys
    .filter(k => message[k] !== undefined && message[k] !== null)
    .map(k => `${k}\n${message[k]}\n`)
    .join('');
}

async function verifies(
  message: Record<string, string>,
  allowedCertHost: string,
) {
  const url = new URL(message.SigningCertURL);
  // What a provider configured for the sandbox checks instead of sns.<region>.amazonaws.com.
  if (url.host !== allowedCertHost || !url.pathname.endsWith('.pem'))
    return false;
  if (message.SignatureVersion !== '2') return false;
  const pem = await (await fetch(url)).text();
  return createVerify('RSA-SHA256')
    .update(canonical(message), 'utf8')
    .verify(pem, message.Signature, 'base64');
}

describe('SNS notifications of AWS deployment events', () => {
  let receiver: Server;
  let received: Received[];
  let server: SandboxServer;
  let aws: ReturnType<typeof awsClients>;
  let certHost: string;

  beforeEach(async () => {
    received = [];
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', chunk => (body += chunk));
      req.on('end', () => {
        received.push({ headers: req.headers, message: JSON.parse(body) });
        res.end('ok');
      });
    });
    await new Promise<void>(resolve =>
      receiver.listen(0, '127.0.0.1', resolve),
    );
    const { port } = receiver.address() as AddressInfo;
    server = await startTestSandbox({
      snsUrl: `http://127.0.0.1:${port}/api/deployments/webhooks/aws`,
    });
    certHost = new URL(server.url).host;
    aws = awsClients(server);
    await server.sns!.flush();
  });
  afterEach(async () => {
    await server.close();
    await new Promise(resolve => receiver.close(resolve));
  });

  const notifications = () =>
    received.filter(r => r.message.Type === 'Notification');
  const events = () => notifications().map(n => JSON.parse(n.message.Message));
  const confirm = async () => {
    const [{ message }] = received;
    const answer = await fetch(message.SubscribeURL);
    expect(answer.status).toBe(200);
    return answer.text();
  };

  it('asks the endpoint to confirm the subscription first, signed, with a SubscribeURL the sandbox answers', async () => {
    expect(received).toHaveLength(1);
    const [{ message, headers }] = received;
    expect(headers['x-amz-sns-message-type']).toBe('SubscriptionConfirmation');
    expect(message).toMatchObject({
      Type: 'SubscriptionConfirmation',
      TopicArn:
        'arn:aws:sns:eu-west-1:123456789012:stagecraft-deployment-events',
      SignatureVersion: '2',
      Token: expect.stringMatching(/^[0-9a-f]{128}$/),
    });
    expect(await verifies(message, certHost)).toBe(true);
    expect(await verifies(message, 'sns.eu-west-1.amazonaws.com')).toBe(false);
    expect(await confirm()).toMatch(
      /<ConfirmSubscriptionResult><SubscriptionArn>arn:aws:sns:eu-west-1:123456789012:stagecraft-deployment-events:[0-9a-f-]{36}<\/SubscriptionArn>/,
    );
    const wrong = new URL(message.SubscribeURL);
    wrong.searchParams.set('Token', 'f'.repeat(128));
    const refused = await fetch(wrong);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('<Code>InvalidParameter</Code>');
  });

  it('delivers nothing before the confirmation, then signed CodePipeline events', async () => {
    const start = () =>
      aws.codepipeline.send(
        new StartPipelineExecutionCommand({ name: 'ledger-worker' }),
      );
    await start();
    await server.sns!.flush();
    expect(notifications()).toHaveLength(0);
    server.react(); // the first execution leaves the Source stage

    await confirm();
    const { pipelineExecutionId } = await start();
    await server.sns!.flush();
    const states = events().map(e => [e['detail-type'], e.detail.state]);
    expect(states).toEqual(
      expect.arrayContaining([
        ['CodePipeline Pipeline Execution State Change', 'STARTED'],
        ['CodePipeline Stage Execution State Change', 'STARTED'],
        ['CodePipeline Action Execution State Change', 'STARTED'],
      ]),
    );
    const started = events().find(
      e => e['detail-type'] === 'CodePipeline Pipeline Execution State Change',
    )!;
    expect(started).toMatchObject({
      version: '0',
      source: 'aws.codepipeline',
      account: '123456789012',
      region: 'eu-west-1',
      resources: ['arn:aws:codepipeline:eu-west-1:123456789012:ledger-worker'],
      detail: {
        pipeline: 'ledger-worker',
        'execution-id': pipelineExecutionId,
        'execution-trigger': { 'trigger-type': 'StartPipelineExecution' },
      },
    });
    expect(started.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    for (const { message, headers } of notifications()) {
      expect(headers['x-amz-sns-subscription-arn']).toMatch(/^arn:aws:sns:/);
      expect(message.UnsubscribeURL).toContain('Action=Unsubscribe');
      expect(await verifies(message, certHost)).toBe(true);
    }
    const tampered = {
      ...notifications()[0].message,
      Message: '{"detail-type":"forged"}',
    };
    expect(await verifies(tampered, certHost)).toBe(false);
  });

  it('announces the stack update and the CodeDeploy canary of a python-service release', async () => {
    await confirm();
    const repository = server.simulation.world.findRepository(
      'acme',
      'python-service',
    )!;
    const run = repository.runs.find(r => r.status === 'waiting')!;
    const production = repository.environments.find(
      e => e.name === 'production',
    )!;
    await github(server, 'bob').post(
      `/repos/acme/python-service/actions/runs/${run.id}/pending_deployments`,
      { environment_ids: [production.id], state: 'approved', comment: '' },
    );
    server.react();
    server.react();
    await server.sns!.flush();
    const stack = events().find(
      e => e['detail-type'] === 'CloudFormation Stack Status Change',
    )!;
    expect(stack).toMatchObject({
      source: 'aws.cloudformation',
      detail: { 'status-details': { status: 'UPDATE_IN_PROGRESS' } },
    });
    expect(stack.resources[0]).toMatch(/:stack\/python-service-production\//);
    const canary = events().find(
      e =>
        e['detail-type'] === 'CodeDeploy Deployment State-change Notification',
    )!;
    expect(canary).toMatchObject({
      source: 'aws.codedeploy',
      detail: {
        state: 'START',
        deploymentId: expect.stringMatching(/^d-[A-Z0-9]{9}$/),
        application: expect.stringMatching(
          /^python-service-production-ServerlessDeploymentApplication-/,
        ),
      },
    });
  });

  it('stops delivering after the UnsubscribeURL is visited', async () => {
    await confirm();
    await aws.codepipeline.send(
      new StartPipelineExecutionCommand({ name: 'ledger-worker' }),
    );
    await server.sns!.flush();
    const before = notifications().length;
    expect(before).toBeGreaterThan(0);
    expect(
      (await fetch(notifications()[0].message.UnsubscribeURL)).status,
    ).toBe(200);
    await aws.codepipeline.send(
      new StartPipelineExecutionCommand({ name: 'ledger-worker' }),
    );
    await server.sns!.flush();
    expect(notifications()).toHaveLength(before);
  });
});
