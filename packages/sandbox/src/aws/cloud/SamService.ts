import { createHash } from 'node:crypto';
import {
  DeploymentRecord,
  RepositoryRecord,
  RunRecord,
} from '../../world/model';
import { EnvironmentDeployer } from '../../world/Pipeline';
import { ACCOUNT_ID, REGION, arn, physicalSuffix, uuid } from './account';
import { AwsCloud } from './AwsCloud';
import { CanaryRollout } from './CanaryRollout';
import { AlarmRecord, FunctionRecord, StackRecord } from './model';
import {
  beginStackCreate,
  completeStackCreate,
  setResourceStatus,
  setStackStatus,
} from './stacks';

/** What `examples/python-service/template.yaml` deploys, per environment. */
export const SAM_SERVICE = {
  entity: 'component:default/python-service',
  repository: 'python-service',
  functionLogicalId: 'FraudScoreFunction',
  aliasName: 'live',
  deploymentPreference: 'Canary10Percent5Minutes',
  stackName: (environment: string) => `python-service-${environment}`,
  functionName: (environment: string) => `python-service-${environment}`,
};

type Outcome = { succeeded: boolean; description: string };

/**
 * Plays `sam deploy` of python-service's template for the deploy jobs of its
 * GitHub workflow: the first deploy of an environment creates the stack; each
 * later one updates it (GitSha parameter, tag and output), publishes a Lambda
 * version and lets CodeDeploy shift the `live` alias by
 * Canary10Percent5Minutes, rolling back on an alarm.
 */
export class SamService implements EnvironmentDeployer {
  private readonly outcomes = new Map<number, Outcome | undefined>();

  constructor(private readonly cloud: AwsCloud) {}

  begin(rollout: {
    repository: RepositoryRecord;
    run: RunRecord;
    deployment: DeploymentRecord;
    fail: boolean;
  }) {
    const { deployment, fail } = rollout;
    const environment = deployment.environment;
    this.outcomes.set(deployment.id, undefined);
    const settle = (outcome: Outcome) =>
      this.outcomes.set(
        deployment.id,
        // A smoke test after a good deploy fails the job, not the stack.
        outcome.succeeded && fail
          ? { succeeded: false, description: 'Smoke tests failed after deploy' }
          : outcome,
      );
    const stack = this.cloud.findStack(SAM_SERVICE.stackName(environment));
    if (!stack) {
      this.create(environment, deployment.sha, settle);
      return;
    }
    if (stack.status.endsWith('_IN_PROGRESS')) {
      // CloudFormation refuses an update while another one runs; sam deploy fails.
      this.outcomes.set(deployment.id, {
        succeeded: false,
        description: `Stack ${stack.stackName} is in ${stack.status} state and can not be updated`,
      });
      return;
    }
    const fn = this.cloud.findFunction(SAM_SERVICE.functionName(environment))!;
    const version = publishVersion(this.cloud, fn, deployment.sha);
    const previousSha = stack.parameters.GitSha;
    stack.parameters.GitSha = deployment.sha;
    stack.tags.GitSha = deployment.sha;
    setOutput(stack, 'GitSha', deployment.sha);
    setStackStatus(this.cloud, stack, 'UPDATE_IN_PROGRESS', 'User Initiated');
    setResourceStatus(
      this.cloud,
      stack,
      'FraudScoreFunction',
      'UPDATE_IN_PROGRESS',
    );
    setResourceStatus(
      this.cloud,
      stack,
      'FraudScoreFunction',
      'UPDATE_COMPLETE',
    );
    replaceVersionResource(this.cloud, stack, fn, version.version);
    this.cloud.setInMotion(
      new CanaryRollout(this.cloud, {
        stack,
        fn,
        targetVersion: version.version,
        previousSha,
        // Only production's canary trips an alarm; elsewhere a fated failure
        // is the smoke test after the deploy.
        alarm: fail && environment === 'production',
        settle,
      }),
    );
  }

  outcome(deployment: DeploymentRecord): Outcome | undefined {
    return this.outcomes.get(deployment.id);
  }

