import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, isError } from '@backstage/errors';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';

/**
 * Authorizes one permission on one catalog entity for the caller, or throws
 * `NotAllowedError` naming both.
 */
export async function requirePermission(options: {
  permissions: PermissionsService;
  permission: ResourcePermission<'catalog-entity'>;
  entityRef: string;
  credentials: BackstageCredentials;
}): Promise<void> {
  const { permissions, permission, entityRef, credentials } = options;
  const [decision] = await permissions.authorize(
    [{ permission, resourceRef: entityRef }],
    { credentials },
  );
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(
      `${permission.name} is not allowed on ${entityRef}`,
    );
  }
}

/**
 * {@link requirePermission} as a yes or no, for the caller of an action on
 * its entity: actions record a refusal instead of throwing.
 */
export async function isPermitted(
  permissions: PermissionsService,
  caller: { entityRef: string; credentials: BackstageCredentials },
  permission: ResourcePermission<'catalog-entity'>,
): Promise<boolean> {
  try {
    await requirePermission({
      permissions,
      permission,
      entityRef: caller.entityRef,
      credentials: caller.credentials,
    });
    return true;
  } catch (error) {
    if (isError(error) && error.name === NotAllowedError.name) {
      return false;
    }
    throw error;
  }
}
