import {
  GetPipelineCommand,
  GetPipelineExecutionCommand,
  GetPipelineStateCommand,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
} from '@aws-sdk/client-codepipeline';
import {
  aws,
  awsCalls,
  createTestProvider,
  entityWith,
  PIPELINE_ARN,
  resetAws,
} from '../../__testUtils__/awsMocks';
import {
  actionsOf,
  ALL_STAGES,
  at,
  execution,
  executionId,
  PIPELINE,
  pipelineDeclaration,
  pipelineState,
  sha,
} from '../../__testUtils__/pipelineFixtures';

const mapped = entityWith({
  'aws.amazon.com/aws-codepipeline-arn': PIPELINE_ARN,
  'stagecraft.io/aws-pipeline-stages':
    'dev=Deploy-Dev,staging=Deploy-Staging,production=Deploy-Prod',
});
const byName = entityWith({
  'aws.amazon.com/aws-codepipeline-arn': PIPELINE_ARN,
});

async function syncOnce(entity = mapped, cursor?: string) {
  const { provider, logger } = createTestProvider();
  const [target] = await provider.targetsOf(entity);
  const snapshot = await provider.sync({ entity, target, cursor });
  return { snapshot, target, logger };
}

beforeEach(() => {
  resetAws();
  aws.codepipeline
    .on(GetPipelineCommand)
    .resolves({ pipeline: pipelineDeclaration() });
});

