/**
 * The sandbox's AWS records: just what the simulation needs. The SDK shapes
 * are derived from them in `src/aws/services/`. Times are epoch milliseconds.
 */
import type { StackStatus } from '@aws-sdk/client-cloudformation';
import type { DeploymentStatus } from '@aws-sdk/client-codedeploy';
import type {
  ActionCategory,
  ActionExecutionStatus,
  PipelineExecutionStatus,
  StageExecutionStatus,
} from '@aws-sdk/client-codepipeline';

export interface StackEventRecord {
  eventId: string;
  timestamp: number;
  logicalResourceId: string;
  physicalResourceId: string;
  resourceType: string;
  resourceStatus: string;
  resourceStatusReason?: string;
  clientRequestToken?: string;
}

export interface StackResourceRecord {
  logicalId: string;
  physicalId: string;
  type: string;
  status: string;
  updatedAt: number;
}

export interface StackRecord {
  stackId: string;
  stackName: string;
  description: string;
  createdAt: number;
  updatedAt?: number;
  status: StackStatus;
  statusReason?: string;
  /** The entity (`component:default/<name>`) and environment it serves. */
  entity: string;
  environment: string;
  parameters: Record<string, string>;
  tags: Record<string, string>;
  outputs: Array<{ key: string; value: string; description?: string }>;
  resources: StackResourceRecord[];
  /** Oldest first. */
  events: StackEventRecord[];
}

export interface FunctionVersionRecord {
  version: string;
  description: string;
  codeSha256: string;
  lastModified: number;
  revisionId: string;
  gitSha: string;
}

export interface FunctionRecord {
  name: string;
  arn: string;
  handler: string;
  runtime: string;
  memorySize: number;
  timeout: number;
  role: string;
  environment: string;
  /** Published versions, oldest first ("1", "2", …). */
  versions: FunctionVersionRecord[];
  latest: FunctionVersionRecord;
  alias: {
    name: string;
    functionVersion: string;
    /** During a canary: the new version and its share of traffic (0–1). */
    routing?: { version: string; weight: number };
    revisionId: string;
    description: string;
  };
  tags: Record<string, string>;
}

export interface AlarmRecord {
  name: string;
  arn: string;
  description: string;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  stateReason: string;
  stateUpdatedAt: number;
  configurationUpdatedAt: number;
  metricName: string;
  namespace: string;
  dimensions: Array<{ name: string; value: string }>;
  statistic: 'Sum';
  period: number;
  evaluationPeriods: number;
  threshold: number;
}

export interface DeploymentGroupRecord {
  applicationName: string;
  groupName: string;
  groupId: string;
  applicationId: string;
  configName: string;
  alarmNames: string[];
  serviceRoleArn: string;
  functionName: string;
  stackName: string;
}

export interface LifecycleEventRecord {
  name: 'BeforeAllowTraffic' | 'AllowTraffic' | 'AfterAllowTraffic';
  status: 'Pending' | 'InProgress' | 'Succeeded' | 'Failed' | 'Skipped';
  startedAt?: number;
  endedAt?: number;
}

export interface CodeDeployDeploymentRecord {
  id: string;
  applicationName: string;
  groupName: string;
  configName: string;
  status: DeploymentStatus;
  creator: 'CloudFormation' | 'codeDeployRollback' | 'user';
  description: string;
  createdAt: number;
  startedAt?: number;
  completedAt?: number;
  functionName: string;
  alias: string;
  currentVersion: string;
  targetVersion: string;
  /** Share of the alias' traffic on the target version (0–1). */
  weight: number;
  lifecycle: LifecycleEventRecord[];
  error?: { code: string; message: string };
  rollbackInfo?: {
    rollbackDeploymentId?: string;
    rollbackTriggeringDeploymentId?: string;
    rollbackMessage?: string;
  };
  /** The stack update that started it. */
  stackName: string;
}

export interface ActionDefinition {
  name: string;
  category: ActionCategory;
  owner: 'AWS';
  provider: string;
  runOrder: number;
  configuration: Record<string, string>;
  inputArtifacts: string[];
  outputArtifacts: string[];
  /** Steps (advances) the action takes to finish; approvals wait for a decision. */
  steps: number;
}

export interface StageDefinition {
  name: string;
  /** The Stagecraft environment a deploy stage serves. */
  environment?: string;
  actions: ActionDefinition[];
  /**
   * A DeploymentWindow rule of the stage's entry condition, served by
   * GetPipeline (the sandbox's engine does not hold executions at it).
   */
  deploymentWindow?: { rule: string; cron: string; timeZone: string };
}

export interface PipelineRecord {
  name: string;
  arn: string;
  version: number;
  roleArn: string;
  createdAt: number;
  updatedAt: number;
  /** The GitHub repository its source action reads (`owner/name`). */
  repository: string;
  connectionArn: string;
  stages: StageDefinition[];
  tags: Record<string, string>;
  executions: PipelineExecutionRecord[];
}

export interface ActionExecutionRecord {
  id: string;
  stageName: string;
  actionName: string;
  status: ActionExecutionStatus;
  startTime: number;
  lastUpdateTime: number;
  summary?: string;
  /** A manual approval's token while it waits. */
  token?: string;
  updatedBy?: string;
  externalExecutionId?: string;
  externalExecutionUrl?: string;
  errorDetails?: { code: string; message: string };
}

export interface StageRunRecord {
  name: string;
  status: StageExecutionStatus;
  startedAt: number;
  endedAt?: number;
}

export interface PipelineExecutionRecord {
  id: string;
  status: PipelineExecutionStatus;
  statusSummary?: string;
  startTime: number;
  lastUpdateTime: number;
  trigger: { type: string; detail: string };
  executionType: 'STANDARD' | 'ROLLBACK';
  rollbackTargetId?: string;
  /** The commit the source action produced. */
  sourceRevision: { sha: string; summary: string; url: string };
  clientRequestToken?: string;
  stopTrigger?: string;
  /** Stages entered so far, in order. */
  stages: StageRunRecord[];
  actions: ActionExecutionRecord[];
  /** Index of the stage it is in or waiting for; stages.length when done. */
  stageIndex: number;
  /** Steps taken in the current stage's action. */
  stepInStage: number;
  /** Waiting for the stage at stageIndex to be free. */
  inbound: boolean;
  /** The stages this execution runs (a rollback runs one). */
  stageNames: string[];
  pace: 'tick' | 'prompt';
  /** A stage at which this execution is fated to fail. */
  failAt?: string;
}
