import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ListPipelineExecutionsCommand } from '@aws-sdk/client-codepipeline';
import { InputError } from '@backstage/errors';
import type { Version } from '@stagecraft/plugin-deployments-common';
import type { TargetSettings } from '../binding/targets';
import type { AwsClients } from '../client/AwsClientFactory';
import { toActionError } from '../client/awsErrors';
import { commitMessage, isCommitSha } from '../sync/revisions';
import { gitShaOfStack } from '../sync/stack/stackVersion';

const SHORT_SHA = /^[0-9a-f]{7,40}$/i;

/**
 * AWS has no git, but it knows the commits it deployed: a short SHA is
 * resolved against the source revisions of the pipeline's latest 100
 * executions (one call), or the stack's current `GitSha` (one call).
 * Anything else (tags, branches) is not known here.
 */
export async function resolveVersion(options: {
  clients: AwsClients;
  settings: TargetSettings;
  ref: string;
}): Promise<Version | undefined> {
  const ref = options.ref.trim().toLowerCase();
  if (!SHORT_SHA.test(ref)) {
    throw new InputError(
      `'${options.ref}' is not a commit SHA; the AWS provider knows commits only, not tags or branches`,
    );
  }
  const { clients, settings } = options;
  try {
    if (settings.kind === 'pipeline') {
      const page = await clients.codepipeline.send(
        new ListPipelineExecutionsCommand({
          pipelineName: settings.pipelineName,
          maxResults: 100,
        }),
      );
      for (const execution of page.pipelineExecutionSummaries ?? []) {
        for (const revision of execution.sourceRevisions ?? []) {
          const id = revision.revisionId?.toLowerCase();
          if (isCommitSha(id) && id.startsWith(ref)) {
            const message = commitMessage(revision.revisionSummary);
            return {
              sha: id,
              ...(message ? { message } : {}),
              ...(revision.revisionUrl ? { url: revision.revisionUrl } : {}),
            };
          }
        }
      }
      return undefined;
    }
    const answer = await clients.cloudformation.send(
      new DescribeStacksCommand({ StackName: settings.stackName }),
    );
    const stack = answer.Stacks?.[0];
    const sha = stack ? gitShaOfStack(stack) : undefined;
    return sha?.startsWith(ref) ? { sha } : undefined;
  } catch (error) {
    throw toActionError(error, `resolving '${options.ref}'`);
  }
}
