import {
  FunctionConfiguration,
  GetAliasCommand,
  GetFunctionCommand,
  ListAliasesCommand,
  ListVersionsByFunctionCommand,
} from '@aws-sdk/client-lambda';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { SandboxServer } from '../../server';
import { startTestSandbox } from '../../__testUtils__/sandbox';
import { awsClients, rejection } from '../../__testUtils__/aws';

const FunctionName = 'python-service-production';

describe('Lambda stand-in (through @aws-sdk/client-lambda, REST-JSON)', () => {
  let server: SandboxServer;
  let aws: ReturnType<typeof awsClients>;

  beforeAll(async () => {
    server = await startTestSandbox();
    aws = awsClients(server);
  });
  afterAll(() => server.close());

  it("points the live alias at the version whose description names the stack's commit", async () => {
    const alias = await aws.lambda.send(
      new GetAliasCommand({ FunctionName, Name: 'live' }),
    );
    expect(alias.AliasArn).toBe(
      `arn:aws:lambda:eu-west-1:123456789012:function:${FunctionName}:live`,
    );
    expect(alias.RoutingConfig).toBeUndefined();
    const { Configuration, Tags } = await aws.lambda.send(
      new GetFunctionCommand({
        FunctionName,
        Qualifier: alias.FunctionVersion,
      }),
    );
    const { Stacks } = await aws.cloudformation.send(
      new DescribeStacksCommand({ StackName: FunctionName }),
    );
    const sha = Stacks![0].Parameters!.find(
      p => p.ParameterKey === 'GitSha',
    )!.ParameterValue;
    expect(Configuration).toMatchObject({
      Version: alias.FunctionVersion,
      Description: `python-service ${sha}`,
      Environment: { Variables: { GIT_SHA: sha, SERVICE_ENV: 'production' } },
      Runtime: 'python3.12',
    });
    expect(Configuration!.LastModified).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/,
    );
    expect(Tags).toMatchObject({
      'lambda:createdBy': 'SAM',
      'stagecraft.io/environment': 'production',
    });
    // By function ARN too.
    const byArn = await aws.lambda.send(
      new GetAliasCommand({
        FunctionName: `arn:aws:lambda:eu-west-1:123456789012:function:${FunctionName}`,
        Name: 'live',
      }),
    );
    expect(byArn.FunctionVersion).toBe(alias.FunctionVersion);
  });

  it('lists the aliases, filtered by the version they point at', async () => {
    const { Aliases } = await aws.lambda.send(
      new ListAliasesCommand({ FunctionName }),
    );
    expect(Aliases!.map(a => a.Name)).toEqual(['live']);
    const none = await aws.lambda.send(
      new ListAliasesCommand({ FunctionName, FunctionVersion: '1' }),
    );
    expect(none.Aliases).toEqual([]);
  });

  it('pages the versions at most 50 at a time, $LATEST first', async () => {
    const versions: FunctionConfiguration[] = [];
    let Marker: string | undefined;
    let pages = 0;
    do {
      const page = await aws.lambda.send(
        new ListVersionsByFunctionCommand({
          FunctionName,
          Marker,
          MaxItems: 200,
        }),
      );
      expect(page.Versions!.length).toBeLessThanOrEqual(50);
      versions.push(...page.Versions!);
      Marker = page.NextMarker;
      pages++;
    } while (Marker);
    expect(pages).toBeGreaterThan(1);
    expect(versions[0].Version).toBe('$LATEST');
    expect(versions.slice(1).map(v => v.Version)).toEqual(
      versions.slice(1).map((_, i) => String(i + 1)),
    );
    const small = await aws.lambda.send(
      new ListVersionsByFunctionCommand({ FunctionName, MaxItems: 10 }),
    );
    expect(small.Versions).toHaveLength(10);
  });

  it('answers unknown functions, aliases and versions with ResourceNotFoundException (404)', async () => {
    const noFunction = await rejection(
      aws.lambda.send(
        new GetAliasCommand({ FunctionName: 'nope', Name: 'live' }),
      ),
    );
    expect(noFunction.name).toBe('ResourceNotFoundException');
    expect(noFunction.$metadata.httpStatusCode).toBe(404);
    expect(
      (
        await rejection(
          aws.lambda.send(
            new GetAliasCommand({ FunctionName, Name: 'canary' }),
          ),
        )
      ).name,
    ).toBe('ResourceNotFoundException');
    expect(
      (
        await rejection(
          aws.lambda.send(
            new GetFunctionCommand({ FunctionName, Qualifier: '99999' }),
          ),
        )
      ).name,
    ).toBe('ResourceNotFoundException');
    expect(
      (
        await rejection(
          aws.lambda.send(
            new ListVersionsByFunctionCommand({
              FunctionName,
              Marker: 'bogus',
            }),
          ),
        )
      ).name,
    ).toBe('InvalidParameterValueException');
  });
});
