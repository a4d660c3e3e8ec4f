import { deploymentId, uuid } from './account';
import { AwsCloud, AwsMotion } from './AwsCloud';
import { findDeploymentConfig } from './deploymentConfigs';
import {
  CodeDeployDeploymentRecord,
  DeploymentGroupRecord,
  FunctionRecord,
  LifecycleEventRecord,
  StackRecord,
} from './model';
import { setResourceStatus, setStackStatus } from './stacks';

export interface CanaryRolloutOptions {
  stack: StackRecord;
  fn: FunctionRecord;
  targetVersion: string;
  previousSha: string;
  /** The canary is fated to trip the new version's alarm. */
  alarm: boolean;
  settle(outcome: { succeeded: boolean; description: string }): void;
}

const ALIAS = 'FraudScoreFunctionAliaslive';

/**
 * The CodeDeploy deployment that CloudFormation starts when an update moves
 * the `live` alias (UpdatePolicy CodeDeployLambdaAliasUpdate), and the stack
 * update waiting on it. One tick is one minute of the deployment config: the
 * PreTraffic hook runs, 10 % of traffic moves to the new version, the canary
 * bakes for the config's interval, then the rest moves and the stack update
 * completes. An alarm or a StopDeployment stops it: CodeDeploy rolls the
 * traffic back and CloudFormation rolls the stack back to the previous commit.
 */
export class CanaryRollout implements AwsMotion {
  pace: 'tick' | 'prompt' = 'tick';
  readonly deployment: CodeDeployDeploymentRecord;
  private readonly group: DeploymentGroupRecord;
  private readonly interval: number;
  private minute = 0;
  private rollingBack?: {
    reason: string;
    rollback?: CodeDeployDeploymentRecord;
  };
  private static readonly active = new WeakMap<
    CodeDeployDeploymentRecord,
    CanaryRollout
  >();

  /** The rollout a deployment belongs to, while it moves. */
  static of(deployment: CodeDeployDeploymentRecord) {
    return CanaryRollout.active.get(deployment);
  }

  constructor(
    private readonly cloud: AwsCloud,
    private readonly options: CanaryRolloutOptions,
  ) {
    const { stack, fn } = options;
    this.group = cloud.deploymentGroups.find(
      g => g.stackName === stack.stackName,
    )!;
    const config = findDeploymentConfig(this.group.configName);
    this.interval = config?.intervalMinutes ?? 0;
    setResourceStatus(cloud, stack, ALIAS, 'UPDATE_IN_PROGRESS');
    const now = cloud.now();
    this.deployment = {
      id: deploymentId(cloud.random),
      applicationName: this.group.applicationName,
      groupName: this.group.groupName,
      configName: this.group.configName,
      status: 'InProgress',
      creator: 'CloudFormation',
      description: `Deployment started by CloudFormation stack ${stack.stackName} to shift traffic of ${fn.name}:${fn.alias.name} to version ${options.targetVersion}`,
      createdAt: now,
      startedAt: now,
      functionName: fn.name,
      alias: fn.alias.name,
      currentVersion: fn.alias.functionVersion,
      targetVersion: options.targetVersion,
      weight: 0,
      lifecycle: [
        { name: 'BeforeAllowTraffic', status: 'InProgress', startedAt: now },
        { name: 'AllowTraffic', status: 'Pending' },
        { name: 'AfterAllowTraffic', status: 'Pending' },
      ],
      stackName: stack.stackName,
    };
    cloud.deployments.push(this.deployment);
    CanaryRollout.active.set(this.deployment, this);
    cloud.emit({
      kind: 'codedeploy',
      deployment: this.deployment,
      group: this.group,
      state: 'START',
    });
  }

