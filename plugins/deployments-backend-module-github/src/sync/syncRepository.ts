import type { ProviderSnapshot } from '@stagecraft/plugin-deployments-node';
import type { EnvironmentNames } from '../annotations';
import type { GithubRepositoryClient } from '../client/GithubClientFactory';
import { backfillDeployments } from './backfill';
import {
  readEnvironments,
  readOpenGates,
  readTags,
  refreshUnfinished,
  SyncContext,
  syncNewDeployments,
} from './incrementalSync';
import {
  emptyCursor,
  parseCursor,
  serializeCursor,
  UnfinishedDeployment,
} from './SyncCursor';

/** More unfinished deployments than this means something is stuck; poll only the newest. */
const MAX_UNFINISHED = 100;

export interface SyncRepositoryOptions {
  client: GithubRepositoryClient;
  names: EnvironmentNames;
  cursor?: string;
  signal?: AbortSignal;
  now?: Date;
  /** Pages of 100 deployments read by the first (GraphQL) sync. */
  backfillPages: number;
}

/**
 * One sync of one repository. Without a cursor it backfills through GraphQL
 * (deployments with their statuses, 100 per request); with one it asks REST
 * only what may have changed, with ETags so unchanged answers are free 304s:
 * tags, new deployments, statuses of unfinished deployments, environments and
 * the workflow runs waiting for a review.
 */
export async function syncRepository(
  options: SyncRepositoryOptions,
): Promise<ProviderSnapshot> {
  const previous = parseCursor(options.cursor);
  const cursor = previous ? structuredClone(previous) : emptyCursor();
  const ctx: SyncContext = {
    client: options.client,
    cursor,
    signal: options.signal,
    view: {
      names: options.names,
      tags: cursor.tags,
      htmlUrl: options.client.htmlUrl,
    },
  };

  // Tags first, so deployments and gates found below carry their tag.
  await readTags(ctx);
  ctx.view = { ...ctx.view, tags: cursor.tags };

  let deployments: ProviderSnapshot['deployments'];
  let unfinished: UnfinishedDeployment[];
  if (!previous) {
    const backfill = await backfillDeployments(options.client, ctx.view, {
      maxPages: options.backfillPages,
      signal: options.signal,
    });
    deployments = backfill.deployments;
    unfinished = backfill.unfinished;
    cursor.newestDeploymentId = backfill.newestDeploymentId;
  } else {
    const fresh = await syncNewDeployments(ctx, { maxPages: 5 });
    const freshIds = new Set(
      fresh.deployments.map(d => d.providerDeploymentId),
    );
    const refreshed = await refreshUnfinished(
      ctx,
      previous.unfinished.filter(u => !freshIds.has(String(u.id))),
      options.now ?? new Date(),
    );
    deployments = [...fresh.deployments, ...refreshed.deployments];
    unfinished = [...fresh.unfinished, ...refreshed.unfinished];
  }
  cursor.unfinished = unfinished
    .sort((a, b) => b.id - a.id)
    .slice(0, MAX_UNFINISHED);

  const environments = await readEnvironments(ctx);
  const openGates = await readOpenGates(ctx);
  return {
    deployments,
    openGates,
    ...(environments ? { environments } : {}),
    cursor: serializeCursor(cursor),
  };
}
