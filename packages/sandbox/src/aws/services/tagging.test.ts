import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { SandboxServer } from '../../server';
import { startTestSandbox } from '../../__testUtils__/sandbox';
import { awsClients } from '../../__testUtils__/aws';

describe('Resource Groups Tagging API stand-in (through its SDK client)', () => {
  let server: SandboxServer;
  let aws: ReturnType<typeof awsClients>;

  beforeAll(async () => {
    server = await startTestSandbox();
    aws = awsClients(server);
  });
  afterAll(() => server.close());

  it("finds an entity's stacks by its entity and environment tags", async () => {
    const { ResourceTagMappingList, PaginationToken } = await aws.tagging.send(
      new GetResourcesCommand({
        TagFilters: [
          {
            Key: 'stagecraft.io/entity',
            Values: ['component:default/python-service'],
          },
        ],
        ResourceTypeFilters: ['cloudformation:stack'],
      }),
    );
    expect(PaginationToken).toBe('');
    expect(
      ResourceTagMappingList!.map(r => r.ResourceARN!.split('/')[1]).sort(),
    ).toEqual([
      'python-service-dev',
      'python-service-production',
      'python-service-staging',
    ]);
    const production = await aws.tagging.send(
      new GetResourcesCommand({
        TagFilters: [
          {
            Key: 'stagecraft.io/entity',
            Values: ['component:default/ledger-worker'],
          },
          { Key: 'stagecraft.io/environment', Values: ['production'] },
        ],
        ResourceTypeFilters: ['cloudformation:stack'],
      }),
    );
    expect(production.ResourceTagMappingList).toHaveLength(1);
    expect(production.ResourceTagMappingList![0].Tags).toEqual(
      expect.arrayContaining([
        { Key: 'GitSha', Value: expect.stringMatching(/^[0-9a-f]{40}$/) },
      ]),
    );
  });

  it('pages with ResourcesPerPage and finds the pipeline by its entity tag', async () => {
    const first = await aws.tagging.send(
      new GetResourcesCommand({
        TagFilters: [{ Key: 'stagecraft.io/entity' }],
        ResourcesPerPage: 4,
      }),
    );
    expect(first.ResourceTagMappingList).toHaveLength(4);
    const rest = await aws.tagging.send(
      new GetResourcesCommand({
        TagFilters: [{ Key: 'stagecraft.io/entity' }],
        PaginationToken: first.PaginationToken,
      }),
    );
    expect(rest.ResourceTagMappingList!.length).toBeGreaterThan(0);
    const pipelines = await aws.tagging.send(
      new GetResourcesCommand({ ResourceTypeFilters: ['codepipeline'] }),
    );
    expect(pipelines.ResourceTagMappingList!.map(r => r.ResourceARN)).toEqual([
      'arn:aws:codepipeline:eu-west-1:123456789012:ledger-worker',
    ]);
  });
});
