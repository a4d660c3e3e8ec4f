import type {
  PipelineDeclaration,
  StageDeclaration,
} from '@aws-sdk/client-codepipeline';
import { environmentOfStageName } from '../../binding/annotations';
import { MalformedAwsResponseError } from '../../client/awsErrors';

/** A manual approval action of a stage, with what GetPipeline says about it. */
export interface ApprovalAction {
  action: string;
  /** The approval's `CustomData`: what the reviewer is asked. */
  customData?: string;
  /** The approval's `ExternalEntityLink`: what the reviewer should look at. */
  link?: string;
}

/** A `DeploymentWindow` rule of a stage's entry condition: deploys enter the stage only while its cron matches. */
export interface StageDeploymentWindow {
  stage: string;
  rule: string;
  /** The rule's `Cron` as written (Quartz-style, seconds first). */
  cron: string;
  /** The rule's `TimeZone`; `UTC` when the rule gives none. */
  timeZone: string;
}

/** A stage and the environment name Stagecraft reports it under. */
export interface StageInfo {
  name: string;
  /** The name reported for this stage's work (a stage name with a mapping, else the entity environment); absent when the stage is no environment's. */
  reportAs?: string;
  actions: string[];
  approvals: ApprovalAction[];
  /** The stage's `DeploymentWindow` entry rules. */
  windows?: StageDeploymentWindow[];
}

/** What sync needs of a pipeline's declaration; kept in the cursor and re-read when `pipelineVersion` changes. */
export interface PipelineStructure {
  version: number;
  type?: string;
  /** Source actions, the primary (first) one first. */
  sourceActions: string[];
  stages: StageInfo[];
  /** Set when the stages' entry conditions were read (structures cached by older versions lack it). */
  conditionsRead?: true;
}

/**
 * Assigns the pipeline's stages to environments. With a mapping
 * (`stagecraft.io/aws-pipeline-stages`), the mapped stages are reported
 * under their own names (the target's `environmentNames` turns them into
 * entity environments). Without one, a stage whose name matches an
 * environment of the promotion path is reported under that environment's
 * name. A stage that holds only approvals and maps to nothing belongs to the
 * next stage that does: an `Approve` stage before `Deploy-Prod` is the
 * production gate.
 */
export function readPipelineStructure(
  pipeline: PipelineDeclaration | undefined,
  options: { stageMapping?: Map<string, string>; environments: string[] },
): PipelineStructure {
  if (!pipeline || !Array.isArray(pipeline.stages)) {
    throw new MalformedAwsResponseError(
      'GetPipeline returned no pipeline.stages',
    );
  }
  const mappedStages = new Set(options.stageMapping?.values() ?? []);
  const sourceActions: string[] = [];
  const stages: StageInfo[] = pipeline.stages.map(stage => {
    const actions = Array.isArray(stage.actions) ? stage.actions : [];
    const approvals: ApprovalAction[] = [];
    let deploysOrTests = false;
    for (const action of actions) {
      const category = action.actionTypeId?.category;
      if (category === 'Source' && action.name) sourceActions.push(action.name);
      if (category === 'Approval' && action.name) {
        approvals.push({
          action: action.name,
          ...(action.configuration?.CustomData
            ? { customData: action.configuration.CustomData }
            : {}),
          ...(action.configuration?.ExternalEntityLink
            ? { link: action.configuration.ExternalEntityLink }
            : {}),
        });
      }
      if (category !== 'Source' && category !== 'Build') deploysOrTests = true;
    }
    const name = stage.name ?? '';
    const windows = deploymentWindowsOf(stage, name);
    let reportAs: string | undefined;
    if (options.stageMapping) {
      reportAs = mappedStages.has(name) ? name : undefined;
    } else if (deploysOrTests) {
      reportAs = environmentOfStageName(name, options.environments);
    }
    return {
      name,
      reportAs,
      actions: actions.map(a => a.name ?? '').filter(Boolean),
      approvals,
      ...(windows.length > 0 ? { windows } : {}),
    };
  });
  // Approval-only stages without an environment gate the next stage that has one.
  for (let i = stages.length - 1; i >= 0; i--) {
    const stage = stages[i];
    const approvalsOnly =
      stage.approvals.length > 0 &&
      stage.approvals.length === stage.actions.length;
    if (!stage.reportAs && approvalsOnly) {
      stage.reportAs = stages.slice(i + 1).find(s => s.reportAs)?.reportAs;
    }
  }
  return {
    version: pipeline.version ?? 0,
    ...(pipeline.pipelineType ? { type: pipeline.pipelineType } : {}),
    sourceActions,
    stages,
    conditionsRead: true,
  };
}

/**
 * The `DeploymentWindow` rules (category `Rule`, owner `AWS`) of a stage's
 * `beforeEntry` conditions. A rule without a `Cron` is left out: it
 * defines no window.
 */
function deploymentWindowsOf(
  stage: StageDeclaration,
  name: string,
): StageDeploymentWindow[] {
  const conditions = stage.beforeEntry?.conditions;
  if (!Array.isArray(conditions)) return [];
  const windows: StageDeploymentWindow[] = [];
  for (const condition of conditions) {
    for (const rule of Array.isArray(condition?.rules) ? condition.rules : []) {
      const type = rule?.ruleTypeId;
      if (
        type?.category !== 'Rule' ||
        (type.owner !== undefined && type.owner !== 'AWS') ||
        type.provider !== 'DeploymentWindow'
      ) {
        continue;
      }
      const cron = rule.configuration?.Cron?.trim();
      if (!cron) continue;
      windows.push({
        stage: name,
        rule: rule.name ?? 'DeploymentWindow',
        cron,
        timeZone: rule.configuration?.TimeZone?.trim() || 'UTC',
      });
    }
  }
  return windows;
}

/** The stages whose work is reported under one name, in pipeline order. */
export function stagesReportedAs(
  structure: PipelineStructure,
  reportAs: string,
): StageInfo[] {
  return structure.stages.filter(s => s.reportAs === reportAs);
}

/** The reported names in pipeline order, once each. */
export function reportedNames(structure: PipelineStructure): string[] {
  return [
    ...new Set(
      structure.stages.map(s => s.reportAs).filter((s): s is string => !!s),
    ),
  ];
}
