import { ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  ListDeploymentsCommand,
  StopDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import {
  GetPipelineCommand,
  GetPipelineStateCommand,
  ListPipelineExecutionsCommand,
  PutApprovalResultCommand,
  RollbackStageCommand,
  StartPipelineExecutionCommand,
  StopPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import type { PendingGate } from '@stagecraft/plugin-deployments-common';
import {
  aws,
  awsError,
  createTestProvider,
  entityWith,
  PIPELINE_ARN,
  resetAws,
  ROLE_ARN,
} from '../__testUtils__/awsMocks';
import {
  execution,
  executionId,
  PIPELINE,
  pipelineDeclaration,
  pipelineState,
  sha,
} from '../__testUtils__/pipelineFixtures';
import { APPLICATION, GROUP, STACK } from '../__testUtils__/stackFixtures';
import { clientRequestToken } from './pipelineActions';

const pipelineEntity = entityWith({
  'aws.amazon.com/aws-codepipeline-arn': PIPELINE_ARN,
  'stagecraft.io/aws-pipeline-stages':
    'dev=Deploy-Dev,staging=Deploy-Staging,production=Deploy-Prod',
});
const stackEntity = entityWith({
  'stagecraft.io/aws-stacks': `production=${STACK}`,
});

async function targetOf(entity = pipelineEntity) {
  const { provider } = createTestProvider();
  const [target] = await provider.targetsOf(entity);
  return { provider, target };
}

function gate(n = 2): PendingGate & { details: Record<string, string> } {
  return {
    id: `aws:approval/${PIPELINE}/Approve/ProductionApproval/${executionId(n)}`,
    kind: 'provider',
    provider: 'aws',
    entityRef: 'component:default/payments-api',
    environment: 'production',
    version: { sha: sha(n) },
    reviewers: [],
    since: '2026-11-01T12:12:00.000Z',
    details: {
      pipelineName: PIPELINE,
      stageName: 'Approve',
      actionName: 'ProductionApproval',
      pipelineExecutionId: executionId(n),
    },
  };
}

beforeEach(() => {
  resetAws();
  aws.codepipeline
    .on(GetPipelineCommand)
    .resolves({ pipeline: pipelineDeclaration() });
});

describe('review', () => {
  it('approves with the token read fresh from GetPipelineState and the comment as summary', async () => {
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .resolves(pipelineState({ n: 2, waiting: true, token: 'fresh-token-1' }));
    aws.codepipeline
      .on(PutApprovalResultCommand)
      .resolves({ approvedAt: new Date() });
    const { provider, target } = await targetOf();

    const result = await provider.review({
      entity: pipelineEntity,
      target,
      gate: gate(),
      decision: 'approve',
      comment: 'staging looks healthy',
      actor: 'user:default/alice',
    });

    expect(result).toEqual({ identity: ROLE_ARN, reference: executionId(2) });
    expect(
      aws.codepipeline.commandCalls(PutApprovalResultCommand)[0].args[0].input,
    ).toEqual({
      pipelineName: PIPELINE,
      stageName: 'Approve',
      actionName: 'ProductionApproval',
      token: 'fresh-token-1',
      result: { status: 'Approved', summary: 'staging looks healthy' },
    });
  });

  it('rejects with status Rejected', async () => {
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .resolves(pipelineState({ n: 2, waiting: true }));
    aws.codepipeline.on(PutApprovalResultCommand).resolves({});
    const { provider, target } = await targetOf();

    await provider.review({
      entity: pipelineEntity,
      target,
      gate: gate(),
      decision: 'reject',
      comment: 'error rate too high',
      actor: 'user:default/alice',
    });

    expect(
      aws.codepipeline.commandCalls(PutApprovalResultCommand)[0].args[0].input
        .result,
    ).toEqual({ status: 'Rejected', summary: 'error rate too high' });
  });

  it('refuses with a conflict when the approval no longer waits for that execution, without calling PutApprovalResult', async () => {
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .resolves(pipelineState({ n: 3 }));
    const { provider, target } = await targetOf();

    const error = await provider
      .review({
        entity: pipelineEntity,
        target,
        gate: gate(2),
        decision: 'approve',
        comment: 'ok',
        actor: 'user:default/alice',
      })
      .catch(e => e);

    expect(error).toBeInstanceOf(ConflictError);
    expect(
      aws.codepipeline.commandCalls(PutApprovalResultCommand),
    ).toHaveLength(0);
  });

  it('maps an approval AWS says is already completed to a conflict', async () => {
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .resolves(pipelineState({ n: 2, waiting: true }));
    aws.codepipeline
      .on(PutApprovalResultCommand)
      .rejects(
        awsError(
          'ApprovalAlreadyCompletedException',
          'The approval action has already been approved or rejected.',
        ),
      );
    const { provider, target } = await targetOf();

    await expect(
      provider.review({
        entity: pipelineEntity,
        target,
        gate: gate(),
        decision: 'approve',
        comment: 'ok',
        actor: 'user:default/alice',
      }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('maps access denied to NotAllowedError naming the missing permission, never the credentials', async () => {
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .resolves(pipelineState({ n: 2, waiting: true }));
    aws.codepipeline
      .on(PutApprovalResultCommand)
      .rejects(
        awsError(
          'AccessDeniedException',
          'User: arn:aws:sts::111111111111:assumed-role/stagecraft-readonly/backstage is not authorized to perform: codepipeline:PutApprovalResult',
          403,
        ),
      );
    const { provider, target } = await targetOf();

    const error = await provider
      .review({
        entity: pipelineEntity,
        target,
        gate: gate(),
        decision: 'approve',
        comment: 'ok',
        actor: 'user:default/alice',
      })
      .catch(e => e);

    expect(error).toBeInstanceOf(NotAllowedError);
    expect(error.message).toContain('codepipeline:PutApprovalResult');
    expect(error.message).not.toContain('AKIA');
  });

  it('refuses a gate of another pipeline', async () => {
    const { provider, target } = await targetOf();
    const other = gate();
    other.details.pipelineName = 'someone-elses-pipeline';

    await expect(
      provider.review({
        entity: pipelineEntity,
        target,
        gate: other,
        decision: 'approve',
        comment: 'ok',
        actor: 'user:default/alice',
      }),
    ).rejects.toBeInstanceOf(InputError);
  });
});

describe('promote', () => {
  const request = (
    kind: 'promote' | 'rollback',
    version = { sha: sha(5) },
  ) => ({
    entity: pipelineEntity,
    environment: 'production',
    version,
    kind,
    requestedBy: 'user:default/alice',
    idempotencyKey: 'promote-123',
  });

  it('starts the pipeline at the commit, with a client request token from the idempotency key', async () => {
    aws.codepipeline
      .on(StartPipelineExecutionCommand)
      .resolves({ pipelineExecutionId: 'new-execution' });
    const { provider, target } = await targetOf();

    const result = await provider.promote({ ...request('promote'), target });

    expect(result).toEqual({ identity: ROLE_ARN, reference: 'new-execution' });
    const input = aws.codepipeline.commandCalls(
      StartPipelineExecutionCommand,
    )[0].args[0].input;
    expect(input).toEqual({
      name: PIPELINE,
      clientRequestToken: clientRequestToken('promote-123'),
      sourceRevisions: [
        {
          actionName: 'Source',
          revisionType: 'COMMIT_ID',
          revisionValue: sha(5),
        },
      ],
    });
    expect(input.clientRequestToken).toMatch(/^[a-f0-9]{64}$/);
    expect(clientRequestToken('promote-123')).toBe(
      clientRequestToken('promote-123'),
    );
  });

  it('refuses a version without a known commit', async () => {
    const { provider, target } = await targetOf();

    await expect(
      provider.promote({
        ...request('promote', {
          sha: 'artifact:lambda-version:7',
          commitUnknown: true,
        } as never),
        target,
      }),
    ).rejects.toBeInstanceOf(InputError);
    expect(
      aws.codepipeline.commandCalls(StartPipelineExecutionCommand),
    ).toHaveLength(0);
  });

  it('maps a throttled start to ServiceUnavailableError', async () => {
    aws.codepipeline
      .on(StartPipelineExecutionCommand)
      .rejects(awsError('ThrottlingException', 'Rate exceeded'));
    const { provider, target } = await targetOf();

    await expect(
      provider.promote({ ...request('promote'), target }),
    ).rejects.toBeInstanceOf(ServiceUnavailableError);
  });

  it('rolls the stage back to the last execution that succeeded there with that commit', async () => {
    aws.codepipeline.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [execution(6), execution(5), execution(4)],
    });
    aws.codepipeline
      .on(RollbackStageCommand)
      .resolves({ pipelineExecutionId: 'rollback-exec' });
    const { provider, target } = await targetOf();

    const result = await provider.promote({ ...request('rollback'), target });

    expect(result.reference).toBe('rollback-exec');
    expect(
      aws.codepipeline.commandCalls(ListPipelineExecutionsCommand)[0].args[0]
        .input.filter,
    ).toEqual({ succeededInStage: { stageName: 'Deploy-Prod' } });
    expect(
      aws.codepipeline.commandCalls(RollbackStageCommand)[0].args[0].input,
    ).toEqual({
      pipelineName: PIPELINE,
      stageName: 'Deploy-Prod',
      targetPipelineExecutionId: executionId(5),
    });
  });

  it('refuses a rollback when no earlier execution succeeded with that commit', async () => {
    aws.codepipeline
      .on(ListPipelineExecutionsCommand)
      .resolves({ pipelineExecutionSummaries: [execution(6)] });
    const { provider, target } = await targetOf();

    const error = await provider
      .promote({ ...request('rollback'), target })
      .catch(e => e);

    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain('nothing to roll back to');
    expect(aws.codepipeline.commandCalls(RollbackStageCommand)).toHaveLength(0);
  });

  it('passes on a pipeline that cannot roll back as a clear refusal', async () => {
    aws.codepipeline
      .on(ListPipelineExecutionsCommand)
      .resolves({ pipelineExecutionSummaries: [execution(5)] });
    aws.codepipeline
      .on(RollbackStageCommand)
      .rejects(
        awsError(
          'UnableToRollbackStageException',
          'Rollback is not supported for V1 pipelines',
        ),
      );
    const { provider, target } = await targetOf();

    const error = await provider
      .promote({ ...request('rollback'), target })
      .catch(e => e);

    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain(
      'Rollback is not supported for V1 pipelines',
    );
  });

  it('refuses to promote or roll back a stack target, which its CI deploys', async () => {
    const { provider, target } = await targetOf(stackEntity);

    await expect(
      provider.promote({ ...request('promote'), entity: stackEntity, target }),
    ).rejects.toBeInstanceOf(InputError);
    await expect(
      provider.promote({ ...request('rollback'), entity: stackEntity, target }),
    ).rejects.toThrow(/cannot roll it back/);
  });
});

describe('abort', () => {
  it('stops the CodeDeploy deployment of a stack rollout with automatic rollback', async () => {
    aws.codedeploy.on(StopDeploymentCommand).resolves({ status: 'Pending' });
    const { provider, target } = await targetOf(stackEntity);

    const result = await provider.abort({
      entity: stackEntity,
      target,
      deployment: {
        providerDeploymentId: `cloudformation/${STACK}/d-CANARY001`,
        environment: 'production',
      },
      rollback: true,
      requestedBy: 'user:default/alice',
      idempotencyKey: 'abort-1',
    });

    expect(result).toEqual({ identity: ROLE_ARN, reference: 'd-CANARY001' });
    expect(
      aws.codedeploy.commandCalls(StopDeploymentCommand)[0].args[0].input,
    ).toEqual({
      deploymentId: 'd-CANARY001',
      autoRollbackEnabled: true,
    });
  });

  it('finds the running deployment of a rollout that got its id before CodeDeploy started', async () => {
    aws.cloudformation.on(ListStackResourcesCommand).resolves({
      StackResourceSummaries: [
        {
          LogicalResourceId: 'App',
          ResourceType: 'AWS::CodeDeploy::Application',
          PhysicalResourceId: APPLICATION,
          LastUpdatedTimestamp: new Date(),
          ResourceStatus: 'UPDATE_COMPLETE',
        },
        {
          LogicalResourceId: 'Group',
          ResourceType: 'AWS::CodeDeploy::DeploymentGroup',
          PhysicalResourceId: GROUP,
          LastUpdatedTimestamp: new Date(),
          ResourceStatus: 'UPDATE_COMPLETE',
        },
      ],
    });
    aws.codedeploy
      .on(ListDeploymentsCommand)
      .resolves({ deployments: ['d-RUNNING01'] });
    aws.codedeploy.on(StopDeploymentCommand).resolves({ status: 'Pending' });
    const { provider, target } = await targetOf(stackEntity);

    await provider.abort({
      entity: stackEntity,
      target,
      deployment: {
        providerDeploymentId: `cloudformation/${STACK}/update/2026-11-01T10:00:00.000Z`,
        environment: 'production',
      },
      rollback: true,
      requestedBy: 'user:default/alice',
      idempotencyKey: 'abort-2',
    });

    expect(
      aws.codedeploy.commandCalls(StopDeploymentCommand)[0].args[0].input
        .deploymentId,
    ).toBe('d-RUNNING01');
  });

  it('answers a deployment that already finished with a conflict', async () => {
    aws.codedeploy
      .on(StopDeploymentCommand)
      .rejects(
        awsError(
          'DeploymentAlreadyCompletedException',
          'The deployment is already complete.',
        ),
      );
    const { provider, target } = await targetOf(stackEntity);

    await expect(
      provider.abort({
        entity: stackEntity,
        target,
        deployment: {
          providerDeploymentId: `cloudformation/${STACK}/d-CANARY001`,
          environment: 'production',
        },
        rollback: true,
        requestedBy: 'user:default/alice',
        idempotencyKey: 'abort-3',
      }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('stops a pipeline execution without rollback, and refuses one with rollback', async () => {
    aws.codepipeline
      .on(StopPipelineExecutionCommand)
      .resolves({ pipelineExecutionId: executionId(2) });
    const { provider, target } = await targetOf();
    const deployment = {
      providerDeploymentId: `codepipeline/${PIPELINE}/${executionId(
        2,
      )}/Deploy-Prod`,
      environment: 'production',
    };

    await expect(
      provider.abort({
        entity: pipelineEntity,
        target,
        deployment,
        rollback: true,
        requestedBy: 'user:default/alice',
        idempotencyKey: 'a',
      }),
    ).rejects.toBeInstanceOf(InputError);
    const result = await provider.abort({
      entity: pipelineEntity,
      target,
      deployment,
      rollback: false,
      requestedBy: 'user:default/alice',
      comment: 'wrong commit',
      idempotencyKey: 'b',
    });

    expect(result.reference).toBe(executionId(2));
    expect(
      aws.codepipeline.commandCalls(StopPipelineExecutionCommand)[0].args[0]
        .input,
    ).toEqual({
      pipelineName: PIPELINE,
      pipelineExecutionId: executionId(2),
      abandon: false,
      reason: 'wrong commit',
    });
  });

  it('maps a missing deployment to NotFoundError', async () => {
    aws.codedeploy
      .on(StopDeploymentCommand)
      .rejects(
        awsError(
          'DeploymentDoesNotExistException',
          'The deployment does not exist.',
        ),
      );
    const { provider, target } = await targetOf(stackEntity);

    await expect(
      provider.abort({
        entity: stackEntity,
        target,
        deployment: {
          providerDeploymentId: `cloudformation/${STACK}/d-CANARY001`,
          environment: 'production',
        },
        rollback: false,
        requestedBy: 'user:default/alice',
        idempotencyKey: 'abort-4',
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});
