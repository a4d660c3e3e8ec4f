import { createHash } from 'node:crypto';
import { isError } from '@backstage/errors';
import {
  canonicalChangeSet,
  type ChangeDiff,
  type EvidenceCommit,
  type EvidencePullRequest,
  type GateReviewer,
  type PolicyCheck,
  type PromotionRequest,
  type ReleaseChanges,
  type ReleaseEvidence,
  type ReleaseGate,
  type Version,
} from '@stagecraft/plugin-deployments-common';
import type {
  DeploymentStore,
  EnvironmentProtection,
  StoredGate,
} from '../database/DeploymentStore';
import type { ActionContext } from '../actions/ActionContext';
import { changeDiff } from '../reads/ChangeDiffs';

/**
 * What an action knows of its release when the portal accepts it; the audit
 * entry it is recorded with adds who, when, the outcome and the ids.
 */
export interface EvidenceDraft {
  action: ReleaseEvidence['action'];
  environment: string;
  version: Version;
  checks: PolicyCheck[];
  gate: ReleaseGate;
  changes: ReleaseChanges;
}

/** How long the evidence waits for the change source before it records the changes as unavailable. */
export const EVIDENCE_COMPARE_TIMEOUT_MS = 10_000;

const PORTAL_RULE =
  'another person with deployments.approve on the entity (the requester cannot approve)';

/**
 * The commits and pull requests between what runs in `environment` now and
 * `version`, from the same change diff the portal shows (and caches). Never
 * throws: when nothing ran there yet, the entity has no change source, the
 * provider fails or is too slow, the changes are recorded as unavailable
 * with the reason, and the action goes on.
 */
export async function releaseChanges(options: {
  store: DeploymentStore;
  ctx: ActionContext;
  environment: string;
  version: Version;
  timeoutMs?: number;
}): Promise<ReleaseChanges> {
  const { store, ctx, environment, version } = options;
  const to = { ref: version.tag ?? version.sha, sha: version.sha };
  let from: { ref: string; sha: string } | undefined;
  try {
    const states = await store.getEnvironmentStates(ctx.entityRef, [
      environment,
    ]);
    const current = states[environment]?.current?.version;
    if (!current) {
      return {
        status: 'unavailable',
        to,
        reason: `nothing has succeeded in ${environment} yet, so there is no range to compare from`,
      };
    }
    from = { ref: environment, sha: current.sha };
    if (version.commitUnknown || current.commitUnknown) {
      return {
        status: 'unavailable',
        from,
        to,
        reason: `the provider reported no commit for ${
          version.commitUnknown ? 'the version' : `what runs in ${environment}`
        }, so there is nothing to compare`,
      };
    }
    const diff = await withTimeout(
      changeDiff({
        store,
        entity: ctx.entity,
        entityRef: ctx.entityRef,
        path: ctx.path,
        sources: ctx.sources,
        from: environment,
        to: version.sha,
      }),
      options.timeoutMs ?? EVIDENCE_COMPARE_TIMEOUT_MS,
    );
    if (diff.reason) {
      return { status: 'unavailable', from, to, reason: diff.reason };
    }
    return availableChanges(diff, from, to);
  } catch (error) {
    let message = isError(error) ? error.message : String(error);
    if (ctx.userToken) message = message.split(ctx.userToken).join('***');
    return {
      status: 'unavailable',
      ...(from ? { from } : {}),
      to,
      reason: `the change source could not be asked: ${message}`,
    };
  }
}

function availableChanges(
  diff: ChangeDiff,
  from: { ref: string; sha: string },
  to: { ref: string; sha: string },
): ReleaseChanges {
  const commits: EvidenceCommit[] = diff.commits.map(commit => ({
    sha: commit.sha,
    message: commit.message,
    author: commit.author,
    ...(commit.authorLogin ? { authorLogin: commit.authorLogin } : {}),
    date: commit.date,
    ...(commit.url ? { url: commit.url } : {}),
    ...(commit.pullRequest ? { pullRequest: commit.pullRequest.number } : {}),
  }));
  const pulls = new Map<number, EvidencePullRequest>();
  // Newest first: the last commit seen of a pull request is its oldest.
  for (const commit of diff.commits) {
    const pull = commit.pullRequest;
    if (!pull) continue;
    const author = commit.authorLogin ?? commit.author;
    const known = pulls.get(pull.number);
    if (known) {
      known.commits.push(commit.sha);
      known.author = author;
    } else {
      pulls.set(pull.number, {
        number: pull.number,
        title: pull.title,
        author,
        url: pull.url,
        commits: [commit.sha],
      });
    }
  }
  const pullRequests = [...pulls.values()]
    .map(pull => ({ ...pull, commits: [...pull.commits].sort() }))
    .sort((a, b) => a.number - b.number);
  return {
    status: 'available',
    from,
    to,
    comparison: diff.status,
    aheadBy: diff.aheadBy,
    behindBy: diff.behindBy,
    totalCommits: diff.totalCommits,
    commits,
    pullRequests,
    truncated: commits.length < diff.totalCommits,
    ...(diff.url ? { url: diff.url } : {}),
    hash: changeSetHash({ commits, pullRequests }),
  };
}

