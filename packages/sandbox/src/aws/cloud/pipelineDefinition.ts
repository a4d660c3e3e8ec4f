import { ACCOUNT_ID, ENTITY_TAG, arn } from './account';
import { PipelineRecord, StageDefinition } from './model';

/** The CodePipeline (V2) of the example worker, acme/ledger-worker. */
export const PIPELINE_SERVICE = {
  repository: 'ledger-worker',
  pipelineName: 'ledger-worker',
  entity: 'component:default/ledger-worker',
  approvers: 'team-payments',
  stackName: (environment: string) => `ledger-worker-${environment}`,
};

export const CONNECTION_ARN = arn(
  'codestar-connections',
  'connection/5c9a1e02-7a2f-4d7e-9a31-0f6c2b8d4e11',
);

function deployStage(environment: string): StageDefinition {
  const title = environment.charAt(0).toUpperCase() + environment.slice(1);
  return {
    name: `Deploy-${title}`,
    environment,
    actions: [
      {
        name: 'Deploy',
        category: 'Deploy',
        owner: 'AWS',
        provider: 'CloudFormation',
        runOrder: 1,
        configuration: {
          ActionMode: 'CREATE_UPDATE',
          StackName: PIPELINE_SERVICE.stackName(environment),
          TemplatePath: 'BuildArtifact::packaged.yaml',
          Capabilities: 'CAPABILITY_IAM,CAPABILITY_AUTO_EXPAND',
          ParameterOverrides: `{"Environment":"${environment}","GitSha":"#{SourceVariables.CommitId}"}`,
          RoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/ledger-worker-cfn-deploy`,
        },
        inputArtifacts: ['BuildArtifact'],
        outputArtifacts: [],
        steps: 2,
      },
    ],
  };
}

export function ledgerWorkerPipeline(createdAt: number): PipelineRecord {
  const { pipelineName } = PIPELINE_SERVICE;
  return {
    name: pipelineName,
    arn: arn('codepipeline', pipelineName),
    version: 3,
    roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/service-role/AWSCodePipelineServiceRole-ledger-worker`,
    createdAt,
    updatedAt: createdAt,
    repository: `acme/${PIPELINE_SERVICE.repository}`,
    connectionArn: CONNECTION_ARN,
    tags: { [ENTITY_TAG]: PIPELINE_SERVICE.entity },
    executions: [],
    stages: [
      {
        name: 'Source',
        actions: [
          {
            name: 'Source',
            category: 'Source',
            owner: 'AWS',
            provider: 'CodeStarSourceConnection',
            runOrder: 1,
            configuration: {
              ConnectionArn: CONNECTION_ARN,
              FullRepositoryId: `acme/${PIPELINE_SERVICE.repository}`,
              BranchName: 'main',
              OutputArtifactFormat: 'CODE_ZIP',
            },
            inputArtifacts: [],
            outputArtifacts: ['SourceArtifact'],
            steps: 1,
          },
        ],
      },
      {
        name: 'Build',
        actions: [
          {
            name: 'Build',
            category: 'Build',
            owner: 'AWS',
            provider: 'CodeBuild',
            runOrder: 1,
            configuration: { ProjectName: 'ledger-worker-build' },
            inputArtifacts: ['SourceArtifact'],
            outputArtifacts: ['BuildArtifact'],
            steps: 2,
          },
        ],
      },
      deployStage('dev'),
      deployStage('staging'),
      {
        name: 'Approve',
        actions: [
          {
            name: 'Approve',
            category: 'Approval',
            owner: 'AWS',
            provider: 'Manual',
            runOrder: 1,
            configuration: {
              CustomData: `${PIPELINE_SERVICE.approvers}: ledger-worker #{SourceVariables.CommitId} is on staging. Check the posting lag dashboard, then approve it for production.`,
              ExternalEntityLink: `https://github.com/acme/${PIPELINE_SERVICE.repository}/commit/#{SourceVariables.CommitId}`,
            },
            inputArtifacts: [],
            outputArtifacts: [],
            steps: 1,
          },
        ],
      },
      {
        ...deployStage('production'),
        // Production deploys enter on working days only (shown on the lane).
        deploymentWindow: {
          rule: 'WorkingHours',
          cron: '* * 8-17 ? * MON-FRI',
          timeZone: 'Europe/Berlin',
        },
      },
    ],
  };
}
