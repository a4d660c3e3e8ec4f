import {
  GetPipelineCommand,
  GetPipelineStateCommand,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
} from '@aws-sdk/client-codepipeline';
import { runProviderConformanceTests } from '@stagecraft/plugin-deployments-node/testing';
import {
  aws,
  createTestProvider,
  entityWith,
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
import {
  delivery,
  notification,
  serveSnsCertificates,
  TOPIC,
} from './__testUtils__/snsSigning';

// SNS's own certificates are fetched by sns-validator, from here.
serveSnsCertificates();
import {
  codeDeployDeployment,
  mockSamStack,
  stack,
  STACK,
} from './__testUtils__/stackFixtures';
import { SnsMessageVerifier } from './webhooks/verifySnsMessage';

/** A pipeline that moves: executions 1..n, the newest one possibly waiting for approval. */
function fakePipeline() {
  const world = { newest: 2, waiting: false };
  const summaries = () =>
    Array.from({ length: world.newest }, (_, i) => {
      const n = world.newest - i;
      return execution(
        n,
        n === world.newest && world.waiting ? { status: 'InProgress' } : {},
      );
    });
  const actions = () =>
    summaries().flatMap(e => {
      const n = Number(e.pipelineExecutionId!.slice(0, 8));
      return n === world.newest && world.waiting
        ? actionsOf(n, [
            ...ALL_STAGES.slice(0, 4),
            ['Approve', 'ProductionApproval', 'InProgress'],
          ])
        : actionsOf(n, ALL_STAGES);
    });
  aws.codepipeline
    .on(GetPipelineCommand)
    .resolves({ pipeline: pipelineDeclaration() });
  aws.codepipeline
    .on(GetPipelineStateCommand)
    .callsFake(() =>
      pipelineState({ n: world.newest, waiting: world.waiting }),
    );
  aws.codepipeline
    .on(ListPipelineExecutionsCommand)
    .callsFake(() => ({ pipelineExecutionSummaries: summaries() }));
  aws.codepipeline
    .on(ListActionExecutionsCommand)
    .callsFake(() => ({ actionExecutionDetails: actions().reverse() }));
  return world;
}

runProviderConformanceTests('AwsDeploymentProvider', async () => {
  resetAws();
  const world = fakePipeline();
  mockSamStack({
    stack: stack('UPDATE_COMPLETE'),
    deployments: [codeDeployDeployment('d-CANARY001', 'Succeeded')],
  });
  const { provider } = createTestProvider(
    { sns: { topicArns: [TOPIC] } },
    {
      snsVerifier: new SnsMessageVerifier(),
    },
  );
  return {
    provider,
    entity: entityWith({
      'aws.amazon.com/aws-codepipeline-arn': PIPELINE_ARN,
      'stagecraft.io/aws-pipeline-stages':
        'dev=Deploy-Dev,staging=Deploy-Staging,production=Deploy-Prod',
      // The approval gates production, so the stack serves another environment here.
      'stagecraft.io/aws-stacks': `preview=${STACK}`,
    }),
    capabilities: [
      'resolveVersion',
      'promote',
      'review',
      'abort',
      'handleWebhook',
    ],
    async deploy() {
      world.newest++;
      world.waiting = false;
    },
    async openGate() {
      world.newest++;
      world.waiting = true;
    },
    async closeGate() {
      world.waiting = false;
    },
    async webhook() {
      const message = notification({
        source: 'aws.codepipeline',
        'detail-type': 'CodePipeline Pipeline Execution State Change',
        account: '111111111111',
        region: 'eu-west-1',
        resources: [PIPELINE_ARN],
        detail: {
          pipeline: 'payments-pipeline',
          'execution-id': 'x',
          state: 'STARTED',
        },
      });
      const valid = delivery(message);
      const forged = delivery({
        ...message,
        Signature: Buffer.from('forged').toString('base64'),
      });
      return { valid, forged };
    },
  };
});
