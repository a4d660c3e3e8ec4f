import type {
  BatchGetDeploymentTargetsOutput,
  BatchGetDeploymentsOutput,
  DeploymentInfo,
  GetDeploymentConfigOutput,
  GetDeploymentGroupOutput,
  ListDeploymentTargetsOutput,
  ListDeploymentsOutput,
  StopDeploymentOutput,
} from '@aws-sdk/client-codedeploy';
import { createHash } from 'node:crypto';
import { Router } from 'express';
import { arn } from '../cloud/account';
import { AwsCloud } from '../cloud/AwsCloud';
import { CanaryRollout } from '../cloud/CanaryRollout';
import { findDeploymentConfig } from '../cloud/deploymentConfigs';
import { AwsServiceError } from '../cloud/errors';
import {
  CodeDeployDeploymentRecord,
  DeploymentGroupRecord,
} from '../cloud/model';
import {
  createJsonProtocolRouter,
  page,
  requireString,
} from '../protocols/json';

const date = (ms: number | undefined) =>
  ms === undefined ? undefined : new Date(ms);
const AUTO_ROLLBACK = {
  enabled: true,
  events: [
    'DEPLOYMENT_FAILURE',
    'DEPLOYMENT_STOP_ON_ALARM',
    'DEPLOYMENT_STOP_ON_REQUEST',
  ] as const,
};
/** CodeDeploy answers a BatchGet of more than this with BatchLimitExceededException. */
export const CODEDEPLOY_BATCH_LIMIT = 25;

