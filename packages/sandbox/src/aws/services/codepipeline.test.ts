import {
  GetPipelineCommand,
  GetPipelineExecutionCommand,
  GetPipelineStateCommand,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
  PipelineExecutionSummary,
  PutApprovalResultCommand,
  RollbackStageCommand,
  StartPipelineExecutionCommand,
  StopPipelineExecutionCommand,
} from '@aws-sdk/client-codepipeline';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { SandboxServer } from '../../server';
import { manualClock, startTestSandbox } from '../../__testUtils__/sandbox';
import { awsClients, rejection } from '../../__testUtils__/aws';

const name = 'ledger-worker';

describe('CodePipeline stand-in (through @aws-sdk/client-codepipeline)', () => {
  let server: SandboxServer;
  let aws: ReturnType<typeof awsClients>;

  beforeEach(async () => {
    server = await startTestSandbox();
    aws = awsClients(server);
  });
  afterEach(() => server.close());

  const state = () =>
    aws.codepipeline.send(new GetPipelineStateCommand({ name }));
  const approval = async () => {
    const { stageStates } = await state();
    return stageStates!.find(s => s.stageName === 'Approve')!;
  };
  const gitSha = async (stackName: string) => {
    const { Stacks } = await aws.cloudformation.send(
      new DescribeStacksCommand({ StackName: stackName }),
    );
    return Stacks![0].Parameters!.find(p => p.ParameterKey === 'GitSha')!
      .ParameterValue;
  };
  const react = (times: number) => {
    for (let i = 0; i < times; i++) server.react();
  };

  it('describes a V2 pipeline Source → Build → Deploy-Dev → Deploy-Staging → Approve → Deploy-Production', async () => {
    const { pipeline, metadata } = await aws.codepipeline.send(
      new GetPipelineCommand({ name }),
    );
    expect(pipeline!.pipelineType).toBe('V2');
    expect(pipeline!.stages!.map(s => s.name)).toEqual([
      'Source',
      'Build',
      'Deploy-Dev',
      'Deploy-Staging',
      'Approve',
      'Deploy-Production',
    ]);
    const approve = pipeline!.stages![4].actions![0];
    expect(approve.actionTypeId).toEqual({
      category: 'Approval',
      owner: 'AWS',
      provider: 'Manual',
      version: '1',
    });
    expect(approve.configuration).toMatchObject({
      CustomData: expect.stringContaining('team-payments'),
      ExternalEntityLink: expect.stringContaining(
        'github.com/acme/ledger-worker/commit/',
      ),
    });
    expect(metadata!.pipelineArn).toBe(
      'arn:aws:codepipeline:eu-west-1:123456789012:ledger-worker',
    );
    expect(metadata!.created!.getTime()).toBeLessThan(Date.UTC(2026, 2, 2, 12));
  });

  it('serves a DeploymentWindow entry condition on the production stage only', async () => {
    const { pipeline } = await aws.codepipeline.send(
      new GetPipelineCommand({ name }),
    );
    const conditions = pipeline!.stages!.map(s => s.beforeEntry?.conditions);
    expect(conditions.slice(0, 5)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(conditions[5]).toEqual([
      {
        result: 'FAIL',
        rules: [
          {
            name: 'WorkingHours',
            ruleTypeId: {
              category: 'Rule',
              owner: 'AWS',
              provider: 'DeploymentWindow',
              version: '1',
            },
            configuration: {
              Cron: '* * 8-17 ? * MON-FRI',
              TimeZone: 'Europe/Berlin',
            },
          },
        ],
      },
    ]);
  });

  it('shows the newest execution waiting at the manual approval, with its token and link', async () => {
    const stage = await approval();
    expect(stage.latestExecution!.status).toBe('InProgress');
    const action = stage.actionStates![0];
    expect(action.latestExecution!.status).toBe('InProgress');
    expect(action.latestExecution!.token).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const execution = await aws.codepipeline.send(
      new GetPipelineExecutionCommand({
        pipelineName: name,
        pipelineExecutionId: stage.latestExecution!.pipelineExecutionId,
      }),
    );
    const sha = execution.pipelineExecution!.artifactRevisions![0].revisionId!;
    expect(
      server.simulation.world
        .findRepository('acme', name)!
        .commits.some(c => c.sha === sha),
    ).toBe(true);
    expect(action.entityUrl).toBe(
      `https://github.com/acme/ledger-worker/commit/${sha}`,
    );
    // The same commit is on staging.
    expect(await gitSha('ledger-worker-staging')).toBe(sha);
  });

  it('pages months of executions with maxResults and nextToken, newest first', async () => {
    const seen: PipelineExecutionSummary[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await aws.codepipeline.send(
        new ListPipelineExecutionsCommand({
          pipelineName: name,
          maxResults: 50,
          nextToken,
        }),
      );
      expect(page.pipelineExecutionSummaries!.length).toBeLessThanOrEqual(50);
      seen.push(...page.pipelineExecutionSummaries!);
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    expect(pages).toBeGreaterThan(2);
    expect(new Set(seen.map(s => s.pipelineExecutionId)).size).toBe(
      seen.length,
    );
    const times = seen.map(s => s.startTime!.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(times[0] - times[times.length - 1]).toBeGreaterThan(90 * 86_400_000);
    const statuses = new Set(seen.map(s => s.status));
    for (const status of ['Succeeded', 'Failed', 'InProgress'])
      expect(statuses).toContain(status);
    expect(seen[0].sourceRevisions![0]).toMatchObject({
      actionName: 'Source',
      revisionId: expect.stringMatching(/^[0-9a-f]{40}$/),
      revisionSummary: expect.stringContaining('"ProviderType":"GitHub"'),
    });

    const reachedProduction = await aws.codepipeline.send(
      new ListPipelineExecutionsCommand({
        pipelineName: name,
        filter: { succeededInStage: { stageName: 'Deploy-Production' } },
      }),
    );
    expect(
      reachedProduction.pipelineExecutionSummaries!.length,
    ).toBeGreaterThan(0);
    expect(
      reachedProduction.pipelineExecutionSummaries!.every(
        s => s.status === 'Succeeded',
      ),
    ).toBe(true);
  });

  it('refuses an invalid page token, an unknown pipeline and an unknown execution by name', async () => {
    expect(
      (
        await rejection(
          aws.codepipeline.send(
            new ListPipelineExecutionsCommand({
              pipelineName: name,
              nextToken: 'bogus',
            }),
          ),
        )
      ).name,
    ).toBe('InvalidNextTokenException');
    const missing = await rejection(
      aws.codepipeline.send(new GetPipelineStateCommand({ name: 'nope' })),
    );
    expect(missing.name).toBe('PipelineNotFoundException');
    expect(missing.$metadata.httpStatusCode).toBe(400);
    expect(
      (
        await rejection(
          aws.codepipeline.send(
            new GetPipelineExecutionCommand({
              pipelineName: name,
              pipelineExecutionId: 'nope',
            }),
          ),
        )
      ).name,
    ).toBe('PipelineExecutionNotFoundException');
    expect(
      (
        await rejection(
          aws.codepipeline.send(
            new ListPipelineExecutionsCommand({
              pipelineName: name,
              maxResults: 101,
            }),
          ),
        )
      ).name,
    ).toBe('ValidationException');
  });

  it('lists the action executions of one execution and pages all of them', async () => {
    const stage = await approval();
    const id = stage.latestExecution!.pipelineExecutionId!;
    const { actionExecutionDetails } = await aws.codepipeline.send(
      new ListActionExecutionsCommand({
        pipelineName: name,
        filter: { pipelineExecutionId: id },
      }),
    );
    expect(actionExecutionDetails!.map(a => a.stageName)).toEqual([
      'Approve',
      'Deploy-Staging',
      'Deploy-Dev',
      'Build',
      'Source',
    ]);
    const [approve] = actionExecutionDetails!;
    expect(approve.input!.resolvedConfiguration!.ExternalEntityLink).toMatch(
      /^https:\/\/github\.com\/acme\/ledger-worker\/commit\/[0-9a-f]{40}$/,
    );
    const source = actionExecutionDetails![4];
    expect(source.output!.outputVariables!.CommitId).toMatch(/^[0-9a-f]{40}$/);

    const first = await aws.codepipeline.send(
      new ListActionExecutionsCommand({ pipelineName: name, maxResults: 7 }),
    );
    expect(first.actionExecutionDetails).toHaveLength(7);
    const second = await aws.codepipeline.send(
      new ListActionExecutionsCommand({
        pipelineName: name,
        maxResults: 7,
        nextToken: first.nextToken,
      }),
    );
    expect(second.actionExecutionDetails![0].actionExecutionId).not.toBe(
      first.actionExecutionDetails![0].actionExecutionId,
    );
  });

  it('takes a decision only with the waiting approval token, once, then deploys to production', async () => {
    const stage = await approval();
    const { token } = stage.actionStates![0].latestExecution!;
    const id = stage.latestExecution!.pipelineExecutionId!;
    const decide = (t: string) =>
      aws.codepipeline.send(
        new PutApprovalResultCommand({
          pipelineName: name,
          stageName: 'Approve',
          actionName: 'Approve',
          token: t,
          result: { status: 'Approved', summary: 'Posting lag is flat' },
        }),
      );
    expect(
      (await rejection(decide('00000000-0000-4000-8000-000000000000'))).name,
    ).toBe('InvalidApprovalTokenException');
    const { approvedAt } = await decide(token!);
    expect(approvedAt).toBeInstanceOf(Date);
    expect((await rejection(decide(token!))).name).toBe(
      'ApprovalAlreadyCompletedException',
    );

    react(3);
    const execution = await aws.codepipeline.send(
      new GetPipelineExecutionCommand({
        pipelineName: name,
        pipelineExecutionId: id,
      }),
    );
    expect(execution.pipelineExecution!.status).toBe('Succeeded');
    const sha = execution.pipelineExecution!.artifactRevisions![0].revisionId;
    expect(await gitSha('ledger-worker-production')).toBe(sha);
    const approved = (await approval()).actionStates![0].latestExecution!;
    expect(approved).toMatchObject({
      status: 'Succeeded',
      summary: 'Posting lag is flat',
    });
    expect(approved.token).toBeUndefined();
  });

  it('fails the execution when the approval is rejected', async () => {
    const stage = await approval();
    await aws.codepipeline.send(
      new PutApprovalResultCommand({
        pipelineName: name,
        stageName: 'Approve',
        actionName: 'Approve',
        token: stage.actionStates![0].latestExecution!.token!,
        result: { status: 'Rejected', summary: 'Not during month-end close' },
      }),
    );
    const execution = await aws.codepipeline.send(
      new GetPipelineExecutionCommand({
        pipelineName: name,
        pipelineExecutionId: stage.latestExecution!.pipelineExecutionId!,
      }),
    );
    expect(execution.pipelineExecution!.status).toBe('Failed');
    expect((await approval()).latestExecution!.status).toBe('Failed');
  });

  it('starts an execution at a given commit, idempotent by client request token', async () => {
    const repository = server.simulation.world.findRepository('acme', name)!;
    const older = repository.commits[repository.commits.length - 20].sha;
    const start = () =>
      aws.codepipeline.send(
        new StartPipelineExecutionCommand({
          name,
          clientRequestToken: 'promote-older-1',
          sourceRevisions: [
            {
              actionName: 'Source',
              revisionType: 'COMMIT_ID',
              revisionValue: older,
            },
          ],
        }),
      );
    const { pipelineExecutionId } = await start();
    expect((await start()).pipelineExecutionId).toBe(pipelineExecutionId);
    const execution = await aws.codepipeline.send(
      new GetPipelineExecutionCommand({
        pipelineName: name,
        pipelineExecutionId,
      }),
    );
    expect(execution.pipelineExecution!.artifactRevisions![0].revisionId).toBe(
      older,
    );
    expect(execution.pipelineExecution!.trigger!.triggerType).toBe(
      'StartPipelineExecution',
    );
    // It moves on the reaction timer: Source, then Build, Deploy-Dev, Deploy-Staging.
    react(8);
    expect(await gitSha('ledger-worker-dev')).toBe(older);
    expect(await gitSha('ledger-worker-staging')).toBe(older);

    const wrongType = await rejection(
      aws.codepipeline.send(
        new StartPipelineExecutionCommand({
          name,
          sourceRevisions: [
            {
              actionName: 'Source',
              revisionType: 'S3_OBJECT_VERSION_ID',
              revisionValue: 'x',
            },
          ],
        }),
      ),
    );
    expect(wrongType.name).toBe('ValidationException');
    expect(
      (
        await rejection(
          aws.codepipeline.send(
            new StartPipelineExecutionCommand({ name: 'nope' }),
          ),
        )
      ).name,
    ).toBe('PipelineNotFoundException');
  });

  it('rolls a stage back to an earlier execution that succeeded there', async () => {
    const { pipelineExecutionSummaries } = await aws.codepipeline.send(
      new ListPipelineExecutionsCommand({
        pipelineName: name,
        filter: { succeededInStage: { stageName: 'Deploy-Production' } },
      }),
    );
    const [current, previous] = pipelineExecutionSummaries!;
    expect(await gitSha('ledger-worker-production')).toBe(
      current.sourceRevisions![0].revisionId,
    );
    const { pipelineExecutionId } = await aws.codepipeline.send(
      new RollbackStageCommand({
        pipelineName: name,
        stageName: 'Deploy-Production',
        targetPipelineExecutionId: previous.pipelineExecutionId!,
      }),
    );
    react(2);
    const rollback = await aws.codepipeline.send(
      new GetPipelineExecutionCommand({
        pipelineName: name,
        pipelineExecutionId,
      }),
    );
    expect(rollback.pipelineExecution).toMatchObject({
      status: 'Succeeded',
      executionType: 'ROLLBACK',
      trigger: { triggerType: 'ManualRollback' },
      rollbackMetadata: {
        rollbackTargetPipelineExecutionId: previous.pipelineExecutionId,
      },
    });
    expect(await gitSha('ledger-worker-production')).toBe(
      previous.sourceRevisions![0].revisionId,
    );

    const failed = (
      await aws.codepipeline.send(
        new ListPipelineExecutionsCommand({ pipelineName: name }),
      )
    ).pipelineExecutionSummaries!.find(s => s.status === 'Failed')!;
    expect(
      (
        await rejection(
          aws.codepipeline.send(
            new RollbackStageCommand({
              pipelineName: name,
              stageName: 'Deploy-Production',
              targetPipelineExecutionId: failed.pipelineExecutionId!,
            }),
          ),
        )
      ).name,
    ).toBe('UnableToRollbackStageException');
    expect(
      (
        await rejection(
          aws.codepipeline.send(
            new RollbackStageCommand({
              pipelineName: name,
              stageName: 'Nope',
              targetPipelineExecutionId: previous.pipelineExecutionId!,
            }),
          ),
        )
      ).name,
    ).toBe('StageNotFoundException');
  });

  it('stops an execution waiting for approval, once', async () => {
    const stage = await approval();
    const id = stage.latestExecution!.pipelineExecutionId!;
    const stop = () =>
      aws.codepipeline.send(
        new StopPipelineExecutionCommand({
          pipelineName: name,
          pipelineExecutionId: id,
          abandon: true,
          reason: 'Superseded by a hotfix',
        }),
      );
    await stop();
    const execution = await aws.codepipeline.send(
      new GetPipelineExecutionCommand({
        pipelineName: name,
        pipelineExecutionId: id,
      }),
    );
    expect(execution.pipelineExecution!.status).toBe('Stopped');
    expect((await approval()).actionStates![0].latestExecution!.status).toBe(
      'Abandoned',
    );
    expect((await rejection(stop())).name).toBe(
      'PipelineExecutionNotStoppableException',
    );
  });

  it('lets a stop without abandon finish the running action, and refuses a second stop', async () => {
    const { pipelineExecutionId } = await aws.codepipeline.send(
      new StartPipelineExecutionCommand({ name }),
    );
    react(2); // Source done, Build running
    const stop = () =>
      aws.codepipeline.send(
        new StopPipelineExecutionCommand({
          pipelineName: name,
          pipelineExecutionId,
          reason: 'Wrong branch',
        }),
      );
    await stop();
    const stopping = await aws.codepipeline.send(
      new GetPipelineExecutionCommand({
        pipelineName: name,
        pipelineExecutionId,
      }),
    );
    expect(stopping.pipelineExecution!.status).toBe('Stopping');
    expect((await rejection(stop())).name).toBe(
      'DuplicatedStopRequestException',
    );
    react(1);
    const { pipelineExecutionSummaries } = await aws.codepipeline.send(
      new ListPipelineExecutionsCommand({ pipelineName: name, maxResults: 1 }),
    );
    expect(pipelineExecutionSummaries![0]).toMatchObject({
      pipelineExecutionId,
      status: 'Stopped',
      stopTrigger: { reason: 'Wrong branch' },
    });
  });

  it('fails an approval nobody answers within seven days', async () => {
    await server.close();
    const clock = manualClock();
    server = await startTestSandbox({ now: clock.now });
    aws = awsClients(server);
    const { token } = (await approval()).actionStates![0].latestExecution!;
    clock.time += 7 * 86_400_000;
    server.tick();
    const expired = (await approval()).actionStates![0].latestExecution!;
    expect(expired).toMatchObject({
      status: 'Failed',
      errorDetails: { code: 'ApprovalExpired' },
    });
    const late = await rejection(
      aws.codepipeline.send(
        new PutApprovalResultCommand({
          pipelineName: name,
          stageName: 'Approve',
          actionName: 'Approve',
          token,
          result: { status: 'Approved', summary: 'Too late' },
        }),
      ),
    );
    expect(late.name).toBe('ApprovalAlreadyCompletedException');
  });

  it('moves new commits through dev and staging to the approval as the world ticks', async () => {
    const repository = server.simulation.world.findRepository('acme', name)!;
    const before = repository.commits.length;
    for (let i = 0; i < 400 && repository.commits.length === before; i++)
      server.tick();
    const head = repository.commits[repository.commits.length - 1].sha;
    for (let i = 0; i < 12; i++) server.tick();
    expect(await gitSha('ledger-worker-staging')).toBe(head);
    const { pipelineExecutionSummaries } = await aws.codepipeline.send(
      new ListPipelineExecutionsCommand({ pipelineName: name, maxResults: 1 }),
    );
    expect(pipelineExecutionSummaries![0]).toMatchObject({
      status: 'InProgress',
      trigger: { triggerType: 'WebhookV2' },
      sourceRevisions: [expect.objectContaining({ revisionId: head })],
    });
    // The Approve stage is busy with the older execution, so the new one waits at its inbound transition.
    const stage = await approval();
    expect(stage.inboundExecutions?.map(e => e.pipelineExecutionId)).toEqual([
      pipelineExecutionSummaries![0].pipelineExecutionId,
    ]);
  });
});
