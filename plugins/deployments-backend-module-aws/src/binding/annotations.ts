import type { Entity } from '@backstage/catalog-model';

/** The awslabs CodePipeline plugin's annotation: the pipeline ARN (several, comma-separated, are accepted). */
export const AWS_CODEPIPELINE_ARN_ANNOTATION =
  'aws.amazon.com/aws-codepipeline-arn';
/** `environment=StageName` pairs, e.g. `dev=Deploy-Dev,production=Deploy-Prod`. */
export const AWS_PIPELINE_STAGES_ANNOTATION =
  'stagecraft.io/aws-pipeline-stages';
/** `environment=stack` pairs (a stack name or ARN), or `tags` to find the stacks by their tags. */
export const AWS_STACKS_ANNOTATION = 'stagecraft.io/aws-stacks';
/** Account of the entity's stacks given by name. */
export const AWS_ACCOUNT_ID_ANNOTATION = 'stagecraft.io/aws-account-id';
/** Region of the entity's stacks given by name. */
export const AWS_REGION_ANNOTATION = 'stagecraft.io/aws-region';
/** The entity's promotion path (read here to match pipeline stages by name). */
export const PROMOTION_PATH_ANNOTATION = 'stagecraft.io/promotion-path';

/** The value of {@link AWS_STACKS_ANNOTATION} that asks for tag discovery. */
export const DISCOVER_STACKS_BY_TAGS = 'tags';

const ACCOUNT_ID = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const ENVIRONMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const PIPELINE_NAME = /^[A-Za-z0-9.@_-]{1,100}$/;
const STAGE_NAME = /^[A-Za-z0-9.@_-]{1,100}$/;
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/** A parsed ARN (only the parts Stagecraft uses). */
export interface Arn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

export function parseArn(value: string | undefined): Arn | undefined {
  const parts = value?.trim().split(':');
  if (!parts || parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition, service, region, accountId, ...rest] = parts;
  if (!partition || !service) return undefined;
  return { partition, service, region, accountId, resource: rest.join(':') };
}

/** The partition of a region: `aws-cn` for China, `aws-us-gov` for GovCloud, else `aws`. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Where a resource lives. */
export interface AwsLocation {
  partition: string;
  accountId?: string;
  region: string;
}

/** A CodePipeline pipeline named by an entity. */
export interface PipelineBinding extends AwsLocation {
  arn: string;
  accountId: string;
  name: string;
}

export function parsePipelineArn(value: string): PipelineBinding | undefined {
  const arn = parseArn(value);
  if (
    !arn ||
    arn.service !== 'codepipeline' ||
    !REGION.test(arn.region) ||
    !ACCOUNT_ID.test(arn.accountId) ||
    !PIPELINE_NAME.test(arn.resource)
  ) {
    return undefined;
  }
  return {
    arn: `arn:${arn.partition}:codepipeline:${arn.region}:${arn.accountId}:${arn.resource}`,
    partition: arn.partition,
    accountId: arn.accountId,
    region: arn.region,
    name: arn.resource,
  };
}

/** The pipelines of the entity; malformed ARNs are reported, not silently dropped. */
export function readPipelines(entity: Entity): {
  pipelines: PipelineBinding[];
  problems: string[];
} {
  const value = annotation(entity, AWS_CODEPIPELINE_ARN_ANNOTATION);
  const pipelines: PipelineBinding[] = [];
  const problems: string[] = [];
  for (const part of splitList(value)) {
    const pipeline = parsePipelineArn(part);
    if (pipeline) pipelines.push(pipeline);
    else
      problems.push(
        `'${part}' in ${AWS_CODEPIPELINE_ARN_ANNOTATION} is not a CodePipeline ARN (arn:aws:codepipeline:<region>:<account>:<name>)`,
      );
  }
  return { pipelines, problems };
}

/**
 * Parses `environment=value` pairs separated by commas. A value checked by
 * `valid` (stage names, stack names or ARNs); malformed pairs are reported.
 */
export function parseEnvironmentPairs(
  value: string | undefined,
  annotationName: string,
  valid: (v: string) => boolean,
): { pairs: Map<string, string>; problems: string[] } {
  const pairs = new Map<string, string>();
  const problems: string[] = [];
  for (const pair of splitList(value)) {
    const at = pair.indexOf('=');
    const environment = at > 0 ? pair.slice(0, at).trim() : '';
    const target = at > 0 ? pair.slice(at + 1).trim() : '';
    if (!ENVIRONMENT.test(environment) || !valid(target)) {
      problems.push(`'${pair}' in ${annotationName} is not environment=value`);
      continue;
    }
    pairs.set(environment, target);
  }
  return { pairs, problems };
}

/** `environment → stage name` from {@link AWS_PIPELINE_STAGES_ANNOTATION}. */
export function readStageMapping(entity: Entity) {
  return parseEnvironmentPairs(
    annotation(entity, AWS_PIPELINE_STAGES_ANNOTATION),
    AWS_PIPELINE_STAGES_ANNOTATION,
    v => STAGE_NAME.test(v),
  );
}

/** A stack named for one environment. */
export interface StackBinding extends AwsLocation {
  environment: string;
  stackName: string;
}