/** CodeDeploy's JSON 1.1 API (`CodeDeploy_20141006.<Operation>`), over the SAM stacks' deployment groups. */
export function createCodeDeployRouter(options: { cloud: AwsCloud }): Router {
  const { cloud } = options;
  const invalidToken = () =>
    new AwsServiceError(
      'InvalidNextTokenException',
      'The next token was specified in an invalid format',
    );

  const deploymentNamed = (id: unknown): CodeDeployDeploymentRecord => {
    if (typeof id !== 'string' || id === '')
      throw new AwsServiceError(
        'DeploymentIdRequiredException',
        'At least one deployment ID must be specified',
      );
    if (!/^d-[A-Z0-9]{9}$/.test(id))
      throw new AwsServiceError(
        'InvalidDeploymentIdException',
        `The deployment ID '${id}' is not valid`,
      );
    const deployment = cloud.findDeployment(id);
    if (!deployment)
      throw new AwsServiceError(
        'DeploymentDoesNotExistException',
        `The deployment ${id} could not be found`,
      );
    return deployment;
  };

  const groupNamed = (input: any): DeploymentGroupRecord => {
    const applicationName = input.applicationName;
    const groupName = input.deploymentGroupName;
    if (typeof applicationName !== 'string' || !applicationName)
      throw new AwsServiceError(
        'ApplicationNameRequiredException',
        'The minimum number of required application names was not specified',
      );
    if (typeof groupName !== 'string' || !groupName)
      throw new AwsServiceError(
        'DeploymentGroupNameRequiredException',
        'The deployment group name was not specified',
      );
    if (
      !cloud.deploymentGroups.some(g => g.applicationName === applicationName)
    )
      throw new AwsServiceError(
        'ApplicationDoesNotExistException',
        `No application found for name: ${applicationName}`,
      );
    const group = cloud.findGroup(applicationName, groupName);
    if (!group)
      throw new AwsServiceError(
        'DeploymentGroupDoesNotExistException',
        `No Deployment Group found for name: ${groupName}`,
      );
    return group;
  };

  return createJsonProtocolRouter({
    version: '1.1',
    target: 'CodeDeploy_20141006',
    handlers: {
      ListDeployments: (input): ListDeploymentsOutput => {
        let deployments = [...cloud.deployments].reverse();
        if (
          input.applicationName !== undefined ||
          input.deploymentGroupName !== undefined
        ) {
          const group = groupNamed(input);
          deployments = deployments.filter(
            d =>
              d.applicationName === group.applicationName &&
              d.groupName === group.groupName,
          );
        }
        const statuses: unknown = input.includeOnlyStatuses;
        if (Array.isArray(statuses) && statuses.length > 0)
          deployments = deployments.filter(d => statuses.includes(d.status));
        const range = input.createTimeRange;
        if (range?.start !== undefined)
          deployments = deployments.filter(
            d => d.createdAt >= Number(range.start) * 1000,
          );
        if (range?.end !== undefined)
          deployments = deployments.filter(
            d => d.createdAt <= Number(range.end) * 1000,
          );
        const { items, next } = page(deployments, {
          token: input.nextToken,
          size: 100,
          invalid: invalidToken,
        });
        return { deployments: items.map(d => d.id), nextToken: next };
      },

      BatchGetDeployments: (input): BatchGetDeploymentsOutput => {
        const ids: unknown = input.deploymentIds;
        if (!Array.isArray(ids) || ids.length === 0)
          throw new AwsServiceError(
            'DeploymentIdRequiredException',
            'At least one deployment ID must be specified',
          );
        if (ids.length > CODEDEPLOY_BATCH_LIMIT)
          throw new AwsServiceError(
            'BatchLimitExceededException',
            `The maximum number of deployment IDs is ${CODEDEPLOY_BATCH_LIMIT}`,
          );
        // Ids that exist in no deployment group are left out, as CodeDeploy does.
        const found = ids.flatMap(id => {
          if (typeof id !== 'string' || !/^d-[A-Z0-9]{9}$/.test(id))
            throw new AwsServiceError(
              'InvalidDeploymentIdException',
              `The deployment ID '${id}' is not valid`,
            );
          const deployment = cloud.findDeployment(id);
          return deployment ? [infoOf(deployment)] : [];
        });
        return { deploymentsInfo: found };
      },

      GetDeploymentConfig: (input): GetDeploymentConfigOutput => {
        const name = requireString(
          input,
          'deploymentConfigName',
          'DeploymentConfigNameRequiredException',
        );
        const config = findDeploymentConfig(name);
        if (!config)
          throw new AwsServiceError(
            'DeploymentConfigDoesNotExistException',
            `The deployment configuration ${name} does not exist`,
          );
        return {
          deploymentConfigInfo: {
            deploymentConfigId: config.id,
            deploymentConfigName: config.name,
            createTime: new Date(Date.UTC(2017, 10, 28)),
            computePlatform: 'Lambda',
            trafficRoutingConfig: {
              type: config.type,
              timeBasedCanary:
                config.type === 'TimeBasedCanary'
                  ? {
                      canaryPercentage: config.percentage,
                      canaryInterval: config.intervalMinutes,
                    }
                  : undefined,
              timeBasedLinear:
                config.type === 'TimeBasedLinear'
                  ? {
                      linearPercentage: config.percentage,
                      linearInterval: config.intervalMinutes,
                    }
                  : undefined,
            },
          },
        };
      },

      GetDeploymentGroup: (input): GetDeploymentGroupOutput => {
        const group = groupNamed(input);
        const ofGroup = cloud.deployments.filter(
          d =>
            d.applicationName === group.applicationName &&
            d.groupName === group.groupName,
        );
        const lastAttempted = ofGroup[ofGroup.length - 1];
        const lastSucceeded = [...ofGroup]
          .reverse()
          .find(d => d.status === 'Succeeded');
        const summary = (d?: CodeDeployDeploymentRecord) =>
          d && {
            deploymentId: d.id,
            status: d.status,
            endTime: date(d.completedAt),
            createTime: date(d.createdAt),
          };
        return {
          deploymentGroupInfo: {
            applicationName: group.applicationName,
            deploymentGroupId: group.groupId,
            deploymentGroupName: group.groupName,
            deploymentConfigName: group.configName,
            serviceRoleArn: group.serviceRoleArn,
            alarmConfiguration: {
              enabled: true,
              ignorePollAlarmFailure: false,
              alarms: group.alarmNames.map(name => ({ name })),
            },
            autoRollbackConfiguration: {
              enabled: true,
              events: [...AUTO_ROLLBACK.events],
            },
            deploymentStyle: {
              deploymentType: 'BLUE_GREEN',
              deploymentOption: 'WITH_TRAFFIC_CONTROL',
            },
            computePlatform: 'Lambda',
            lastAttemptedDeployment: summary(lastAttempted),
            lastSuccessfulDeployment: summary(lastSucceeded),
          },
        };
      },

      ListDeploymentTargets: (input): ListDeploymentTargetsOutput => {
        const deployment = deploymentNamed(input.deploymentId);
        const { items, next } = page([targetIdOf(deployment)], {
          token: input.nextToken,
          size: 100,
          invalid: invalidToken,
        });
        return { targetIds: items, nextToken: next };
      },

      BatchGetDeploymentTargets: (input): BatchGetDeploymentTargetsOutput => {
        const deployment = deploymentNamed(input.deploymentId);
        const ids: unknown = input.targetIds;
        if (!Array.isArray(ids) || ids.length === 0)
          throw new AwsServiceError(
            'DeploymentTargetIdRequiredException',
            'A deployment target ID was not provided',
          );
        if (ids.length > CODEDEPLOY_BATCH_LIMIT)
          throw new AwsServiceError(
            'DeploymentTargetListSizeExceededException',
            `The maximum number of targets is ${CODEDEPLOY_BATCH_LIMIT}`,
          );
        return {
          deploymentTargets: ids.map(id => {
            if (id !== targetIdOf(deployment))
              throw new AwsServiceError(
                'DeploymentTargetDoesNotExistException',
                `The target ${id} does not exist in deployment ${deployment.id}`,
              );
            return {
              deploymentTargetType: 'LambdaTarget' as const,
              lambdaTarget: {
                deploymentId: deployment.id,
                targetId: id,
                targetArn: arn(
                  'lambda',
                  `function:${deployment.functionName}:${deployment.alias}`,
                ),
                status:
                  deployment.status === 'Stopped'
                    ? ('Failed' as const)
                    : (deployment.status as any),
                lastUpdatedAt: date(deployment.completedAt ?? cloud.now()),
                lifecycleEvents: deployment.lifecycle.map(e => ({
                  lifecycleEventName: e.name,
                  status: e.status,
                  startTime: date(e.startedAt),
                  endTime: date(e.endedAt),
                })),
                lambdaFunctionInfo: {
                  functionName: deployment.functionName,
                  functionAlias: deployment.alias,
                  currentVersion: deployment.currentVersion,
                  targetVersion: deployment.targetVersion,
                  targetVersionWeight: deployment.weight,
                },
              },
            };
          }),
        };
      },

      StopDeployment: (input): StopDeploymentOutput => {
        const deployment = deploymentNamed(input.deploymentId);
        const rollout = CanaryRollout.of(deployment);
        if (deployment.completedAt !== undefined || !rollout)
          throw new AwsServiceError(
            'DeploymentAlreadyCompletedException',
            `The deployment ${deployment.id} has already completed`,
          );
        const autoRollback = input.autoRollbackEnabled === true;
        rollout.stop(autoRollback);
        return {
          status: 'Pending',
          statusMessage: autoRollback
            ? 'Stopping Pending. Stopping to deploy and rolling back to the previous version.'
            : 'Stopping Pending. Stopping to deploy.',
        };
      },
    },
  });
}

