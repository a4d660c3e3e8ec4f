import type { ProviderGate } from '@stagecraft/plugin-deployments-node';
import type { GithubDeploymentFacts } from './githubDeployments';

/** A deployment that has not reached a final state, polled until it does. */
export interface UnfinishedDeployment extends GithubDeploymentFacts {
  /** ETag of its statuses list, so an unchanged deployment costs a free 304. */
  statusesEtag?: string;
}

/**
 * Where the GitHub provider's sync of one repository continues. Opaque to the
 * core: it stores the serialised form and hands it back.
 */
export interface SyncCursor {
  version: 1;
  /** Highest deployment id seen; GitHub ids grow over time. */
  newestDeploymentId?: number;
  etags: {
    deployments?: string;
    environments?: string;
    waitingRuns?: string;
    tags?: string;
  };
  unfinished: UnfinishedDeployment[];
  /** Tag names by SHA from the last tags answer, reused while it is unchanged. */
  tags: Record<string, string>;
  /** Gates from the last waiting-runs answer, reused while it is unchanged. */
  gates: ProviderGate[];
}

export function emptyCursor(): SyncCursor {
  return { version: 1, etags: {}, unfinished: [], tags: {}, gates: [] };
}

/** Reads a cursor; anything unreadable (older format, corruption) means "start over with a backfill". */
export function parseCursor(value: string | undefined): SyncCursor | undefined {
  if (!value) {
    return undefined;
  }
  try {
    const parsed = JSON.parse(value);
    if (
      parsed?.version !== 1 ||
      typeof parsed.etags !== 'object' ||
      !Array.isArray(parsed.unfinished) ||
      !Array.isArray(parsed.gates) ||
      typeof parsed.tags !== 'object'
    ) {
      return undefined;
    }
    return parsed as SyncCursor;
  } catch {
    return undefined;
  }
}

export function serializeCursor(cursor: SyncCursor): string {
  return JSON.stringify(cursor);
}
