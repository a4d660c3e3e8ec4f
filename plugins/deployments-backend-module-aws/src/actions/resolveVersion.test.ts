import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ListPipelineExecutionsCommand } from '@aws-sdk/client-codepipeline';
import { InputError } from '@backstage/errors';
import {
  aws,
  createTestProvider,
  entityWith,
  PIPELINE_ARN,
  resetAws,
} from '../__testUtils__/awsMocks';
import { execution, sha } from '../__testUtils__/pipelineFixtures';
import { stack, STACK } from '../__testUtils__/stackFixtures';

const FULL = '0123456789abcdef0123456789abcdef01234567';

beforeEach(() => resetAws());

async function resolve(entity: ReturnType<typeof entityWith>, ref: string) {
  const { provider } = createTestProvider();
  const [target] = await provider.targetsOf(entity);
  return provider.resolveVersion({ entity, target, ref });
}

describe('resolveVersion', () => {
  const pipelineEntity = entityWith({
    'aws.amazon.com/aws-codepipeline-arn': PIPELINE_ARN,
  });

  it('resolves a short SHA from the source revisions of recent executions', async () => {
    aws.codepipeline.on(ListPipelineExecutionsCommand).resolves({
      pipelineExecutionSummaries: [
        execution(3),
        execution(2, {
          sourceRevisions: [
            {
              actionName: 'Source',
              revisionId: FULL,
              revisionSummary: 'Fix rounding',
              revisionUrl: 'https://example.com/c',
            },
          ],
        }),
      ],
    });

    await expect(resolve(pipelineEntity, '0123456789')).resolves.toEqual({
      sha: FULL,
      message: 'Fix rounding',
      url: 'https://example.com/c',
    });
  });

  it('answers undefined for a commit the pipeline never ran', async () => {
    aws.codepipeline
      .on(ListPipelineExecutionsCommand)
      .resolves({ pipelineExecutionSummaries: [execution(3)] });

    await expect(resolve(pipelineEntity, 'abcdef1')).resolves.toBeUndefined();
  });

  it('refuses tags and branches, which AWS does not know', async () => {
    await expect(resolve(pipelineEntity, 'v1.2.3')).rejects.toBeInstanceOf(
      InputError,
    );
  });

  it("resolves a short SHA against a stack's GitSha", async () => {
    aws.cloudformation
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [stack('UPDATE_COMPLETE', { n: 9 })] });

    await expect(
      resolve(
        entityWith({ 'stagecraft.io/aws-stacks': `production=${STACK}` }),
        sha(9).slice(0, 8),
      ),
    ).resolves.toEqual({ sha: sha(9) });
  });
});