/** SHA-256 of the change set's canonical serialisation, so a reviewer can recompute it. */
export function changeSetHash(changes: {
  commits: EvidenceCommit[];
  pullRequests: EvidencePullRequest[];
}): Extract<ReleaseChanges, { status: 'available' }>['hash'] {
  return {
    algorithm: 'sha256',
    canonicalization: 'stagecraft-change-set/v1',
    value: createHash('sha256')
      .update(canonicalChangeSet(changes), 'utf8')
      .digest('hex'),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${ms / 1000} s`)),
      ms,
    );
    (timer as { unref?: () => void }).unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The gate of a promotion or roll back as it was accepted: the provider's, the portal's own request, or none. */
export function promotionGate(options: {
  environment: string;
  /** The provider that deploys into the environment. */
  owner?: string;
  providerGated: boolean;
  held: boolean;
  protection: EnvironmentProtection[];
  openGates: StoredGate[];
  request: PromotionRequest;
  /** The approval rule's verdict, for an environment without a gate. */
  approvalMessage: string;
}): ReleaseGate {
  const { environment, owner, request } = options;
  if (options.providerGated) {
    const ownedHere = <T extends { provider: string; environment: string }>(
      item: T,
    ) =>
      item.environment === environment && (!owner || item.provider === owner);
    const reviewers = uniqueReviewers(
      options.protection.filter(ownedHere).flatMap(p => p.requiredReviewers),
    );
    const open = options.openGates.find(
      gate => gate.kind === 'provider' && ownedHere(gate),
    );
    const provider = owner ?? open?.provider;
    return {
      kind: 'provider',
      ...(open ? { id: open.id } : {}),
      ...(provider ? { provider } : {}),
      environment,
      reviewers: reviewers.length ? reviewers : open?.reviewers ?? [],
      rule: `the reviewers of ${
        provider ?? 'the provider'
      }'s own gate of ${environment}; that gate is the approval`,
      requestedBy: request.requestedBy,
      requestedAt: request.requestedAt,
    };
  }
  if (options.held) {
    return {
      kind: 'portal',
      id: `stagecraft:${request.id}`,
      provider: 'stagecraft',
      environment,
      reviewers: [],
      rule: PORTAL_RULE,
      requestedBy: request.requestedBy,
      requestedAt: request.requestedAt,
    };
  }
  return {
    kind: 'none',
    environment,
    reviewers: [],
    rule: options.approvalMessage,
  };
}

/** The gate of a decision: the portal's request or the provider's gate, with who decided. */
export function decisionGate(options: {
  gate:
    | { kind: 'portal'; request: PromotionRequest }
    | { kind: 'provider'; gate: StoredGate };
  decision: 'approve' | 'reject';
  actor: string;
  decidedAt: string;
  comment: string;
}): ReleaseGate {
  const decided = {
    decision:
      options.decision === 'approve'
        ? ('approved' as const)
        : ('rejected' as const),
    decidedBy: options.actor,
    decidedAt: options.decidedAt,
    decisionComment: options.comment,
  };
  if (options.gate.kind === 'portal') {
    const { request } = options.gate;
    return {
      kind: 'portal',
      id: `stagecraft:${request.id}`,
      provider: 'stagecraft',
      environment: request.environment,
      reviewers: [],
      rule: PORTAL_RULE,
      requestedBy: request.requestedBy,
      requestedAt: request.requestedAt,
      ...decided,
    };
  }
  const { gate } = options.gate;
  return {
    kind: 'provider',
    id: gate.id,
    provider: gate.provider,
    environment: gate.environment,
    reviewers: gate.reviewers,
    rule: `the reviewers of ${gate.provider}'s gate; the portal passes the decision on to ${gate.provider}`,
    ...(gate.requestedBy ? { requestedBy: gate.requestedBy } : {}),
    requestedAt: gate.since,
    ...decided,
  };
}

function uniqueReviewers(reviewers: GateReviewer[]): GateReviewer[] {
  const seen = new Set<string>();
  return reviewers.filter(reviewer => {
    const key = `${reviewer.type}:${reviewer.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
