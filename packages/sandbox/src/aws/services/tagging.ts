import type { GetResourcesOutput } from '@aws-sdk/client-resource-groups-tagging-api';
import { Router } from 'express';
import { AwsCloud } from '../cloud/AwsCloud';
import { AwsServiceError } from '../cloud/errors';
import { createJsonProtocolRouter, page, pageSize } from '../protocols/json';

/** The Resource Groups Tagging API's GetResources: the account's stacks, functions and pipelines by tag. */
export function createTaggingRouter(options: { cloud: AwsCloud }): Router {
  const { cloud } = options;
  return createJsonProtocolRouter({
    version: '1.1',
    target: 'ResourceGroupsTaggingAPI_20170126',
    handlers: {
      GetResources: (input): GetResourcesOutput => {
        const filters: Array<{ Key?: unknown; Values?: unknown }> =
          input.TagFilters ?? [];
        if (
          !Array.isArray(filters) ||
          filters.some(f => typeof f?.Key !== 'string')
        )
          throw new AwsServiceError(
            'InvalidParameterException',
            'Each TagFilter needs a Key',
          );
        const types: unknown = input.ResourceTypeFilters;
        if (types !== undefined && !Array.isArray(types))
          throw new AwsServiceError(
            'InvalidParameterException',
            'ResourceTypeFilters must be a list',
          );
        const size = pageSize(input.ResourcesPerPage, {
          default: 100,
          max: 100,
          name: 'ResourcesPerPage',
          error: 'InvalidParameterException',
        });
        const resources = [
          ...cloud.stacks.map(s => ({
            type: 'cloudformation:stack',
            arn: s.stackId,
            tags: s.tags,
          })),
          ...cloud.functions.map(f => ({
            type: 'lambda:function',
            arn: f.arn,
            tags: f.tags,
          })),
          ...cloud.pipelines.map(p => ({
            type: 'codepipeline:pipeline',
            arn: p.arn,
            tags: p.tags,
          })),
        ];
        const matches = resources.filter(
          r =>
            (!Array.isArray(types) ||
              types.length === 0 ||
              types.some(t => r.type === t || r.type.split(':')[0] === t)) &&
            filters.every(f => {
              const value = r.tags[f.Key as string];
              const values = Array.isArray(f.Values) ? f.Values : [];
              return (
                value !== undefined &&
                (values.length === 0 || values.includes(value))
              );
            }),
        );
        const { items, next } = page(matches, {
          token: input.PaginationToken,
          size,
          invalid: () =>
            new AwsServiceError(
              'PaginationTokenExpiredException',
              'The pagination token is not valid',
            ),
        });
        return {
          ResourceTagMappingList: items.map(r => ({
            ResourceARN: r.arn,
            Tags: Object.entries(r.tags).map(([Key, Value]) => ({
              Key,
              Value,
            })),
          })),
          PaginationToken: next ?? '',
        };
      },
    },
  });
}
