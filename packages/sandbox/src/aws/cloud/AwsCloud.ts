import { SeededRandom } from '../../random';
import {
  AlarmRecord,
  CodeDeployDeploymentRecord,
  DeploymentGroupRecord,
  FunctionRecord,
  PipelineExecutionRecord,
  PipelineRecord,
  StackRecord,
  ActionDefinition,
} from './model';

/** Something that happened in the AWS account, which EventBridge would announce. */
export type AwsEvent =
  | { kind: 'stack-status'; stack: StackRecord }
  | {
      kind: 'codedeploy';
      deployment: CodeDeployDeploymentRecord;
      group: DeploymentGroupRecord;
      state: 'START' | 'SUCCESS' | 'FAILURE' | 'STOP';
    }
  | {
      kind: 'pipeline-execution';
      pipeline: PipelineRecord;
      execution: PipelineExecutionRecord;
      state: string;
    }
  | {
      kind: 'pipeline-stage';
      pipeline: PipelineRecord;
      execution: PipelineExecutionRecord;
      stage: string;
      state: string;
    }
  | {
      kind: 'pipeline-action';
      pipeline: PipelineRecord;
      execution: PipelineExecutionRecord;
      stage: string;
      action: ActionDefinition;
      state: string;
    };

export type AwsListener = (event: AwsEvent) => void;

/** Something moving on its own in the account (a rollout, an execution). */
export interface AwsMotion {
  pace: 'tick' | 'prompt';
  /** Takes one step; returns true when there is nothing left to do. */
  step(): boolean;
}

/**
 * The state of the sandbox's AWS account: CloudFormation stacks, Lambda
 * functions, CodeDeploy groups and deployments, CloudWatch alarms and
 * CodePipeline pipelines. Its random numbers come from their own generator so
 * that the AWS side never shifts the GitHub world's history.
 */
export class AwsCloud {
  readonly stacks: StackRecord[] = [];
  readonly functions: FunctionRecord[] = [];
  readonly alarms: AlarmRecord[] = [];
  readonly deploymentGroups: DeploymentGroupRecord[] = [];
  /** Oldest first. */
  readonly deployments: CodeDeployDeploymentRecord[] = [];
  readonly pipelines: PipelineRecord[] = [];
  private readonly listeners = new Set<AwsListener>();
  private readonly inMotion: AwsMotion[] = [];

  constructor(readonly random: SeededRandom, public now: () => number) {}

  subscribe(listener: AwsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: AwsEvent) {
    for (const listener of this.listeners) listener(event);
  }

  setInMotion(motion: AwsMotion) {
    this.inMotion.push(motion);
  }

  /** Takes one step of everything in motion (of one pace, if given). */
  advance(pace?: 'tick' | 'prompt') {
    for (const motion of [...this.inMotion]) {
      if (pace && motion.pace !== pace) continue;
      if (motion.step()) this.inMotion.splice(this.inMotion.indexOf(motion), 1);
    }
  }

  findStack(nameOrId: string): StackRecord | undefined {
    return this.stacks.find(
      s => s.stackName === nameOrId || s.stackId === nameOrId,
    );
  }

  findFunction(nameOrArn: string): FunctionRecord | undefined {
    // FunctionName may be a name, an ARN, a partial ARN, with a qualifier.
    const name = nameOrArn.includes(':function:')
      ? nameOrArn.split(':function:')[1].split(':')[0]
      : nameOrArn.split(':')[0];
    return this.functions.find(f => f.name === name);
  }

  findAlarm(name: string): AlarmRecord | undefined {
    return this.alarms.find(a => a.name === name);
  }

  findDeployment(id: string): CodeDeployDeploymentRecord | undefined {
    return this.deployments.find(d => d.id === id);
  }

  findGroup(
    applicationName: string,
    groupName: string,
  ): DeploymentGroupRecord | undefined {
    return this.deploymentGroups.find(
      g => g.applicationName === applicationName && g.groupName === groupName,
    );
  }

  groupOf(deployment: CodeDeployDeploymentRecord): DeploymentGroupRecord {
    return this.findGroup(deployment.applicationName, deployment.groupName)!;
  }

  findPipeline(name: string): PipelineRecord | undefined {
    return this.pipelines.find(p => p.name === name || p.arn === name);
  }
}
