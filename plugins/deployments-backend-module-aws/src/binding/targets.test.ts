import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import {
  ACCOUNT,
  aws,
  awsError,
  createTestProvider,
  entityWith,
  PIPELINE_ARN,
  REGION,
  resetAws,
} from '../__testUtils__/awsMocks';

beforeEach(() => resetAws());

describe('targetsOf', () => {
  it('gives nothing for an entity without AWS annotations', async () => {
    const { provider } = createTestProvider();

    await expect(provider.targetsOf(entityWith({}))).resolves.toEqual([]);
  });

  it('makes one target per pipeline and per stack, each with its routing keys and environments', async () => {
    const { provider } = createTestProvider();

    const targets = await provider.targetsOf(
      entityWith({
        'aws.amazon.com/aws-codepipeline-arn': PIPELINE_ARN,
        'stagecraft.io/aws-pipeline-stages': 'dev=Deploy-Dev',
        'stagecraft.io/aws-stacks': 'staging=svc-staging,production=svc-prod',
      }),
    );

    expect(
      targets.map(t => [
        t.key,
        t.routingKeys,
        t.environments,
        t.environmentNames,
      ]),
    ).toEqual([
      [PIPELINE_ARN, [PIPELINE_ARN], ['dev'], { 'Deploy-Dev': 'dev' }],
      [
        `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/svc-staging`,
        [`arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/svc-staging`],
        ['staging'],
        undefined,
      ],
      [
        `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/svc-prod`,
        [`arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/svc-prod`],
        ['production'],
        undefined,
      ],
    ]);
    expect(targets.every(t => t.changeSource === undefined)).toBe(true);
    // A stack is deployed by its CI: its target says it has no promote or review.
    expect(targets.map(t => t.capabilities)).toEqual([
      ['resolveVersion', 'promote', 'review', 'abort', 'handleWebhook'],
      ['resolveVersion', 'abort', 'handleWebhook'],
      ['resolveVersion', 'abort', 'handleWebhook'],
    ]);
  });

  it('logs a malformed annotation once, not on every call', async () => {
    const { provider, logger } = createTestProvider();
    const entity = entityWith({
      'aws.amazon.com/aws-codepipeline-arn': 'not-an-arn',
    });

    await provider.targetsOf(entity);
    await provider.targetsOf(entity);

    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  it('finds stacks by their entity and environment tags', async () => {
    aws.tagging.on(GetResourcesCommand).resolves({
      ResourceTagMappingList: [
        {
          ResourceARN: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/svc-dev/1`,
          Tags: [
            { Key: 'team:entity', Value: 'payments-api' },
            { Key: 'team:env', Value: 'dev' },
          ],
        },
        {
          ResourceARN: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/svc-untagged/2`,
          Tags: [{ Key: 'team:entity', Value: 'payments-api' }],
        },
      ],
    });
    const { provider } = createTestProvider({
      stackTags: { entity: 'team:entity', environment: 'team:env' },
    });

    const targets = await provider.targetsOf(
      entityWith({ 'stagecraft.io/aws-stacks': 'tags' }),
    );

    expect(targets.map(t => [t.settings?.stackName, t.environments])).toEqual([
      ['svc-dev', ['dev']],
    ]);
    expect(
      aws.tagging.commandCalls(GetResourcesCommand)[0].args[0].input,
    ).toEqual({
      ResourceTypeFilters: ['cloudformation:stack'],
      TagFilters: [
        {
          Key: 'team:entity',
          Values: ['payments-api', 'component:default/payments-api'],
        },
      ],
    });
  });

  it('keeps the stacks found last time when tag discovery fails', async () => {
    aws.tagging
      .on(GetResourcesCommand)
      .resolvesOnce({
        ResourceTagMappingList: [
          {
            ResourceARN: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/svc-dev/1`,
            Tags: [
              { Key: 'stagecraft.io/entity', Value: 'payments-api' },
              { Key: 'stagecraft.io/environment', Value: 'dev' },
            ],
          },
        ],
      })
      .rejects(awsError('ThrottlingException', 'Rate exceeded'));
    const { provider, logger } = createTestProvider();
    const entity = entityWith({ 'stagecraft.io/aws-stacks': 'tags' });

    const first = await provider.targetsOf(entity);
    const second = await provider.targetsOf(entity);

    expect(second).toEqual(first);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /^AWS throttled the requests while finding the stacks/,
      ),
    );
  });
});
