import type { Stack } from '@aws-sdk/client-cloudformation';
import type { DeploymentInfo } from '@aws-sdk/client-codedeploy';
import type { Artifact } from '@stagecraft/plugin-deployments-common';
import { isCommitSha } from '../revisions';

/** The parameter, tag and output the example pipeline stamps on every stack (`sam deploy --parameter-overrides GitSha=… --tags GitSha=…`). */
export const GIT_SHA_KEY = 'GitSha';

/** The commit a stack was deployed from: its `GitSha` parameter, else tag, else output. */
export function gitShaOfStack(stack: Stack): string | undefined {
  const candidates = [
    stack.Parameters?.find(p => p.ParameterKey === GIT_SHA_KEY)?.ResolvedValue,
    stack.Parameters?.find(p => p.ParameterKey === GIT_SHA_KEY)?.ParameterValue,
    stack.Tags?.find(t => t.Key === GIT_SHA_KEY)?.Value,
    stack.Outputs?.find(o => o.OutputKey === GIT_SHA_KEY)?.OutputValue,
  ];
  const sha = candidates.find(isCommitSha);
  return sha?.toLowerCase();
}

/** The Lambda versions a CodeDeploy deployment moves traffic between, from its AppSpec. */
export function lambdaVersionsOf(deployment: DeploymentInfo): {
  functionName?: string;
  alias?: string;
  currentVersion?: string;
  targetVersion?: string;
} {
  const content =
    deployment.revision?.appSpecContent?.content ??
    deployment.revision?.string?.content;
  if (!content) return {};
  // AppSpec is JSON or YAML; the four properties look alike in both.
  const field = (name: string) =>
    new RegExp(
      `(?:^|[\\s{,])["']?${name}["']?\\s*:\\s*["']?([^"',\\s}]+)`,
      'im',
    ).exec(content)?.[1];
  return {
    functionName: field('Name'),
    alias: field('Alias'),
    currentVersion: field('CurrentVersion'),
    targetVersion: field('TargetVersion'),
  };
}

/** A Lambda version as an artifact, e.g. `payments-fn:7`. */
export function lambdaArtifact(
  functionName: string,
  version: string,
  url?: string,
): Artifact {
  return {
    kind: 'lambda-version',
    id: `${functionName}:${version}`,
    ...(url ? { url } : {}),
  };
}
