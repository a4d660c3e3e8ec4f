import type { GateReviewer } from '@stagecraft/plugin-deployments-common';

/**
 * A gate is one environment a workflow run waits on. The id names the run and
 * the GitHub environment, so sync and the `deployment_review` webhook (which
 * carries names, not environment ids) arrive at the same id.
 */
export function gateIdOf(runId: number | string, githubEnvironment: string) {
  return `${runId}:${githubEnvironment}`;
}

/** Reads a gate id back into the run and environment it names. */
export function parseGateId(
  providerGateId: string,
): { runId: number; githubEnvironment: string } | undefined {
  const separator = providerGateId.indexOf(':');
  const runId = Number(providerGateId.slice(0, separator));
  const githubEnvironment = providerGateId.slice(separator + 1);
  if (separator <= 0 || !Number.isSafeInteger(runId) || !githubEnvironment) {
    return undefined;
  }
  return { runId, githubEnvironment };
}

/** GitHub's reviewer entries (`{ type: 'User' | 'Team', reviewer }`) as Stagecraft reviewers. */
export function toGateReviewers(
  reviewers:
    | Array<{
        type?: string;
        reviewer?: { login?: string; slug?: string; name?: string | null };
      }>
    | undefined,
): GateReviewer[] {
  const result: GateReviewer[] = [];
  for (const entry of reviewers ?? []) {
    if (entry.type === 'Team' && entry.reviewer?.slug) {
      result.push({ type: 'team', name: entry.reviewer.slug });
    } else if (entry.reviewer?.login) {
      result.push({ type: 'user', name: entry.reviewer.login });
    }
  }
  return result;
}
