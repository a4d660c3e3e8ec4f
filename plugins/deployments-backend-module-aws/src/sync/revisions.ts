import type { ProviderVersion } from '@stagecraft/plugin-deployments-node';

const SHA = /^[0-9a-f]{40}$/i;

/** True for a full git commit SHA. */
export function isCommitSha(value: string | undefined): value is string {
  return value !== undefined && SHA.test(value);
}

/** A source revision as CodePipeline reports it (execution summaries and executions use the same fields). */
export interface SourceRevision {
  actionName?: string;
  name?: string;
  revisionId?: string;
  revisionSummary?: string;
  revisionUrl?: string;
}

/**
 * The version of a pipeline execution: the commit of its primary source
 * action (the first Source action of the pipeline, else the first revision).
 * A source that is not git (an S3 object version, an image digest) has no
 * commit: the version then carries the revision as its artifact.
 */
export function versionOfRevisions(
  revisions: SourceRevision[] | undefined,
  primarySourceAction?: string,
): ProviderVersion {
  const list = (revisions ?? []).filter(r => r.revisionId);
  const revision =
    list.find(r => (r.actionName ?? r.name) === primarySourceAction) ??
    list.find(r => isCommitSha(r.revisionId)) ??
    list[0];
  if (!revision?.revisionId) {
    return { artifact: { kind: 'pipeline-source', id: 'unknown' } };
  }
  const message = commitMessage(revision.revisionSummary);
  const extra = {
    ...(message ? { message } : {}),
    ...(revision.revisionUrl ? { url: revision.revisionUrl } : {}),
  };
  if (isCommitSha(revision.revisionId)) {
    return { sha: revision.revisionId.toLowerCase(), ...extra };
  }
  return {
    ...extra,
    artifact: { kind: 'pipeline-source', id: revision.revisionId },
  };
}

/**
 * The commit title from a revision summary. CodeStar connections report a
 * JSON object (`{"ProviderType":"GitHub","CommitMessage":"…"}`), other
 * sources the plain message.
 */
export function commitMessage(summary: string | undefined): string | undefined {
  if (!summary) return undefined;
  let text = summary;
  if (summary.trim().startsWith('{')) {
    try {
      const parsed = JSON.parse(summary) as { CommitMessage?: unknown };
      if (typeof parsed.CommitMessage === 'string') text = parsed.CommitMessage;
    } catch {
      // not JSON after all: keep the summary as it is
    }
  }
  const title = text.split('\n')[0].trim();
  return title || undefined;
}
