import {
  BackstageCredentials,
  PermissionsService,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  Permission,
} from '@backstage/plugin-permission-common';
import { deploymentsPermissions } from '@stagecraft/plugin-deployments-common';

/**
 * A permissions service that reaches the decision the portal's policy
 * (permissionPolicy.ts, tested on its own) reaches for the given owners:
 * a deployment action is allowed to a user only on the entities listed for
 * them; everything else (reading the catalog) is allowed. The real
 * permission backend cannot accept startTestBackend's mocked user
 * credentials, so full-system tests use this in its place.
 */
export function deploymentActionsAllowedOn(owners: Record<string, string[]>) {
  return createServiceFactory({
    service: coreServices.permissions,
    deps: { auth: coreServices.auth },
    factory({ auth }): PermissionsService {
      const decide = (
        permission: Permission,
        credentials: BackstageCredentials,
        resourceRef: string | undefined,
      ) => {
        const isDeploymentAction = deploymentsPermissions.some(
          action => action.name === permission.name,
        );
        const allowed =
          !isDeploymentAction ||
          (auth.isPrincipal(credentials, 'user') &&
            resourceRef !== undefined &&
            (owners[credentials.principal.userEntityRef] ?? []).includes(
              resourceRef,
            ));
        return {
          result: allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
        } as const;
      };
      return {
        async authorize(requests, { credentials }) {
          return requests.map(r =>
            decide(
              r.permission,
              credentials,
              'resourceRef' in r ? r.resourceRef : undefined,
            ),
          );
        },
        async authorizeConditional(requests, { credentials }) {
          return requests.map(r =>
            decide(r.permission, credentials, undefined),
          );
        },
      };
    },
  });
}
