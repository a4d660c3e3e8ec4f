import type {
  ActionExecutionDetail,
  GetPipelineStateOutput,
  PipelineDeclaration,
  PipelineExecutionSummary,
} from '@aws-sdk/client-codepipeline';

export const PIPELINE = 'payments-pipeline';

/** Source → Build → Deploy-Dev → Deploy-Staging → Approve (manual) → Deploy-Prod. */
export function pipelineDeclaration(version = 3): PipelineDeclaration {
  const action = (
    name: string,
    category: string,
    provider: string,
    configuration?: Record<string, string>,
  ) => ({
    name,
    actionTypeId: { category, owner: 'AWS', provider, version: '1' },
    ...(configuration ? { configuration } : {}),
  });
  return {
    name: PIPELINE,
    roleArn: 'arn:aws:iam::111111111111:role/pipeline',
    version,
    pipelineType: 'V2',
    stages: [
      {
        name: 'Source',
        actions: [action('Source', 'Source', 'CodeStarSourceConnection')],
      },
      { name: 'Build', actions: [action('Build', 'Build', 'CodeBuild')] },
      {
        name: 'Deploy-Dev',
        actions: [action('Deploy', 'Deploy', 'CloudFormation')],
      },
      {
        name: 'Deploy-Staging',
        actions: [action('Deploy', 'Deploy', 'CloudFormation')],
      },
      {
        name: 'Approve',
        actions: [
          action('ProductionApproval', 'Approval', 'Manual', {
            CustomData: 'Check the staging dashboard before production',
            ExternalEntityLink: 'https://dashboards.example.com/payments',
          }),
        ],
      },
      {
        name: 'Deploy-Prod',
        actions: [action('Deploy', 'Deploy', 'CloudFormation')],
      },
    ],
  } as PipelineDeclaration;
}

export function sha(n: number): string {
  return n.toString(16).padStart(40, 'a');
}

const T0 = Date.parse('2026-11-01T10:00:00Z');
export function at(minutes: number): Date {
  return new Date(T0 + minutes * 60_000);
}

export function executionId(n: number): string {
  return `${`0000000${n}`.slice(-8)}-1111-2222-3333-444444444444`;
}

export function execution(
  n: number,
  overrides: Partial<PipelineExecutionSummary> = {},
): PipelineExecutionSummary {
  return {
    pipelineExecutionId: executionId(n),
    status: 'Succeeded',
    startTime: at(n * 60),
    lastUpdateTime: at(n * 60 + 30),
    sourceRevisions: [
      {
        actionName: 'Source',
        revisionId: sha(n),
        revisionSummary: JSON.stringify({
          ProviderType: 'GitHub',
          CommitMessage: `Change ${n}\n\nbody`,
        }),
        revisionUrl: `https://github.com/acme/payments/commit/${sha(n)}`,
      },
    ],
    trigger: {
      triggerType: 'WebhookV2',
      triggerDetail:
        'arn:aws:codeconnections:eu-west-1:111111111111:connection/x',
    },
    ...overrides,
  };
}

/** The action executions of execution `n`, through `stages` (all succeeded unless overridden). */
export function actionsOf(
  n: number,
  stages: Array<
    [stage: string, action: string, status?: ActionExecutionDetail['status']]
  >,
): ActionExecutionDetail[] {
  return stages.map(([stageName, actionName, status], i) => ({
    pipelineExecutionId: executionId(n),
    actionExecutionId: `${n}-${i}`,
    stageName,
    actionName,
    startTime: at(n * 60 + i * 4),
    lastUpdateTime: at(n * 60 + i * 4 + 3),
    status: status ?? 'Succeeded',
    ...(actionName === 'ProductionApproval' &&
    (status ?? 'Succeeded') === 'Succeeded'
      ? {
          updatedBy: 'arn:aws:sts::111111111111:assumed-role/approver/alice',
          output: {
            executionResult: { externalExecutionSummary: 'looks good' },
          },
        }
      : {}),
  }));
}

export const ALL_STAGES: Array<[string, string]> = [
  ['Source', 'Source'],
  ['Build', 'Build'],
  ['Deploy-Dev', 'Deploy'],
  ['Deploy-Staging', 'Deploy'],
  ['Approve', 'ProductionApproval'],
  ['Deploy-Prod', 'Deploy'],
];

/** GetPipelineState with execution `n` in every stage up to `upTo`, the approval waiting when `waiting`. */
export function pipelineState(options: {
  n: number;
  version?: number;
  waiting?: boolean;
  token?: string;
}): GetPipelineStateOutput {
  const { n } = options;
  const stage = (
    stageName: string,
    actionName: string,
    status = 'Succeeded',
    extra: object = {},
  ) => ({
    stageName,
    latestExecution: { pipelineExecutionId: executionId(n), status },
    actionStates: [
      {
        actionName,
        latestExecution: {
          actionExecutionId: `${n}-${stageName}`,
          status,
          lastStatusChange: at(n * 60 + 12),
          ...extra,
        },
      },
    ],
  });
  const stages = [
    stage('Source', 'Source'),
    stage('Build', 'Build'),
    stage('Deploy-Dev', 'Deploy'),
    stage('Deploy-Staging', 'Deploy'),
  ];
  if (options.waiting) {
    stages.push(
      stage('Approve', 'ProductionApproval', 'InProgress', {
        token: options.token ?? '3f7c3e9e-1111-4222-8333-944444444444',
      }),
    );
  } else {
    stages.push(
      stage('Approve', 'ProductionApproval'),
      stage('Deploy-Prod', 'Deploy'),
    );
  }
  return {
    pipelineName: PIPELINE,
    pipelineVersion: options.version ?? 3,
    stageStates: stages as GetPipelineStateOutput['stageStates'],
  };
}