function targetIdOf(deployment: CodeDeployDeploymentRecord) {
  return `${deployment.functionName}:${deployment.alias}`;
}

function appSpec(
  deployment: CodeDeployDeploymentRecord,
  current: string,
  target: string,
) {
  const content = JSON.stringify({
    version: 0.0,
    Resources: [
      {
        FraudScoreFunction: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Name: deployment.functionName,
            Alias: deployment.alias,
            CurrentVersion: current,
            TargetVersion: target,
          },
        },
      },
    ],
    Hooks: [
      {
        BeforeAllowTraffic: `CodeDeployHook_${deployment.stackName}-pre-traffic`,
      },
    ],
  });
  return {
    revisionType: 'AppSpecContent' as const,
    appSpecContent: {
      content,
      sha256: createHash('sha256').update(content).digest('hex'),
    },
  };
}

function infoOf(deployment: CodeDeployDeploymentRecord): DeploymentInfo {
  const done = deployment.completedAt !== undefined;
  return {
    applicationName: deployment.applicationName,
    deploymentGroupName: deployment.groupName,
    deploymentConfigName: deployment.configName,
    deploymentId: deployment.id,
    revision: appSpec(
      deployment,
      deployment.currentVersion,
      deployment.targetVersion,
    ),
    previousRevision: appSpec(
      deployment,
      deployment.currentVersion,
      deployment.currentVersion,
    ),
    status: deployment.status,
    errorInformation: deployment.error && {
      code: deployment.error.code as any,
      message: deployment.error.message,
    },
    createTime: date(deployment.createdAt),
    startTime: date(deployment.startedAt),
    completeTime: date(deployment.completedAt),
    deploymentOverview: {
      Pending: 0,
      InProgress: done ? 0 : 1,
      Succeeded: deployment.status === 'Succeeded' ? 1 : 0,
      Failed:
        deployment.status === 'Failed' || deployment.status === 'Stopped'
          ? 1
          : 0,
      Skipped: 0,
      Ready: 0,
    },
    description: deployment.description,
    creator: deployment.creator,
    ignoreApplicationStopFailures: false,
    autoRollbackConfiguration: {
      enabled: true,
      events: [...AUTO_ROLLBACK.events],
    },
    updateOutdatedInstancesOnly: false,
    rollbackInfo: deployment.rollbackInfo,
    deploymentStyle: {
      deploymentType: 'BLUE_GREEN',
      deploymentOption: 'WITH_TRAFFIC_CONTROL',
    },
    instanceTerminationWaitTimeStarted: false,
    computePlatform: 'Lambda',
    deploymentStatusMessages: [],
  };
}
