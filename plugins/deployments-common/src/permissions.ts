import { createPermission } from '@backstage/plugin-permission-common';
import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';

/**
 * Permissions of the deployments plugin. All are resource permissions on the
 * catalog entity, so a policy can decide with the catalog's own rules
 * (for example "only the owners of the entity").
 */

/**
 * Promote a version into an environment (or ask for it, where approval is required).
 *
 * @public
 */
export const deploymentsPromotePermission = createPermission({
  name: 'deployments.promote',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Approve or reject a pending deployment gate.
 *
 * @public
 */
export const deploymentsApprovePermission = createPermission({
  name: 'deployments.approve',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Roll an environment back to its previous successful version.
 *
 * @public
 */
export const deploymentsRollbackPermission = createPermission({
  name: 'deployments.rollback',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Stop a rollout that is still in flight (optionally putting the previous
 * version back). Its own permission: stopping a canary mid-way is a different
 * decision from rolling back a finished deployment.
 *
 * @public
 */
export const deploymentsAbortPermission = createPermission({
  name: 'deployments.abort',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Skip the promotion order rule, with a reason that is audited.
 *
 * @public
 */
export const deploymentsOverridePermission = createPermission({
  name: 'deployments.override',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** @public */
export const deploymentsPermissions = [
  deploymentsPromotePermission,
  deploymentsApprovePermission,
  deploymentsRollbackPermission,
  deploymentsOverridePermission,
  deploymentsAbortPermission,
];
