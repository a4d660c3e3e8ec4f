import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ActionPermissions,
  EnvironmentsQuery,
  EnvironmentsResponse,
  TimelineResponse,
  deploymentsAbortPermission,
  deploymentsApprovePermission,
  deploymentsOverridePermission,
  deploymentsPromotePermission,
  deploymentsRollbackPermission,
} from '@stagecraft/plugin-deployments-common';
import type { DeploymentStore } from '../database/DeploymentStore';

const ACTION_PERMISSIONS = {
  promote: deploymentsPromotePermission,
  approve: deploymentsApprovePermission,
  rollback: deploymentsRollbackPermission,
  abort: deploymentsAbortPermission,
  override: deploymentsOverridePermission,
} as const;

/**
 * The caller's decisions for every deployment permission on one entity, in
 * one batch to the permission framework (conditional decisions are resolved
 * there, as for the actions themselves).
 */
export async function callerPermissions(
  permissions: PermissionsService,
  entityRef: string,
  credentials: BackstageCredentials,
): Promise<ActionPermissions> {
  const names = Object.keys(ACTION_PERMISSIONS) as Array<
    keyof ActionPermissions
  >;
  const decisions = await permissions.authorize(
    names.map(name => ({
      permission: ACTION_PERMISSIONS[name],
      resourceRef: entityRef,
    })),
    { credentials },
  );
  return Object.fromEntries(
    names.map((name, i) => [
      name,
      decisions[i]?.result === AuthorizeResult.ALLOW,
    ]),
  ) as unknown as ActionPermissions;
}

/**
 * Adds what `include` asks for to an environments answer, so that the tab
 * opens with one request instead of three: the caller's permissions and the
 * timeline's first page over the whole promotion path. The parts are read
 * side by side with the lanes and with the read of the entity's sources that
 * the lanes wait for (one round trip of the slowest, not the sum); the lanes
 * themselves are unchanged.
 */
export async function withIncludes(
  lanes: Promise<EnvironmentsResponse>,
  options: {
    entityRef: string;
    include: NonNullable<EnvironmentsQuery['include']>;
    timelineLimit: number;
    path: string[];
    /** Why there is nothing to show, when no provider knows the entity (known once its sources are read). */
    noSourceReason: Promise<string | undefined>;
    store: DeploymentStore;
    permissions: PermissionsService;
    credentials: BackstageCredentials;
  },
): Promise<EnvironmentsResponse> {
  const { include, entityRef, credentials } = options;
  const [answer, permissions, timeline] = await Promise.all([
    lanes,
    include.includes('permissions')
      ? callerPermissions(options.permissions, entityRef, credentials)
      : undefined,
    include.includes('timeline') ? firstTimelinePage(options) : undefined,
  ]);
  return {
    ...answer,
    ...(permissions ? { permissions } : {}),
    ...(timeline ? { timeline } : {}),
  };
}

async function firstTimelinePage(options: {
  entityRef: string;
  path: string[];
  timelineLimit: number;
  noSourceReason: Promise<string | undefined>;
  store: DeploymentStore;
}): Promise<TimelineResponse> {
  const { entityRef, path, store } = options;
  // Read while the entity's sources are read; an entity no provider knows
  // (rare: the tab is shown for entities that name a source) discards it.
  const [reason, page] = await Promise.all([
    options.noSourceReason,
    store.getTimeline(entityRef, {
      environments: path,
      limit: options.timelineLimit,
    }),
  ]);
  if (reason !== undefined) {
    return { entityRef, environments: path, rows: [], reason };
  }
  return { entityRef, environments: path, ...page };
}