describe('pipeline sync', () => {
  it('reports one deployment per execution and mapped stage, with the commit, trigger and console link', async () => {
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .resolves(pipelineState({ n: 1 }));
    aws.codepipeline
      .on(ListPipelineExecutionsCommand)
      .resolves({ pipelineExecutionSummaries: [execution(1)] });
    aws.codepipeline
      .on(ListActionExecutionsCommand)
      .resolves({ actionExecutionDetails: actionsOf(1, ALL_STAGES).reverse() });

    const { snapshot, target } = await syncOnce();

    expect(target.environmentNames).toEqual({
      'Deploy-Dev': 'dev',
      'Deploy-Staging': 'staging',
      'Deploy-Prod': 'production',
    });
    expect(snapshot.deployments.map(d => d.environment)).toEqual([
      'Deploy-Dev',
      'Deploy-Staging',
      'Deploy-Prod',
    ]);
    const prod = snapshot.deployments[2];
    expect(prod).toMatchObject({
      providerDeploymentId: `codepipeline/${PIPELINE}/${executionId(
        1,
      )}/Deploy-Prod`,
      version: {
        sha: sha(1),
        message: 'Change 1',
        url: `https://github.com/acme/payments/commit/${sha(1)}`,
      },
      // A connection's ARN names no person: the trigger says what started it.
      triggeredBy: 'a push',
      url: `https://console.test/eu-west-1/codesuite/codepipeline/pipelines/${PIPELINE}/executions/${executionId(
        1,
      )}/timeline?region=eu-west-1`,
      urlLabel: `execution ${executionId(1).slice(0, 8)}`,
    });
    // The approval stage belongs to production: waiting, approved, deployed.
    expect(prod.statuses.map(s => s.state)).toEqual([
      'in_progress',
      'waiting',
      'in_progress',
      'success',
    ]);
    expect(prod.statuses[2].description).toBe(
      'Approved by arn:aws:sts::111111111111:assumed-role/approver/alice: looks good',
    );
    expect(snapshot.openGates).toEqual([]);
  });

  it('reports the environments a manual approval gates, when it reads the pipeline declaration', async () => {
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .resolves(pipelineState({ n: 1 }));
    aws.codepipeline
      .on(ListPipelineExecutionsCommand)
      .resolves({ pipelineExecutionSummaries: [execution(1)] });
    aws.codepipeline
      .on(ListActionExecutionsCommand)
      .resolves({ actionExecutionDetails: actionsOf(1, ALL_STAGES) });

    const first = await syncOnce();
    const again = await syncOnce(mapped, first.snapshot.cursor);

    expect(first.snapshot.environments).toEqual([
      { name: 'Deploy-Dev', requiredReviewers: [] },
      { name: 'Deploy-Staging', requiredReviewers: [] },
      {
        name: 'Deploy-Prod',
        requiredReviewers: [
          {
            type: 'principal',
            name: `arn:aws:codepipeline:eu-west-1:111111111111:${PIPELINE}/Approve/ProductionApproval`,
          },
        ],
      },
    ]);
    // Unchanged declaration: protection is not reported again.
    expect(again.snapshot.environments).toBeUndefined();
  });

  it('matches stages to the promotion path by name when no mapping is annotated', async () => {
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .resolves(pipelineState({ n: 1 }));
    aws.codepipeline
      .on(ListPipelineExecutionsCommand)
      .resolves({ pipelineExecutionSummaries: [execution(1)] });
    aws.codepipeline
      .on(ListActionExecutionsCommand)
      .resolves({ actionExecutionDetails: actionsOf(1, ALL_STAGES) });

    const { snapshot, target } = await syncOnce(byName);

    expect(target.environments).toBe('all');
    expect(snapshot.deployments.map(d => d.environment)).toEqual([
      'dev',
      'staging',
      'production',
    ]);
  });

  it('reports a waiting manual approval as a gate with its summary, link, version and a 7-day expiry', async () => {
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .resolves(pipelineState({ n: 2, waiting: true }));
    aws.codepipeline.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [execution(2, { status: 'InProgress' })],
    });
    aws.codepipeline.on(ListActionExecutionsCommand).resolves({
      actionExecutionDetails: actionsOf(2, [
        ...ALL_STAGES.slice(0, 4),
        ['Approve', 'ProductionApproval', 'InProgress'],
      ]),
    });

    const { snapshot } = await syncOnce();

    expect(snapshot.openGates).toEqual([
      {
        providerGateId: `approval/${PIPELINE}/Approve/ProductionApproval/${executionId(
          2,
        )}`,
        environment: 'Deploy-Prod',
        version: expect.objectContaining({ sha: sha(2) }),
        reviewers: [
          {
            type: 'principal',
            name: `arn:aws:codepipeline:eu-west-1:111111111111:${PIPELINE}/Approve/ProductionApproval`,
          },
        ],
        since: at(132).toISOString(),
        summary: 'Check the staging dashboard before production',
        type: 'manual-approval',
        expiresAt: new Date(
          at(132).getTime() + 7 * 24 * 3600_000,
        ).toISOString(),
        url: 'https://dashboards.example.com/payments',
        details: {
          pipelineName: PIPELINE,
          stageName: 'Approve',
          actionName: 'ProductionApproval',
          pipelineExecutionId: executionId(2),
          summary: 'Check the staging dashboard before production',
        },
      },
    ]);
    // No token in the gate: it is read fresh when someone decides.
    expect(JSON.stringify(snapshot)).not.toContain('3f7c3e9e');
    const prod = snapshot.deployments.find(
      d => d.environment === 'Deploy-Prod',
    );
    expect(prod?.statuses.map(s => s.state)).toEqual([
      'in_progress',
      'waiting',
    ]);
  });

  it('costs one call when nothing moved since the last sync, and still reports the open gate', async () => {
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .resolves(pipelineState({ n: 2, waiting: true }));
    aws.codepipeline.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [execution(2, { status: 'InProgress' })],
    });
    aws.codepipeline.on(ListActionExecutionsCommand).resolves({
      actionExecutionDetails: actionsOf(2, ALL_STAGES.slice(0, 4)),
    });
    const first = await syncOnce();
    resetAws();
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .resolves(pipelineState({ n: 2, waiting: true }));

    const { snapshot } = await syncOnce(mapped, first.snapshot.cursor);

    expect(awsCalls()).toEqual(['codepipeline.GetPipelineState']);
    expect(snapshot.deployments).toEqual([]);
    expect(snapshot.openGates).toHaveLength(1);
    expect(snapshot.openGates[0].version.sha).toBe(sha(2));
  });

  it('reads only the executions that changed after the last sync', async () => {
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .resolves(pipelineState({ n: 1 }));
    aws.codepipeline
      .on(ListPipelineExecutionsCommand)
      .resolves({ pipelineExecutionSummaries: [execution(1)] });
    aws.codepipeline
      .on(ListActionExecutionsCommand)
      .resolves({ actionExecutionDetails: actionsOf(1, ALL_STAGES) });
    const first = await syncOnce();
    resetAws();
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .resolves(pipelineState({ n: 2 }));
    aws.codepipeline.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [execution(2), execution(1)],
    });
    aws.codepipeline.on(ListActionExecutionsCommand).resolves({
      actionExecutionDetails: [
        ...actionsOf(2, ALL_STAGES),
        ...actionsOf(1, ALL_STAGES),
      ],
    });

    const { snapshot } = await syncOnce(mapped, first.snapshot.cursor);

    expect(new Set(snapshot.deployments.map(d => d.version.sha))).toEqual(
      new Set([sha(2)]),
    );
    expect(awsCalls()).toEqual([
      'codepipeline.GetPipelineState',
      'codepipeline.ListPipelineExecutions',
      'codepipeline.ListActionExecutions',
    ]);
  });

  it('backfills 100 executions in at most 5 calls per mapped stage', async () => {
    const executions = Array.from({ length: 100 }, (_, i) =>
      execution(100 - i),
    );
    const actions = executions.flatMap((_, i) =>
      actionsOf(100 - i, ALL_STAGES),
    );
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .resolves(pipelineState({ n: 100 }));
    aws.codepipeline
      .on(ListPipelineExecutionsCommand)
      .resolves({ pipelineExecutionSummaries: executions });
    // 600 action executions, 100 a page, newest first.
    aws.codepipeline.on(ListActionExecutionsCommand).callsFake(input => {
      const start = input.nextToken ? Number(input.nextToken) : 0;
      return {
        actionExecutionDetails: actions.slice(start, start + 100),
        ...(start + 100 < actions.length
          ? { nextToken: String(start + 100) }
          : {}),
      };
    });

    const { snapshot } = await syncOnce();

    expect(snapshot.deployments).toHaveLength(300);
    const calls = awsCalls();
    expect(calls.length).toBeLessThanOrEqual(5 * 3);
    expect(calls).toEqual([
      'codepipeline.GetPipelineState',
      'codepipeline.GetPipeline',
      'codepipeline.ListPipelineExecutions',
      ...Array(6).fill('codepipeline.ListActionExecutions'),
    ]);
  });

  it('reads the pipeline declaration again when the pipeline version changes', async () => {
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .resolves(pipelineState({ n: 1 }));
    aws.codepipeline
      .on(ListPipelineExecutionsCommand)
      .resolves({ pipelineExecutionSummaries: [execution(1)] });
    aws.codepipeline
      .on(ListActionExecutionsCommand)
      .resolves({ actionExecutionDetails: actionsOf(1, ALL_STAGES) });
    const first = await syncOnce();
    aws.codepipeline.resetHistory();
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .resolves(pipelineState({ n: 1, version: 4 }));

    await syncOnce(mapped, first.snapshot.cursor);

    expect(awsCalls()).toContain('codepipeline.GetPipeline');
  });

  it('reports a rejected approval as a failure of the production deployment', async () => {
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .resolves(pipelineState({ n: 3 }));
    aws.codepipeline.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [execution(3, { status: 'Failed' })],
    });
    const rejected = actionsOf(3, [
      ...ALL_STAGES.slice(0, 4),
      ['Approve', 'ProductionApproval', 'Failed'],
    ]);
    rejected[4].updatedBy =
      'arn:aws:sts::111111111111:assumed-role/approver/bob';
    rejected[4].output = {
      executionResult: { externalExecutionSummary: 'not today' },
    };
    aws.codepipeline
      .on(ListActionExecutionsCommand)
      .resolves({ actionExecutionDetails: rejected });

    const { snapshot } = await syncOnce();

    const prod = snapshot.deployments.find(
      d => d.environment === 'Deploy-Prod',
    );
    expect(prod?.statuses.at(-1)).toEqual({
      state: 'failure',
      at: at(3 * 60 + 19).toISOString(),
      description:
        'Rejected by arn:aws:sts::111111111111:assumed-role/approver/bob: not today',
    });
  });

  it('reports a non-git source revision as the artifact, with no commit', async () => {
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .resolves(pipelineState({ n: 1 }));
    aws.codepipeline.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [
        execution(1, {
          sourceRevisions: [
            {
              actionName: 'Source',
              revisionId: 'Jy1y1Rk3yX_p6ucGmqXJWkWgq8JO9GCK',
            },
          ],
        }),
      ],
    });
    aws.codepipeline
      .on(ListActionExecutionsCommand)
      .resolves({ actionExecutionDetails: actionsOf(1, ALL_STAGES) });

    const { snapshot } = await syncOnce();

    expect(snapshot.deployments[0].version).toEqual({
      artifact: {
        kind: 'pipeline-source',
        id: 'Jy1y1Rk3yX_p6ucGmqXJWkWgq8JO9GCK',
      },
    });
  });

  it('looks up the version of a waiting execution it has not listed', async () => {
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .resolves(pipelineState({ n: 7, waiting: true }));
    aws.codepipeline
      .on(ListPipelineExecutionsCommand)
      .resolves({ pipelineExecutionSummaries: [] });
    aws.codepipeline.on(GetPipelineExecutionCommand).resolves({
      pipelineExecution: {
        pipelineExecutionId: executionId(7),
        artifactRevisions: [{ name: 'Source', revisionId: sha(7) }],
      },
    });

    const { snapshot } = await syncOnce();

    expect(snapshot.openGates[0].version.sha).toBe(sha(7));
  });

  it('reads the history again under the new names when the stage mapping changes', async () => {
    aws.codepipeline
      .on(GetPipelineStateCommand)
      .resolves(pipelineState({ n: 1 }));
    aws.codepipeline
      .on(ListPipelineExecutionsCommand)
      .resolves({ pipelineExecutionSummaries: [execution(1)] });
    aws.codepipeline
      .on(ListActionExecutionsCommand)
      .resolves({ actionExecutionDetails: actionsOf(1, ALL_STAGES) });
    const first = await syncOnce(mapped);

    const { snapshot } = await syncOnce(byName, first.snapshot.cursor);

    expect(snapshot.deployments.map(d => d.environment)).toEqual([
      'dev',
      'staging',
      'production',
    ]);
  });
});
