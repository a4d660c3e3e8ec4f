import { entityWith } from '../__testUtils__/awsMocks';
import {
  environmentOfStageName,
  parsePipelineArn,
  readPipelines,
  readStackAnnotation,
  stackArn,
} from './annotations';

describe('binding annotations', () => {
  it('reads the awslabs pipeline ARN annotation, several comma-separated, and reports bad ones', () => {
    const { pipelines, problems } = readPipelines(
      entityWith({
        'aws.amazon.com/aws-codepipeline-arn':
          'arn:aws:codepipeline:eu-west-1:111111111111:payments, arn:aws:s3:::bucket',
      }),
    );

    expect(pipelines).toEqual([
      {
        arn: 'arn:aws:codepipeline:eu-west-1:111111111111:payments',
        partition: 'aws',
        accountId: '111111111111',
        region: 'eu-west-1',
        name: 'payments',
      },
    ]);
    expect(problems).toEqual([
      "'arn:aws:s3:::bucket' in aws.amazon.com/aws-codepipeline-arn is not a CodePipeline ARN (arn:aws:codepipeline:<region>:<account>:<name>)",
    ]);
  });

  it('rejects pipeline ARNs without a 12-digit account or a region', () => {
    expect(
      parsePipelineArn('arn:aws:codepipeline::111111111111:x'),
    ).toBeUndefined();
    expect(
      parsePipelineArn('arn:aws:codepipeline:eu-west-1:1111:x'),
    ).toBeUndefined();
  });

  it('reads stacks by name in the entity account and region, or by ARN in their own', () => {
    const { stacks, problems } = readStackAnnotation(
      entityWith({
        'stagecraft.io/aws-stacks':
          'dev=svc-dev, production=arn:aws:cloudformation:us-east-1:222222222222:stack/svc-prod/abc-123, bad pair',
        'stagecraft.io/aws-account-id': '333333333333',
      }),
      { region: 'eu-west-1' },
    );

    expect(stacks).toEqual([
      {
        environment: 'dev',
        stackName: 'svc-dev',
        accountId: '333333333333',
        region: 'eu-west-1',
        partition: 'aws',
      },
      {
        environment: 'production',
        stackName: 'svc-prod',
        accountId: '222222222222',
        region: 'us-east-1',
        partition: 'aws',
      },
    ]);
    expect(problems).toEqual([
      "'bad pair' in stagecraft.io/aws-stacks is not environment=value",
    ]);
  });

  it('asks for tag discovery with the value tags', () => {
    expect(
      readStackAnnotation(entityWith({ 'stagecraft.io/aws-stacks': 'tags' }), {
        region: 'eu-west-1',
      }).stacks,
    ).toBe('tags');
  });

  it('reports a malformed account id and falls back to the default', () => {
    const { stacks, problems } = readStackAnnotation(
      entityWith({
        'stagecraft.io/aws-stacks': 'dev=svc-dev',
        'stagecraft.io/aws-account-id': '12',
      }),
      { accountId: '111111111111', region: 'eu-west-1' },
    );

    expect(stacks).toEqual([
      expect.objectContaining({ accountId: '111111111111' }),
    ]);
    expect(problems).toEqual([
      "'12' in stagecraft.io/aws-account-id is not a 12-digit account id",
    ]);
  });

  it('drops the stack id suffix of a stack ARN', () => {
    expect(
      stackArn(
        'arn:aws:cloudformation:eu-west-1:111111111111:stack/svc/5b7e0f60-0000',
      ),
    ).toMatchObject({
      stackName: 'svc',
    });
  });

  it.each([
    ['Deploy-Prod', 'production'],
    ['production', 'production'],
    ['DeployStaging', 'staging'],
    ['Deploy_dev', 'dev'],
    ['Stage', 'staging'],
    ['Build', undefined],
    ['Deploy-QA', undefined],
  ])('matches the stage %s to %s by name', (stage, environment) => {
    expect(
      environmentOfStageName(stage, ['dev', 'staging', 'production']),
    ).toBe(environment);
  });
});