  private create(
    environment: string,
    sha: string,
    settle: (outcome: Outcome) => void,
  ) {
    const { cloud } = this;
    const { random } = cloud;
    const stackName = SAM_SERVICE.stackName(environment);
    const functionName = SAM_SERVICE.functionName(environment);
    const functionArn = arn('lambda', `function:${functionName}`);
    const suffix = () => physicalSuffix(random);
    const applicationName = `${stackName}-ServerlessDeploymentApplication-${suffix()}`;
    const groupName = `${stackName}-FraudScoreFunctionDeploymentGroup-${suffix()}`;
    const alarmNames = [
      `${stackName}-NewVersionErrorsAlarm-${suffix()}`,
      `${stackName}-AliasErrorsAlarm-${suffix()}`,
    ];
    const apiId = physicalSuffix(random, 10).toLowerCase();
    const stackSpec = {
      stackName,
      description:
        'python-service: fraud score API for card payments. One stack per environment (python-service-dev, -staging, -production), all deployed from the same packaged template; the commit is recorded as the GitSha parameter, a stack tag (set by the pipeline) and an output.\n',
      entity: SAM_SERVICE.entity,
      environment,
      parameters: { Environment: environment, GitSha: sha },
      outputs: [
        {
          key: 'ApiUrl',
          value: `https://${apiId}.execute-api.${REGION}.amazonaws.com/`,
          description:
            'Base URL of the API (the smoke test calls health and score under it)',
        },
        { key: 'FunctionName', value: functionName },
        {
          key: 'LiveAlias',
          value: `${functionArn}:live`,
          description: 'The alias CodeDeploy shifts traffic on',
        },
        {
          key: 'GitSha',
          value: sha,
          description: 'The commit this stack runs',
        },
      ],
      resources: [
        {
          logicalId: 'FraudScoreFunctionRole',
          physicalId: `${stackName}-FraudScoreFunctionRole-${suffix()}`,
          type: 'AWS::IAM::Role',
        },
        {
          logicalId: 'FraudScoreFunction',
          physicalId: functionName,
          type: 'AWS::Lambda::Function',
        },
        {
          logicalId: 'FraudScoreFunctionVersion',
          physicalId: `${functionArn}:1`,
          type: 'AWS::Lambda::Version',
        },
        {
          logicalId: 'FraudScoreFunctionAliaslive',
          physicalId: `${functionArn}:live`,
          type: 'AWS::Lambda::Alias',
        },
        {
          logicalId: 'ServerlessDeploymentApplication',
          physicalId: applicationName,
          type: 'AWS::CodeDeploy::Application',
        },
        {
          logicalId: 'CodeDeployServiceRole',
          physicalId: `${stackName}-CodeDeployServiceRole-${suffix()}`,
          type: 'AWS::IAM::Role',
        },
        {
          logicalId: 'FraudScoreFunctionDeploymentGroup',
          physicalId: groupName,
          type: 'AWS::CodeDeploy::DeploymentGroup',
        },
        {
          logicalId: 'PreTrafficHookFunctionRole',
          physicalId: `${stackName}-PreTrafficHookFunctionRole-${suffix()}`,
          type: 'AWS::IAM::Role',
        },
        {
          logicalId: 'PreTrafficHookFunction',
          physicalId: `CodeDeployHook_${stackName}-pre-traffic`,
          type: 'AWS::Lambda::Function',
        },
        {
          logicalId: 'NewVersionErrorsAlarm',
          physicalId: alarmNames[0],
          type: 'AWS::CloudWatch::Alarm',
        },
        {
          logicalId: 'AliasErrorsAlarm',
          physicalId: alarmNames[1],
          type: 'AWS::CloudWatch::Alarm',
        },
        {
          logicalId: 'ServerlessHttpApi',
          physicalId: apiId,
          type: 'AWS::ApiGatewayV2::Api',
        },
        {
          logicalId: 'ServerlessHttpApiApiGatewayDefaultStage',
          physicalId: '$default',
          type: 'AWS::ApiGatewayV2::Stage',
        },
        {
          logicalId: 'FraudScoreFunctionHealthPermission',
          physicalId: `${stackName}-FraudScoreFunctionHealthPermission-${suffix()}`,
          type: 'AWS::Lambda::Permission',
        },
        {
          logicalId: 'FraudScoreFunctionScorePermission',
          physicalId: `${stackName}-FraudScoreFunctionScorePermission-${suffix()}`,
          type: 'AWS::Lambda::Permission',
        },
      ],
    };
    const stack = beginStackCreate(cloud, stackSpec);
    const fn: FunctionRecord = {
      name: functionName,
      arn: functionArn,
      handler: 'fraud_score.handler.lambda_handler',
      runtime: 'python3.12',
      memorySize: 256,
      timeout: 5,
      role: `arn:aws:iam::${ACCOUNT_ID}:role/${stack.resources[0].physicalId}`,
      environment,
      versions: [],
      latest: undefined as never,
      alias: {
        name: SAM_SERVICE.aliasName,
        functionVersion: '1',
        revisionId: uuid(random),
        description: '',
      },
      tags: { ...stack.tags, 'lambda:createdBy': 'SAM' },
    };
    publishVersion(cloud, fn, sha);
    cloud.functions.push(fn);
    cloud.deploymentGroups.push({
      applicationName,
      groupName,
      groupId: uuid(random),
      applicationId: uuid(random),
      configName: `CodeDeployDefault.Lambda${SAM_SERVICE.deploymentPreference}`,
      alarmNames,
      serviceRoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/${stack.resources[5].physicalId}`,
      functionName,
      stackName,
    });
    for (const [i, name] of alarmNames.entries())
      cloud.alarms.push(alarmOf(cloud, name, functionName, i === 0));
    cloud.setInMotion({
      pace: 'tick',
      step: () => {
        completeStackCreate(cloud, stack);
        settle({ succeeded: true, description: `Created stack ${stackName}` });
        return true;
      },
    });
  }
}

/** Publishes a version of the function's code at this commit ($LATEST changes too). */
function publishVersion(cloud: AwsCloud, fn: FunctionRecord, sha: string) {
  const version = {
    version: String(fn.versions.length + 1),
    description: `python-service ${sha}`,
    codeSha256: createHash('sha256')
      .update(`${fn.name}:${sha}`)
      .digest('base64'),
    lastModified: cloud.now(),
    revisionId: uuid(cloud.random),
    gitSha: sha,
  };
  fn.versions.push(version);
  fn.latest = {
    ...version,
    version: '$LATEST',
    revisionId: uuid(cloud.random),
  };
  fn.tags.GitSha = sha;
  return version;
}

/** SAM names the version resource after the code's hash, so each deploy replaces it. */
function replaceVersionResource(
  cloud: AwsCloud,
  stack: StackRecord,
  fn: FunctionRecord,
  version: string,
) {
  const resource = stack.resources.find(
    r => r.type === 'AWS::Lambda::Version',
  )!;
  resource.logicalId = `FraudScoreFunctionVersion${createHash('sha256')
    .update(`${fn.name}:${version}`)
    .digest('hex')
    .slice(0, 10)}`;
  resource.physicalId = `${fn.arn}:${version}`;
  setResourceStatus(cloud, stack, resource.logicalId, 'CREATE_IN_PROGRESS');
  setResourceStatus(cloud, stack, resource.logicalId, 'CREATE_COMPLETE');
}

export function setOutput(stack: StackRecord, key: string, value: string) {
  const output = stack.outputs.find(o => o.key === key);
  if (output) output.value = value;
}

function alarmOf(
  cloud: AwsCloud,
  name: string,
  functionName: string,
  newVersion: boolean,
): AlarmRecord {
  const now = cloud.now();
  return {
    name,
    arn: arn('cloudwatch', `alarm:${name}`),
    description: newVersion
      ? 'Errors of the newly published python-service version during a canary'
      : 'Errors of python-service through its live alias',
    state: 'OK',
    stateReason:
      'Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].',
    stateUpdatedAt: now,
    configurationUpdatedAt: now,
    metricName: 'Errors',
    namespace: 'AWS/Lambda',
    dimensions: [
      { name: 'Resource', value: `${functionName}:live` },
      { name: 'FunctionName', value: functionName },
    ],
    statistic: 'Sum',
    period: 60,
    evaluationPeriods: newVersion ? 1 : 2,
    threshold: newVersion ? 0 : 1,
  };
}
