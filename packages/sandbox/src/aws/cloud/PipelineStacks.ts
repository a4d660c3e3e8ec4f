import {
  ActionDefinition,
  ActionExecutionRecord,
  PipelineExecutionRecord,
  PipelineRecord,
} from './model';
import { AwsCloud } from './AwsCloud';
import { PIPELINE_SERVICE } from './pipelineDefinition';
import { ACCOUNT_ID, REGION, physicalSuffix } from './account';
import {
  beginStackCreate,
  completeStackCreate,
  setResourceStatus,
  setStackStatus,
} from './stacks';

/**
 * The CloudFormation stacks the pipeline's deploy actions create and update
 * (`ledger-worker-<environment>`): a Lambda worker on an SQS queue, with the
 * commit as its GitSha parameter, tag and output.
 */
export class PipelineStacks {
  private readonly updating = new Map<
    string,
    { stackName: string; previousSha?: string }
  >();

  constructor(private readonly cloud: AwsCloud) {}

  begin(
    _pipeline: PipelineRecord,
    execution: PipelineExecutionRecord,
    definition: ActionDefinition,
    action: ActionExecutionRecord,
  ) {
    const { cloud } = this;
    const stackName = definition.configuration.StackName;
    const environment = stackName.replace(
      `${PIPELINE_SERVICE.stackName('')}`,
      '',
    );
    const sha = execution.sourceRevision.sha;
    const existing = cloud.findStack(stackName);
    action.externalExecutionUrl = `https://console.aws.amazon.com/cloudformation/home?region=${REGION}#/stacks/stackinfo?stackId=${encodeURIComponent(
      stackName,
    )}`;
    if (!existing) {
      const suffix = () => physicalSuffix(cloud.random);
      const functionName = `${stackName}-LedgerWorkerFunction-${suffix()}`;
      beginStackCreate(cloud, {
        stackName,
        description:
          'ledger-worker: posts captured payments to the double-entry ledger.',
        entity: PIPELINE_SERVICE.entity,
        environment,
        parameters: { Environment: environment, GitSha: sha },
        outputs: [
          { key: 'FunctionName', value: functionName },
          {
            key: 'QueueUrl',
            value: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT_ID}/${stackName}-PostingsQueue-${suffix()}`,
          },
          {
            key: 'GitSha',
            value: sha,
            description: 'The commit this stack runs',
          },
        ],
        resources: [
          {
            logicalId: 'LedgerWorkerFunctionRole',
            physicalId: `${stackName}-LedgerWorkerFunctionRole-${suffix()}`,
            type: 'AWS::IAM::Role',
          },
          {
            logicalId: 'LedgerWorkerFunction',
            physicalId: functionName,
            type: 'AWS::Lambda::Function',
          },
          {
            logicalId: 'PostingsQueue',
            physicalId: `${stackName}-PostingsQueue-${suffix()}`,
            type: 'AWS::SQS::Queue',
          },
          {
            logicalId: 'PostingsDeadLetterQueue',
            physicalId: `${stackName}-PostingsDeadLetterQueue-${suffix()}`,
            type: 'AWS::SQS::Queue',
          },
          {
            logicalId: 'LedgerWorkerFunctionPostings',
            physicalId: `${physicalSuffix(
              cloud.random,
              8,
            ).toLowerCase()}-${physicalSuffix(cloud.random, 4).toLowerCase()}`,
            type: 'AWS::Lambda::EventSourceMapping',
          },
        ],
      });
      this.updating.set(action.id, { stackName });
      return;
    }
    this.updating.set(action.id, {
      stackName,
      previousSha: existing.parameters.GitSha,
    });
    existing.parameters.GitSha = sha;
    existing.tags.GitSha = sha;
    const output = existing.outputs.find(o => o.key === 'GitSha');
    if (output) output.value = sha;
    setStackStatus(cloud, existing, 'UPDATE_IN_PROGRESS', 'User Initiated');
    setResourceStatus(
      cloud,
      existing,
      'LedgerWorkerFunction',
      'UPDATE_IN_PROGRESS',
    );
  }

  /** The deploy action ends: the stack update completes (or, on failure, rolls back). */
  complete(_pipeline: PipelineRecord, action: ActionExecutionRecord) {
    const update = this.updating.get(action.id);
    if (!update) return;
    this.updating.delete(action.id);
    const stack = this.cloud.findStack(update.stackName)!;
    const failed = action.errorDetails !== undefined;
    if (stack.status === 'CREATE_IN_PROGRESS') {
      completeStackCreate(this.cloud, stack);
      return;
    }
    if (failed && update.previousSha) {
      setResourceStatus(
        this.cloud,
        stack,
        'LedgerWorkerFunction',
        'UPDATE_FAILED',
        'Resource handler returned message: "Function update failed"',
      );
      setStackStatus(
        this.cloud,
        stack,
        'UPDATE_ROLLBACK_IN_PROGRESS',
        'The following resource(s) failed to update: [LedgerWorkerFunction].',
      );
      stack.parameters.GitSha = update.previousSha;
      stack.tags.GitSha = update.previousSha;
      const output = stack.outputs.find(o => o.key === 'GitSha');
      if (output) output.value = update.previousSha;
      setResourceStatus(
        this.cloud,
        stack,
        'LedgerWorkerFunction',
        'UPDATE_COMPLETE',
      );
      setStackStatus(this.cloud, stack, 'UPDATE_ROLLBACK_COMPLETE');
      return;
    }
    setResourceStatus(
      this.cloud,
      stack,
      'LedgerWorkerFunction',
      'UPDATE_COMPLETE',
    );
    setStackStatus(this.cloud, stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    setStackStatus(this.cloud, stack, 'UPDATE_COMPLETE');
  }
}