  step(): boolean {
    if (this.rollingBack) return this.finishRollback();
    this.minute += 1;
    const { deployment } = this;
    if (this.minute === 1) {
      this.lifecycle('BeforeAllowTraffic', 'Succeeded');
      this.lifecycle('AllowTraffic', 'InProgress');
      const config = findDeploymentConfig(deployment.configName);
      this.shift(
        config?.type === 'AllAtOnce' ? 1 : (config?.percentage ?? 10) / 100,
      );
      if (config?.type === 'AllAtOnce') this.minute = this.interval + 1;
      else return false;
    }
    if (this.options.alarm && this.minute === 3) {
      this.tripAlarm();
      return false;
    }
    if (this.minute <= this.interval) return false;
    if (this.minute === this.interval + 1) {
      this.shift(1);
      this.lifecycle('AllowTraffic', 'Succeeded');
      this.lifecycle('AfterAllowTraffic', 'Succeeded');
      this.complete(deployment, 'Succeeded');
      setResourceStatus(
        this.cloud,
        this.options.stack,
        ALIAS,
        'UPDATE_COMPLETE',
      );
      setStackStatus(
        this.cloud,
        this.options.stack,
        'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS',
      );
      return false;
    }
    setStackStatus(this.cloud, this.options.stack, 'UPDATE_COMPLETE');
    this.options.settle({
      succeeded: true,
      description: `Deployed version ${deployment.targetVersion} of ${deployment.functionName} (CodeDeploy ${deployment.id})`,
    });
    CanaryRollout.active.delete(deployment);
    return true;
  }

  /**
   * StopDeployment: the deployment stops at once; with automatic rollback
   * CodeDeploy starts a rollback deployment. Either way the alias update
   * fails, so CloudFormation rolls the stack back.
   */
  stop(autoRollback: boolean) {
    const { deployment } = this;
    deployment.error = {
      code: 'MANUAL_STOP',
      message: 'The deployment was stopped by the user.',
    };
    this.stopWith(
      autoRollback,
      `Deployment ${deployment.id} was stopped by request`,
    );
    // What a client set off moves on the reaction timer.
    this.pace = 'prompt';
  }

  private tripAlarm() {
    const { deployment, cloud } = this;
    const alarm = cloud.findAlarm(this.group.alarmNames[0])!;
    const at = new Date(cloud.now())
      .toISOString()
      .slice(0, 16)
      .replace('T', ' ');
    alarm.state = 'ALARM';
    alarm.stateReason = `Threshold Crossed: 1 datapoint [3.0 (${at})] was greater than the threshold (0.0).`;
    alarm.stateUpdatedAt = cloud.now();
    deployment.error = {
      code: 'ALARM_ACTIVE',
      message: `One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, and the affected deployments have been stopped. Activated alarms: <${alarm.name}>`,
    };
    this.stopWith(
      true,
      `Alarm ${alarm.name} went into ALARM during the canary`,
    );
  }

  private stopWith(autoRollback: boolean, reason: string) {
    const { deployment, cloud, group } = this;
    const now = cloud.now();
    for (const event of deployment.lifecycle) {
      if (event.status === 'InProgress') {
        event.status = 'Failed';
        event.endedAt = now;
      } else if (event.status === 'Pending') event.status = 'Skipped';
    }
    this.complete(deployment, 'Stopped');
    let rollback: CodeDeployDeploymentRecord | undefined;
    if (autoRollback) {
      rollback = {
        ...deployment,
        id: deploymentId(cloud.random),
        status: 'InProgress',
        creator: 'codeDeployRollback',
        description: `Rollback of deployment ${deployment.id}`,
        createdAt: now,
        startedAt: now,
        completedAt: undefined,
        currentVersion: deployment.targetVersion,
        targetVersion: deployment.currentVersion,
        weight: 1 - deployment.weight,
        lifecycle: deployment.lifecycle.map(e => ({
          name: e.name,
          status: 'InProgress',
          startedAt: now,
        })),
        error: undefined,
        rollbackInfo: {
          rollbackTriggeringDeploymentId: deployment.id,
          rollbackMessage: `Rollback deployment for ${deployment.id}`,
        },
      };
      cloud.deployments.push(rollback);
      deployment.rollbackInfo = {
        rollbackDeploymentId: rollback.id,
        rollbackMessage: `Automatic rollback triggered: ${reason}. Rolled back by deployment ${rollback.id}.`,
      };
      cloud.emit({
        kind: 'codedeploy',
        deployment: rollback,
        group,
        state: 'START',
      });
    }
    // The alias goes back to the version that was live.
    this.shift(0);
    setResourceStatus(
      cloud,
      this.options.stack,
      ALIAS,
      'UPDATE_FAILED',
      `CodeDeploy deployment ${deployment.id} failed: ${deployment.error?.code}`,
    );
    setStackStatus(
      cloud,
      this.options.stack,
      'UPDATE_ROLLBACK_IN_PROGRESS',
      `The following resource(s) failed to update: [${ALIAS}].`,
    );
    this.rollingBack = { reason, rollback };
  }

