import { SandboxServer } from '../../server';
import { startTestSandbox } from '../../__testUtils__/sandbox';

describe('the AWS wire protocols, at the HTTP level', () => {
  let server: SandboxServer;

  beforeAll(async () => {
    server = await startTestSandbox();
  });
  afterAll(() => server.close());

  const json = (path: string, target: string, body: string) =>
    fetch(`${server.url}/aws/${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': target,
      },
      body,
    });

  it('answers JSON 1.1 in its content type, with timestamps as epoch seconds', async () => {
    const response = await json(
      'codepipeline',
      'CodePipeline_20150709.GetPipeline',
      '{"name":"ledger-worker"}',
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain(
      'application/x-amz-json-1.1',
    );
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    const body = await response.json();
    expect(typeof body.metadata.created).toBe('number');
    expect(body.metadata.created).toBeLessThan(Date.UTC(2026, 2, 2, 12) / 1000);
  });

  it('names unknown operations, other services and malformed bodies in the JSON error shape', async () => {
    const unknown = await json(
      'codepipeline',
      'CodePipeline_20150709.DeletePipeline',
      '{}',
    );
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('x-amzn-errortype')).toBe(
      'UnknownOperationException',
    );
    expect((await unknown.json()).__type).toBe('UnknownOperationException');
    const otherService = await json(
      'codepipeline',
      'CodeDeploy_20141006.ListDeployments',
      '{}',
    );
    expect((await otherService.json()).__type).toBe(
      'UnknownOperationException',
    );
    const malformed = await json(
      'codedeploy',
      'CodeDeploy_20141006.ListDeployments',
      '{not json',
    );
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).__type).toBe('SerializationException');
    const missing = await json(
      'codepipeline',
      'CodePipeline_20150709.GetPipeline',
      '{}',
    );
    expect((await missing.json()).__type).toBe('ValidationException');
  });

  it('answers the query protocol in XML and refuses another API version', async () => {
    const form = (body: string) =>
      fetch(`${server.url}/aws/cloudformation`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    const ok = await form(
      'Action=DescribeStacks&Version=2010-05-15&StackName=python-service-dev',
    );
    expect(ok.headers.get('content-type')).toContain('text/xml');
    const xml = await ok.text();
    expect(xml).toMatch(
      /^<DescribeStacksResponse xmlns="http:\/\/cloudformation\.amazonaws\.com\/doc\/2010-05-15\/"><DescribeStacksResult><Stacks><member>/,
    );
    expect(xml).toMatch(
      /<CreationTime>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z<\/CreationTime>/,
    );
    const old = await form('Action=DescribeStacks&Version=2009-01-01');
    expect(old.status).toBe(400);
    expect(await old.text()).toContain(
      '<Error><Type>Sender</Type><Code>InvalidAction</Code>',
    );
  });

  it('answers paths no AWS stand-in serves with an AWS-shaped 404, not the GitHub page', async () => {
    const response = await fetch(`${server.url}/aws/s3/bucket`);
    expect(response.status).toBe(404);
    expect(response.headers.get('x-amzn-errortype')).toBe(
      'UnknownOperationException',
    );
    const lambda = await fetch(`${server.url}/aws/lambda/2015-03-31/layers`);
    expect(lambda.status).toBe(404);
    expect(lambda.headers.get('x-amzn-errortype')).toBe(
      'UnknownOperationException',
    );
  });
});
