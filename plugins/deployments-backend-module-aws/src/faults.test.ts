import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  GetPipelineCommand,
  GetPipelineStateCommand,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
} from '@aws-sdk/client-codepipeline';
import type { AwsCredentialsManager } from '@backstage/integration-aws-node';
import {
  aws,
  awsError,
  createTestProvider,
  entityWith,
  FAKE_SECRET,
  PIPELINE_ARN,
  resetAws,
} from './__testUtils__/awsMocks';
import {
  actionsOf,
  ALL_STAGES,
  execution,
  pipelineDeclaration,
  pipelineState,
} from './__testUtils__/pipelineFixtures';
import { STACK } from './__testUtils__/stackFixtures';

const pipelineEntity = entityWith({
  'aws.amazon.com/aws-codepipeline-arn': PIPELINE_ARN,
});
const stackEntity = entityWith({
  'stagecraft.io/aws-stacks': `production=${STACK}`,
});

async function syncFailure(
  entity = pipelineEntity,
  options: { credentials?: AwsCredentialsManager } = {},
) {
  const { provider, logger } = createTestProvider({}, options);
  const [target] = await provider.targetsOf(entity);
  const error = await provider.sync({ entity, target }).then(
    () => undefined,
    e => e as Error,
  );
  return { error, logger };
}

function expectNoSecret(
  error: Error | undefined,
  logger: { warn: (...args: never[]) => unknown },
) {
  const everything = JSON.stringify([
    error?.message,
    (logger.warn as jest.Mock).mock.calls,
  ]);
  expect(everything).not.toContain(FAKE_SECRET);
  expect(everything).not.toContain('AKIAIOSFODNN7EXAMPLE');
}

beforeEach(() => {
  resetAws();
  aws.codepipeline
    .on(GetPipelineCommand)
    .resolves({ pipeline: pipelineDeclaration() });
});

describe('sync faults', () => {
  it('fails with a clear message on throttling, logged once', async () => {
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .rejects(awsError('ThrottlingException', 'Rate exceeded'));

    const { error, logger } = await syncFailure();

    expect(error?.message).toBe(
      `AWS throttled the requests while syncing pipeline payments-pipeline (111111111111/eu-west-1) (ThrottlingException: Rate exceeded); the next poll retries`,
    );
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  it('says which permission is missing when access is denied', async () => {
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .rejects(
        awsError(
          'AccessDeniedException',
          'User: arn:aws:sts::111111111111:assumed-role/stagecraft-readonly/backstage is not authorized to perform: codepipeline:GetPipelineState',
          403,
        ),
      );

    const { error, logger } = await syncFailure();

    expect(error?.message).toMatch(
      /^AWS denied access while syncing pipeline payments-pipeline/,
    );
    expect(error?.message).toContain('codepipeline:GetPipelineState');
    expect(error?.message).toContain('check the IAM policy');
    expectNoSecret(error, logger);
  });

  it('says the credentials expired, without showing them', async () => {
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .rejects(
        awsError(
          'ExpiredTokenException',
          'The security token included in the request is expired',
        ),
      );

    const { error, logger } = await syncFailure();

    expect(error?.message).toMatch(
      /^AWS credentials are missing, expired or invalid/,
    );
    expectNoSecret(error, logger);
  });

  it('says which account has no credentials in the aws: config', async () => {
    const missing: AwsCredentialsManager = {
      async getCredentialProvider() {
        throw new Error(
          'There is no AWS integration that matches 111111111111. Please add a configuration for this AWS account.',
        );
      },
    };

    const { error } = await syncFailure(pipelineEntity, {
      credentials: missing,
    });

    expect(error?.message).toContain(
      'No AWS credentials for account 111111111111',
    );
    expect(error?.message).toMatch(
      /credentials are missing, expired or invalid/,
    );
    expect(aws.codepipeline.calls()).toHaveLength(0);
  });

  it('scrubs an access key that an error message would carry', async () => {
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .rejects(
        awsError(
          'UnrecognizedClientException',
          'The security token AKIAIOSFODNN7EXAMPLE is invalid',
        ),
      );

    const { error, logger } = await syncFailure();

    expect(error?.message).toContain('[access key]');
    expectNoSecret(error, logger);
  });

  it('says a deleted stack does not exist', async () => {
    aws.cloudformation
      .on(DescribeStacksCommand)
      .rejects(
        awsError('ValidationError', `Stack with id ${STACK} does not exist`),
      );

    const { error } = await syncFailure(stackEntity);

    expect(error?.message).toBe(
      `AWS has no such resource while syncing stack ${STACK} (111111111111/eu-west-1) (ValidationError: Stack with id ${STACK} does not exist); was it deleted or renamed?`,
    );
  });

  it('rejects a malformed answer instead of writing half a state', async () => {
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .resolves(pipelineState({ n: 1 }));
    aws.codepipeline
      .on(ListPipelineExecutionsCommand)
      .resolves({ pipelineExecutionSummaries: 'not a list' as never });

    const { error, logger } = await syncFailure();

    expect(error?.message).toBe(
      'AWS returned a malformed response while syncing pipeline payments-pipeline (111111111111/eu-west-1): MalformedAwsResponseError: ListPipelineExecutions pipelineExecutionSummaries is not a list',
    );
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  it('logs a failure once however many rows the sync had read', async () => {
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .resolves(pipelineState({ n: 1 }));
    aws.codepipeline.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: Array.from({ length: 50 }, (_, i) =>
        execution(50 - i),
      ),
    });
    aws.codepipeline
      .on(ListActionExecutionsCommand)
      .rejects(
        awsError('InternalFailure', 'We encountered an internal error', 500),
      );

    const { error, logger } = await syncFailure();

    expect(error?.message).toMatch(
      /^AWS is unavailable while syncing pipeline payments-pipeline/,
    );
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  it('recovers on the next poll after a failure', async () => {
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded'))
      .resolves(pipelineState({ n: 1 }));
    aws.codepipeline
      .on(ListPipelineExecutionsCommand)
      .resolves({ pipelineExecutionSummaries: [execution(1)] });
    aws.codepipeline
      .on(ListActionExecutionsCommand)
      .resolves({ actionExecutionDetails: actionsOf(1, ALL_STAGES) });
    const { provider } = createTestProvider();
    const [target] = await provider.targetsOf(pipelineEntity);

    await expect(
      provider.sync({ entity: pipelineEntity, target }),
    ).rejects.toThrow(/throttled/);
    const snapshot = await provider.sync({ entity: pipelineEntity, target });

    expect(snapshot.deployments.length).toBeGreaterThan(0);
  });

  it('starts over with a backfill when the stored cursor cannot be read', async () => {
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .resolves(pipelineState({ n: 1 }));
    aws.codepipeline
      .on(ListPipelineExecutionsCommand)
      .resolves({ pipelineExecutionSummaries: [execution(1)] });
    aws.codepipeline
      .on(ListActionExecutionsCommand)
      .resolves({ actionExecutionDetails: actionsOf(1, ALL_STAGES) });
    const { provider } = createTestProvider();
    const [target] = await provider.targetsOf(pipelineEntity);

    const snapshot = await provider.sync({
      entity: pipelineEntity,
      target,
      cursor: '{not json',
    });

    expect(snapshot.deployments.length).toBeGreaterThan(0);
  });
});