  private finishRollback(): boolean {
    const { cloud, deployment, options } = this;
    const { stack } = options;
    const rollback = this.rollingBack!.rollback;
    if (rollback) {
      for (const event of rollback.lifecycle) {
        event.status = 'Succeeded';
        event.endedAt = cloud.now();
      }
      rollback.weight = 1;
      this.complete(rollback, 'Succeeded');
    }
    const alarm = cloud.findAlarm(this.group.alarmNames[0])!;
    if (alarm.state === 'ALARM') {
      alarm.state = 'OK';
      alarm.stateReason =
        'Threshold Crossed: 1 datapoint [0.0] was not greater than the threshold (0.0).';
      alarm.stateUpdatedAt = cloud.now();
    }
    stack.parameters.GitSha = options.previousSha;
    stack.tags.GitSha = options.previousSha;
    const output = stack.outputs.find(o => o.key === 'GitSha');
    if (output) output.value = options.previousSha;
    options.fn.tags.GitSha = options.previousSha;
    setResourceStatus(cloud, stack, ALIAS, 'UPDATE_COMPLETE');
    setStackStatus(
      cloud,
      stack,
      'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
    );
    setStackStatus(cloud, stack, 'UPDATE_ROLLBACK_COMPLETE');
    const code = deployment.error?.code ?? 'MANUAL_STOP';
    options.settle({
      succeeded: false,
      description:
        code === 'ALARM_ACTIVE'
          ? `Canary rolled back automatically: ${
              this.rollingBack!.reason
            } (CodeDeploy ${deployment.id})`
          : `Canary stopped and rolled back (CodeDeploy ${deployment.id})`,
    });
    CanaryRollout.active.delete(deployment);
    return true;
  }

  /** Moves the alias' traffic: `weight` on the target version. */
  private shift(weight: number) {
    const { fn } = this.options;
    const { deployment } = this;
    deployment.weight = weight;
    if (weight >= 1) {
      fn.alias.functionVersion = deployment.targetVersion;
      fn.alias.routing = undefined;
    } else if (weight <= 0) {
      fn.alias.functionVersion = deployment.currentVersion;
      fn.alias.routing = undefined;
    } else {
      fn.alias.routing = { version: deployment.targetVersion, weight };
    }
    fn.alias.revisionId = uuid(this.cloud.random);
  }

  private lifecycle(
    name: LifecycleEventRecord['name'],
    status: LifecycleEventRecord['status'],
  ) {
    const event = this.deployment.lifecycle.find(e => e.name === name)!;
    const now = this.cloud.now();
    if (status === 'InProgress') event.startedAt = now;
    else {
      event.startedAt ??= now;
      event.endedAt = now;
    }
    event.status = status;
  }

  private complete(
    deployment: CodeDeployDeploymentRecord,
    status: 'Succeeded' | 'Stopped' | 'Failed',
  ) {
    deployment.status = status;
    deployment.completedAt = this.cloud.now();
    this.cloud.emit({
      kind: 'codedeploy',
      deployment,
      group: this.group,
      state: (
        { Succeeded: 'SUCCESS', Stopped: 'STOP', Failed: 'FAILURE' } as const
      )[status],
    });
  }
}
