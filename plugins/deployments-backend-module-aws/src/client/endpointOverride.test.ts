import { GetPipelineStateCommand } from '@aws-sdk/client-codepipeline';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import type { AwsCredentialsManager } from '@backstage/integration-aws-node';
import { createServer, IncomingMessage, Server } from 'http';
import type { AddressInfo } from 'net';
import { AwsDeploymentProvider } from '../AwsDeploymentProvider';
import { readAwsProviderSettings } from '../settings';
import { AwsClientFactory } from './AwsClientFactory';

// No aws-sdk-client-mock here: the real SDK clients talk to a local server
// through the endpoint override, so retries and error parsing are the SDK's own.

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const credentials: AwsCredentialsManager = {
  async getCredentialProvider() {
    return {
      accountId: '111111111111',
      sdkCredentialProvider: async () => ({
        accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
        secretAccessKey: SECRET,
      }),
    };
  },
};

let server: Server;
let endpoint: string;
let answers: Array<{ status: number; body: object }>;
let requests: Array<{ target?: string; authorization?: string }>;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise(resolve => {
    let body = '';
    request.on('data', chunk => {
      body += chunk;
    });
    request.on('end', () => resolve(body));
  });
}

beforeAll(async () => {
  server = createServer(async (request, response) => {
    await readBody(request);
    requests.push({
      target: request.headers['x-amz-target'] as string | undefined,
      authorization: request.headers.authorization,
    });
    // The last answer repeats.
    const answer = (answers.length > 1 ? answers.shift() : answers[0]) ?? {
      status: 500,
      body: {},
    };
    response.writeHead(answer.status, {
      'content-type': 'application/x-amz-json-1.1',
    });
    response.end(JSON.stringify(answer.body));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise(resolve => server.close(resolve)));

beforeEach(() => {
  answers = [];
  requests = [];
});

const throttled = {
  status: 400,
  body: { __type: 'ThrottlingException', message: 'Rate exceeded' },
};
const state = {
  status: 200,
  body: {
    pipelineName: 'payments-pipeline',
    pipelineVersion: 1,
    stageStates: [],
  },
};

describe('SDK clients behind an endpoint override', () => {
  it('send signed JSON requests to the override and retry a throttled call', async () => {
    answers = [throttled, state];
    const factory = new AwsClientFactory({
      credentials,
      settings: { maxAttempts: 3, endpoints: { codepipeline: endpoint } },
    });
    const clients = await factory.forAccount({
      accountId: '111111111111',
      region: 'eu-west-1',
    });

    const answer = await clients.codepipeline.send(
      new GetPipelineStateCommand({ name: 'payments-pipeline' }),
    );

    expect(answer.pipelineName).toBe('payments-pipeline');
    expect(requests).toHaveLength(2);
    expect(requests[0].target).toBe('CodePipeline_20150709.GetPipelineState');
    expect(requests[0].authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/codepipeline\/aws4_request/,
    );
  });

  it('gives up after maxAttempts and fails the sync with one clear line and no secret', async () => {
    answers = [throttled];
    const config = new ConfigReader({
      deployments: {
        aws: {
          defaultRegion: 'eu-west-1',
          maxAttempts: 2,
          endpoints: { codepipeline: endpoint },
        },
      },
    });
    const settings = readAwsProviderSettings(config);
    const logger = mockServices.logger.mock();
    const provider = new AwsDeploymentProvider({
      clients: new AwsClientFactory({ credentials, settings }),
      settings,
      logger,
    });
    const entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'payments-api',
        annotations: {
          'aws.amazon.com/aws-codepipeline-arn':
            'arn:aws:codepipeline:eu-west-1:111111111111:payments-pipeline',
        },
      },
    };
    const [target] = await provider.targetsOf(entity);

    const error = await provider.sync({ entity, target }).catch(e => e);

    expect(requests).toHaveLength(2);
    expect(error.message).toBe(
      'AWS throttled the requests while syncing pipeline payments-pipeline (111111111111/eu-west-1) (ThrottlingException: Rate exceeded); the next poll retries',
    );
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(logger.warn.mock.calls)).not.toContain(SECRET);
  });
});
