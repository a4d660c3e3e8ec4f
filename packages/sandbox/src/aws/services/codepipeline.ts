import type {
  GetPipelineExecutionOutput,
  GetPipelineOutput,
  GetPipelineStateOutput,
  ListActionExecutionsOutput,
  ListPipelineExecutionsOutput,
  PutApprovalResultOutput,
  RollbackStageOutput,
  StartPipelineExecutionOutput,
  StopPipelineExecutionOutput,
} from '@aws-sdk/client-codepipeline';
import { Router } from 'express';
import { ACCOUNT_ID, REGION } from '../cloud/account';
import { AwsCloud } from '../cloud/AwsCloud';
import {
  CodePipelineEngine,
  SANDBOX_CALLER,
} from '../cloud/CodePipelineEngine';
import { AwsServiceError } from '../cloud/errors';
import { PipelineRecord } from '../cloud/model';
import {
  actionDetail,
  stageState,
  summaryOf,
} from './codepipelineRepresentation';
import {
  createJsonProtocolRouter,
  page,
  pageSize,
  requireString,
} from '../protocols/json';

const date = (ms: number | undefined) =>
  ms === undefined ? undefined : new Date(ms);

/** CodePipeline's JSON 1.1 API (`CodePipeline_20150709.<Operation>`). */
export function createCodePipelineRouter(options: {
  cloud: AwsCloud;
  engine: CodePipelineEngine;
}): Router {
  const { cloud, engine } = options;
  const pipelineNamed = (input: any, field: string): PipelineRecord => {
    const name = requireString(input, field);
    const pipeline = cloud.findPipeline(name);
    if (!pipeline)
      throw new AwsServiceError(
        'PipelineNotFoundException',
        `Account '${ACCOUNT_ID}' does not have a pipeline with name '${name}'`,
      );
    return pipeline;
  };
  const invalidToken = () =>
    new AwsServiceError(
      'InvalidNextTokenException',
      'The next token is not valid',
    );

  return createJsonProtocolRouter({
    version: '1.1',
    target: 'CodePipeline_20150709',
    handlers: {
      GetPipeline: (input): GetPipelineOutput => {
        const pipeline = pipelineNamed(input, 'name');
        return {
          pipeline: {
            name: pipeline.name,
            roleArn: pipeline.roleArn,
            artifactStore: {
              type: 'S3',
              location: `codepipeline-${REGION}-ledger-worker-artifacts`,
            },
            stages: pipeline.stages.map(stage => ({
              name: stage.name,
              actions: stage.actions.map(action => ({
                name: action.name,
                actionTypeId: {
                  category: action.category,
                  owner: action.owner,
                  provider: action.provider,
                  version: '1',
                },
                runOrder: action.runOrder,
                configuration: action.configuration,
                inputArtifacts: action.inputArtifacts.map(name => ({ name })),
                outputArtifacts: action.outputArtifacts.map(name => ({ name })),
                region: REGION,
                namespace:
                  action.category === 'Source' ? 'SourceVariables' : undefined,
              })),
              ...(stage.deploymentWindow
                ? {
                    beforeEntry: {
                      conditions: [
                        {
                          result: 'FAIL' as const,
                          rules: [
                            {
                              name: stage.deploymentWindow.rule,
                              ruleTypeId: {
                                category: 'Rule' as const,
                                owner: 'AWS' as const,
                                provider: 'DeploymentWindow',
                                version: '1',
                              },
                              configuration: {
                                Cron: stage.deploymentWindow.cron,
                                TimeZone: stage.deploymentWindow.timeZone,
                              },
                            },
                          ],
                        },
                      ],
                    },
                  }
                : {}),
            })),
            version: pipeline.version,
            executionMode: 'SUPERSEDED',
            pipelineType: 'V2',
            triggers: [
              {
                providerType: 'CodeStarSourceConnection',
                gitConfiguration: {
                  sourceActionName: 'Source',
                  push: [{ branches: { includes: ['main'] } }],
                },
              },
            ],
          },
          metadata: {
            pipelineArn: pipeline.arn,
            created: date(pipeline.createdAt),
            updated: date(pipeline.updatedAt),
          },
        };
      },

      GetPipelineState: (input): GetPipelineStateOutput => {
        const pipeline = pipelineNamed(input, 'name');
        return {
          pipelineName: pipeline.name,
          pipelineVersion: pipeline.version,
          created: date(pipeline.createdAt),
          updated: date(pipeline.updatedAt),
          stageStates: pipeline.stages.map(stage =>
            stageState(pipeline, stage.name),
          ),
        };
      },

      ListPipelineExecutions: (input): ListPipelineExecutionsOutput => {
        const pipeline = pipelineNamed(input, 'pipelineName');
        const size = pageSize(input.maxResults, {
          default: 100,
          max: 100,
          name: 'maxResults',
        });
        const stageName = input.filter?.succeededInStage?.stageName;
        const newestFirst = [...pipeline.executions]
          .reverse()
          .filter(
            e =>
              !stageName ||
              e.stages.some(
                s => s.name === stageName && s.status === 'Succeeded',
              ),
          );
        const { items, next } = page(newestFirst, {
          token: input.nextToken,
          size,
          invalid: invalidToken,
        });
        return {
          pipelineExecutionSummaries: items.map(summaryOf),
          nextToken: next,
        };
      },

      GetPipelineExecution: (input): GetPipelineExecutionOutput => {
        const pipeline = pipelineNamed(input, 'pipelineName');
        const execution = engine.execution(
          pipeline,
          requireString(input, 'pipelineExecutionId'),
        );
        return {
          pipelineExecution: {
            pipelineName: pipeline.name,
            pipelineVersion: pipeline.version,
            pipelineExecutionId: execution.id,
            status: execution.status,
            statusSummary: execution.statusSummary,
            artifactRevisions: [
              {
                name: 'SourceArtifact',
                revisionId: execution.sourceRevision.sha,
                revisionSummary: execution.sourceRevision.summary,
                revisionUrl: execution.sourceRevision.url,
                created: date(execution.startTime),
              },
            ],
            variables: [],
            trigger: {
              triggerType: execution.trigger.type as any,
              triggerDetail: execution.trigger.detail,
            },
            executionMode: 'SUPERSEDED',
            executionType: execution.executionType,
            rollbackMetadata: execution.rollbackTargetId
              ? {
                  rollbackTargetPipelineExecutionId: execution.rollbackTargetId,
                }
              : undefined,
          },
        };
      },

      ListActionExecutions: (input): ListActionExecutionsOutput => {
        const pipeline = pipelineNamed(input, 'pipelineName');
        const size = pageSize(input.maxResults, {
          default: 100,
          max: 100,
          name: 'maxResults',
        });
        const wanted =
          input.filter?.pipelineExecutionId ??
          input.filter?.latestInPipelineExecution?.pipelineExecutionId;
        const executions = wanted
          ? [engine.execution(pipeline, String(wanted))]
          : pipeline.executions;
        const details = executions
          .flatMap(execution =>
            execution.actions.map(action => ({ execution, action })),
          )
          .sort((a, b) => b.action.startTime - a.action.startTime);
        const { items, next } = page(details, {
          token: input.nextToken,
          size,
          invalid: invalidToken,
        });
        return {
          actionExecutionDetails: items.map(({ execution, action }) =>
            actionDetail(pipeline, execution, action),
          ),
          nextToken: next,
        };
      },

      PutApprovalResult: (input): PutApprovalResultOutput => {
        const pipeline = pipelineNamed(input, 'pipelineName');
        const stageName = requireString(input, 'stageName');
        const actionName = requireString(input, 'actionName');
        const token = requireString(input, 'token');
        const status = input.result?.status;
        const summary = input.result?.summary;
        if (status !== 'Approved' && status !== 'Rejected')
          throw new AwsServiceError(
            'ValidationException',
            `result.status must be Approved or Rejected, got '${status}'`,
          );
        if (typeof summary !== 'string' || summary.length > 512)
          throw new AwsServiceError(
            'ValidationException',
            'result.summary must be a string of at most 512 characters',
          );
        const approvedAt = engine.decide(
          pipeline,
          stageName,
          actionName,
          token,
          { status, summary },
          SANDBOX_CALLER,
        );
        return { approvedAt: new Date(approvedAt) };
      },

      StartPipelineExecution: (input): StartPipelineExecutionOutput => {
        const pipeline = pipelineNamed(input, 'name');
        if (Array.isArray(input.variables) && input.variables.length > 0)
          throw new AwsServiceError(
            'ValidationException',
            `Pipeline ${
              pipeline.name
            } declares no variables; got ${input.variables
              .map((v: any) => v?.name)
              .join(', ')}`,
          );
        const token = input.clientRequestToken;
        if (token !== undefined && !/^[a-zA-Z0-9-]{1,128}$/.test(String(token)))
          throw new AwsServiceError(
            'ValidationException',
            'clientRequestToken must be 1 to 128 letters, digits or hyphens',
          );
        let sha: string | undefined;
        for (const revision of input.sourceRevisions ?? []) {
          if (revision?.actionName !== 'Source')
            throw new AwsServiceError(
              'ValidationException',
              `Source action '${revision?.actionName}' not found in pipeline ${pipeline.name}`,
            );
          if (revision.revisionType !== 'COMMIT_ID')
            throw new AwsServiceError(
              'ValidationException',
              `Revision type '${revision.revisionType}' is not supported by CodeStarSourceConnection; use COMMIT_ID`,
            );
          if (
            typeof revision.revisionValue !== 'string' ||
            !revision.revisionValue
          )
            throw new AwsServiceError(
              'ValidationException',
              'revisionValue must not be empty',
            );
          sha = revision.revisionValue;
        }
        const execution = engine.start(pipeline, {
          sha,
          trigger: { type: 'StartPipelineExecution', detail: SANDBOX_CALLER },
          clientRequestToken: token,
          pace: 'prompt',
        });
        return { pipelineExecutionId: execution.id };
      },

      RollbackStage: (input): RollbackStageOutput => {
        const pipeline = pipelineNamed(input, 'pipelineName');
        const execution = engine.rollbackStage(
          pipeline,
          requireString(input, 'stageName'),
          requireString(input, 'targetPipelineExecutionId'),
          SANDBOX_CALLER,
        );
        return { pipelineExecutionId: execution.id };
      },

      StopPipelineExecution: (input): StopPipelineExecutionOutput => {
        const pipeline = pipelineNamed(input, 'pipelineName');
        const id = requireString(input, 'pipelineExecutionId');
        const reason =
          typeof input.reason === 'string' ? input.reason.slice(0, 200) : '';
        engine.stop(pipeline, id, input.abandon === true, reason);
        return { pipelineExecutionId: id };
      },
    },
  });
}
