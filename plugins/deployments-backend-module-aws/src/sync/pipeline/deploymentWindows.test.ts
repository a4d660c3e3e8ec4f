import {
  GetPipelineCommand,
  GetPipelineStateCommand,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
  PipelineDeclaration,
  RuleDeclaration,
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
  execution,
  PIPELINE,
  pipelineDeclaration,
  pipelineState,
} from '../../__testUtils__/pipelineFixtures';

const mapped = entityWith({
  'aws.amazon.com/aws-codepipeline-arn': PIPELINE_ARN,
  'stagecraft.io/aws-pipeline-stages':
    'dev=Deploy-Dev,staging=Deploy-Staging,production=Deploy-Prod',
});
const byName = entityWith({
  'aws.amazon.com/aws-codepipeline-arn': PIPELINE_ARN,
});

const rule = (
  name: string,
  provider: string,
  configuration?: Record<string, string>,
): RuleDeclaration => ({
  name,
  ruleTypeId: { category: 'Rule', owner: 'AWS', provider, version: '1' },
  ...(configuration ? { configuration } : {}),
});

/** The fixture pipeline with entry conditions on Deploy-Prod (and an alarm rule on staging). */
function withConditions(): PipelineDeclaration {
  const pipeline = pipelineDeclaration();
  for (const stage of pipeline.stages!) {
    if (stage.name === 'Deploy-Prod') {
      stage.beforeEntry = {
        conditions: [
          {
            result: 'FAIL',
            rules: [
              rule('ProdWindow', 'DeploymentWindow', {
                Cron: '* * 9-16 ? * MON-FRI',
                TimeZone: 'Europe/Berlin',
              }),
              rule('NoAlarm', 'CloudWatchAlarm', { AlarmName: 'p99' }),
            ],
          },
          {
            rules: [
              rule('Nights', 'DeploymentWindow', { Cron: '* * 1-2 * * ?' }),
            ],
          },
        ],
      };
      stage.onSuccess = {
        conditions: [
          {
            rules: [rule('After', 'DeploymentWindow', { Cron: '* * * * * ?' })],
          },
        ],
      };
    }
    if (stage.name === 'Deploy-Staging') {
      stage.beforeEntry = {
        conditions: [
          { rules: [rule('Check', 'LambdaInvoke', { FunctionName: 'x' })] },
        ],
      };
    }
  }
  return pipeline;
}

const consoleLink = `https://console.test/eu-west-1/codesuite/codepipeline/pipelines/${PIPELINE}/view?region=eu-west-1`;

async function syncOnce(entity = mapped, cursor?: string) {
  const { provider } = createTestProvider();
  const [target] = await provider.targetsOf(entity);
  return provider.sync({ entity, target, cursor });
}

beforeEach(() => {
  resetAws();
  aws.codepipeline
    .on(GetPipelineStateCommand)
    .resolves(pipelineState({ n: 1 }));
  aws.codepipeline
    .on(ListPipelineExecutionsCommand)
    .resolves({ pipelineExecutionSummaries: [execution(1)] });
  aws.codepipeline
    .on(ListActionExecutionsCommand)
    .resolves({ actionExecutionDetails: actionsOf(1, ALL_STAGES) });
});

describe('CodePipeline deployment windows', () => {
  it("reports a stage's DeploymentWindow entry rules as its environment's windows, and no other rule", async () => {
    aws.codepipeline
      .on(GetPipelineCommand)
      .resolves({ pipeline: withConditions() });

    const snapshot = await syncOnce();

    const byEnvironment = Object.fromEntries(
      (snapshot.environments ?? []).map(e => [e.name, e.deploymentWindows]),
    );
    expect(byEnvironment['Deploy-Dev']).toBeUndefined();
    expect(byEnvironment['Deploy-Staging']).toBeUndefined();
    expect(byEnvironment['Deploy-Prod']).toEqual([
      {
        id: 'Deploy-Prod/ProdWindow',
        kind: 'allow',
        cron: '* * 9-16 ? * MON-FRI',
        timeZone: 'Europe/Berlin',
        label: 'CodePipeline',
        definedAt: `pipeline ${PIPELINE}, stage Deploy-Prod, rule ProdWindow`,
        url: expect.stringContaining(
          `/codesuite/codepipeline/pipelines/${PIPELINE}/view`,
        ),
      },
      expect.objectContaining({
        id: 'Deploy-Prod/Nights',
        cron: '* * 1-2 * * ?',
        // No TimeZone in the rule: CodePipeline reads the cron in UTC.
        timeZone: 'UTC',
      }),
    ]);
    // The approval protection is reported as before.
    expect(
      snapshot.environments?.find(e => e.name === 'Deploy-Prod')
        ?.requiredReviewers,
    ).toHaveLength(1);
  });

  it('names the window by the environment the stage is matched to without a mapping', async () => {
    aws.codepipeline
      .on(GetPipelineCommand)
      .resolves({ pipeline: withConditions() });

    const snapshot = await syncOnce(byName);

    const production = snapshot.environments?.find(
      e => e.name === 'production',
    );
    expect(production?.deploymentWindows?.map(w => w.id)).toEqual([
      'Deploy-Prod/ProdWindow',
      'Deploy-Prod/Nights',
    ]);
    expect(production?.deploymentWindows?.[0].url).toBe(consoleLink);
  });

  it('reads the declaration once more when the cached structure predates entry conditions', async () => {
    aws.codepipeline
      .on(GetPipelineCommand)
      .resolves({ pipeline: withConditions() });
    const first = await syncOnce();
    const cached = JSON.parse(first.cursor!);
    delete cached.structure.conditionsRead;
    for (const stage of cached.structure.stages) delete stage.windows;

    const reads = () =>
      awsCalls().filter(call => call === 'codepipeline.GetPipeline').length;
    const before = reads();
    const upgraded = await syncOnce(mapped, JSON.stringify(cached));
    const again = await syncOnce(mapped, upgraded.cursor);

    expect(reads()).toBe(before + 1);
    expect(
      upgraded.environments?.find(e => e.name === 'Deploy-Prod')
        ?.deploymentWindows,
    ).toHaveLength(2);
    expect(again.environments).toBeUndefined();
  });

  it('reports no windows for a pipeline without entry conditions', async () => {
    aws.codepipeline
      .on(GetPipelineCommand)
      .resolves({ pipeline: pipelineDeclaration() });

    const snapshot = await syncOnce();

    expect(snapshot.environments?.some(e => e.deploymentWindows)).toBe(false);
  });
});
