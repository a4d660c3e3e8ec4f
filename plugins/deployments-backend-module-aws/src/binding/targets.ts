import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import type {
  ProviderCapability,
  ProviderTarget,
} from '@stagecraft/plugin-deployments-node';
import type { AwsClients } from '../client/AwsClientFactory';
import { expectArray } from '../client/awsErrors';
import type { AwsProviderSettings } from '../settings';
import {
  entityLocation,
  PipelineBinding,
  promotionPathOf,
  readPipelines,
  readStackAnnotation,
  readStageMapping,
  StackBinding,
  stackArn,
  stackKey,
} from './annotations';

/** What a target's `settings` hold, read back by sync and the actions. */
export type TargetSettings =
  | {
      kind: 'pipeline';
      accountId: string;
      region: string;
      partition: string;
      pipelineName: string;
      /** `environment=Stage` pairs; empty: stages are matched by name. */
      stages: string;
      /** The promotion path, to match stage names against. */
      path: string;
    }
  | {
      kind: 'stack';
      accountId?: string;
      region: string;
      partition: string;
      stackName: string;
      environment: string;
    };

/**
 * The capabilities each kind of target really has: a pipeline promotes,
 * approves and stops; a stack is deployed by its CI, so it has no promote
 * (and no review) — the core then promotes through the CI's provider.
 */
export const PIPELINE_CAPABILITIES: ProviderCapability[] = [
  'resolveVersion',
  'promote',
  'review',
  'abort',
  'handleWebhook',
];
export const STACK_CAPABILITIES: ProviderCapability[] = [
  'resolveVersion',
  'abort',
  'handleWebhook',
];

export function pipelineTarget(
  pipeline: PipelineBinding,
  entity: Entity,
  settings: Pick<AwsProviderSettings, 'promotionPath'>,
): ProviderTarget {
  const { pairs } = readStageMapping(entity);
  const path = promotionPathOf(entity, settings.promotionPath);
  const mapped = pairs.size > 0;
  const environmentNames: Record<string, string> = {};
  for (const [environment, stage] of pairs)
    environmentNames[stage] = environment;
  return {
    key: pipeline.arn,
    routingKeys: [pipeline.arn],
    environments: mapped ? [...pairs.keys()] : 'all',
    ...(mapped ? { environmentNames } : {}),
    capabilities: PIPELINE_CAPABILITIES,
    settings: {
      kind: 'pipeline',
      accountId: pipeline.accountId,
      region: pipeline.region,
      partition: pipeline.partition,
      pipelineName: pipeline.name,
      stages: [...pairs].map(([e, s]) => `${e}=${s}`).join(','),
      path: path.join(','),
    },
  };
}

export function stackTarget(
  stack: StackBinding,
  extraRoutingKeys: string[] = [],
): ProviderTarget {
  const key = stackKey(stack);
  return {
    key,
    routingKeys: [key, ...extraRoutingKeys],
    environments: [stack.environment],
    capabilities: STACK_CAPABILITIES,
    settings: {
      kind: 'stack',
      ...(stack.accountId ? { accountId: stack.accountId } : {}),
      region: stack.region,
      partition: stack.partition,
      stackName: stack.stackName,
      environment: stack.environment,
    },
  };
}

/** Reads a target's settings back; undefined for a target this provider did not make. */
export function targetSettings(
  target: ProviderTarget,
): TargetSettings | undefined {
  const s = target.settings ?? {};
  if (s.kind === 'pipeline' && s.pipelineName && s.region && s.accountId) {
    return {
      kind: 'pipeline',
      accountId: s.accountId,
      region: s.region,
      partition: s.partition ?? 'aws',
      pipelineName: s.pipelineName,
      stages: s.stages ?? '',
      path: s.path ?? '',
    };
  }
  if (s.kind === 'stack' && s.stackName && s.region && s.environment) {
    return {
      kind: 'stack',
      ...(s.accountId ? { accountId: s.accountId } : {}),
      region: s.region,
      partition: s.partition ?? 'aws',
      stackName: s.stackName,
      environment: s.environment,
    };
  }
  return undefined;
}

/** The entity's pipelines and the stacks its annotation names, without calling AWS. */
export function annotatedBindings(
  entity: Entity,
  settings: Pick<AwsProviderSettings, 'defaultAccountId' | 'defaultRegion'>,
): {
  pipelines: PipelineBinding[];
  stacks: StackBinding[] | 'tags' | undefined;
  problems: string[];
} {
  const { pipelines, problems } = readPipelines(entity);
  const stackAnnotation = readStackAnnotation(entity, {
    accountId: settings.defaultAccountId,
    region: settings.defaultRegion,
  });
  return {
    pipelines,
    stacks: stackAnnotation.stacks,
    problems: [...problems, ...stackAnnotation.problems],
  };
}

/**
 * Finds the entity's stacks by their tags with the Resource Groups Tagging
 * API (one call a page): stacks tagged with the entity (its name or full
 * ref) under `stackTags.entity`, each serving the environment named by its
 * `stackTags.environment` tag.
 */
export async function discoverStacksByTags(options: {
  entity: Entity;
  clients: AwsClients;
  settings: Pick<
    AwsProviderSettings,
    'stackTags' | 'defaultAccountId' | 'defaultRegion'
  >;
}): Promise<{ stacks: StackBinding[]; problems: string[] }> {
  const { entity, clients, settings } = options;
  const location = entityLocation(entity, {
    accountId: settings.defaultAccountId,
    region: settings.defaultRegion,
  });
  const stacks: StackBinding[] = [];
  const problems: string[] = [...location.problems];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await clients.tagging.send(
      new GetResourcesCommand({
        ResourceTypeFilters: ['cloudformation:stack'],
        TagFilters: [
          {
            Key: settings.stackTags.entity,
            Values: [entity.metadata.name, stringifyEntityRef(entity)],
          },
        ],
        PaginationToken: token || undefined,
      }),
    );
    for (const mapping of expectArray<{
      ResourceARN?: string;
      Tags?: Array<{ Key?: string; Value?: string }>;
    }>(page?.ResourceTagMappingList, 'GetResources ResourceTagMappingList')) {
      const arn = mapping.ResourceARN
        ? stackArn(mapping.ResourceARN)
        : undefined;
      const environment = mapping.Tags?.find(
        t => t.Key === settings.stackTags.environment,
      )?.Value;
      if (!arn) continue;
      if (!environment) {
        problems.push(
          `stack ${arn.stackName} is tagged for the entity but has no ${settings.stackTags.environment} tag`,
        );
        continue;
      }
      if (stacks.some(s => s.environment === environment)) {
        problems.push(
          `several stacks are tagged for ${environment}; ${arn.stackName} is ignored`,
        );
        continue;
      }
      stacks.push({ environment, ...arn });
    }
    token = page?.PaginationToken;
    pages++;
  } while (token && pages < 5);
  return { stacks, problems };
}