/** The stacks named by {@link AWS_STACKS_ANNOTATION}, or `'tags'` when they are to be discovered. */
export function readStackAnnotation(
  entity: Entity,
  defaults: { accountId?: string; region: string },
): { stacks: StackBinding[] | 'tags' | undefined; problems: string[] } {
  const value = annotation(entity, AWS_STACKS_ANNOTATION);
  if (value === undefined) return { stacks: undefined, problems: [] };
  if (value.trim().toLowerCase() === DISCOVER_STACKS_BY_TAGS) {
    return { stacks: 'tags', problems: [] };
  }
  const { problems: locationProblems, ...location } = entityLocation(
    entity,
    defaults,
  );
  const { pairs, problems } = parseEnvironmentPairs(
    value,
    AWS_STACKS_ANNOTATION,
    v => STACK_NAME.test(v) || stackArn(v) !== undefined,
  );
  const stacks: StackBinding[] = [];
  for (const [environment, target] of pairs) {
    const arn = stackArn(target);
    stacks.push(
      arn
        ? { environment, ...arn }
        : { environment, stackName: target, ...location },
    );
  }
  return { stacks, problems: [...problems, ...locationProblems] };
}

/** The entity's account and region for resources it names without an ARN. */
export function entityLocation(
  entity: Entity,
  defaults: { accountId?: string; region: string },
): AwsLocation & { problems: string[] } {
  const problems: string[] = [];
  let accountId = annotation(entity, AWS_ACCOUNT_ID_ANNOTATION)?.trim();
  if (accountId !== undefined && !ACCOUNT_ID.test(accountId)) {
    problems.push(
      `'${accountId}' in ${AWS_ACCOUNT_ID_ANNOTATION} is not a 12-digit account id`,
    );
    accountId = undefined;
  }
  let region = annotation(entity, AWS_REGION_ANNOTATION)?.trim();
  if (region !== undefined && !REGION.test(region)) {
    problems.push(`'${region}' in ${AWS_REGION_ANNOTATION} is not a region`);
    region = undefined;
  }
  const resolvedRegion = region ?? defaults.region;
  return {
    accountId: accountId ?? defaults.accountId,
    region: resolvedRegion,
    partition: partitionOf(resolvedRegion),
    problems,
  };
}

/** A stack ARN (with or without the stack id suffix) as a binding location. */
export function stackArn(
  value: string,
): (AwsLocation & { stackName: string; accountId: string }) | undefined {
  const arn = parseArn(value);
  if (!arn || arn.service !== 'cloudformation') return undefined;
  const match = /^stack\/([A-Za-z][A-Za-z0-9-]{0,127})(\/[A-Za-z0-9-]+)?$/.exec(
    arn.resource,
  );
  if (!match || !REGION.test(arn.region) || !ACCOUNT_ID.test(arn.accountId)) {
    return undefined;
  }
  return {
    partition: arn.partition,
    accountId: arn.accountId,
    region: arn.region,
    stackName: match[1],
  };
}

/** The key of a stack target, and the routing key its CloudFormation events carry. */
export function stackKey(location: {
  partition: string;
  region: string;
  accountId?: string;
  stackName: string;
}): string {
  return `arn:${location.partition}:cloudformation:${location.region}:${
    location.accountId ?? ''
  }:stack/${location.stackName}`;
}

/** The routing key of a CodeDeploy deployment group (its ARN). */
export function deploymentGroupKey(location: {
  partition: string;
  region: string;
  accountId?: string;
  application: string;
  deploymentGroup: string;
}): string {
  return `arn:${location.partition}:codedeploy:${location.region}:${
    location.accountId ?? ''
  }:deploymentgroup:${location.application}/${location.deploymentGroup}`;
}

/** The entity's environments in order, to match stage names against. */
export function promotionPathOf(entity: Entity, fallback: string[]): string[] {
  const value = annotation(entity, PROMOTION_PATH_ANNOTATION);
  const path = splitList(value).filter(name => ENVIRONMENT.test(name));
  return path.length > 0 ? path : fallback;
}

/**
 * The entity environment a stage serves when no mapping names it: a
 * case-insensitive match of the stage name, with a leading `Deploy`
 * (`Deploy-Prod`, `DeployStaging`, `Deploy_dev`) ignored, against the
 * promotion path; `prod` also matches `production`, `stage` `staging` and
 * `develop`/`development` `dev`.
 */
export function environmentOfStageName(
  stageName: string,
  environments: string[],
): string | undefined {
  const bare = stageName
    .toLowerCase()
    .replace(/^deploy(ment)?[-_ ]?(to[-_ ])?/, '');
  const candidates = new Set([stageName.toLowerCase(), bare]);
  const aliases: Record<string, string[]> = {
    prod: ['production'],
    production: ['prod'],
    stage: ['staging'],
    staging: ['stage'],
    develop: ['dev', 'development'],
    development: ['dev', 'develop'],
    dev: ['development', 'develop'],
  };
  for (const name of [...candidates]) {
    for (const alias of aliases[name] ?? []) candidates.add(alias);
  }
  return environments.find(env => candidates.has(env.toLowerCase()));
}

function annotation(entity: Entity, name: string): string | undefined {
  return entity.metadata.annotations?.[name];
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);
}
