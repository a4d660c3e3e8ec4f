import { createBackendModule } from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  isPermission,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { deploymentsPermissions } from '@stagecraft/plugin-deployments-common';

/**
 * The portal's permission policy:
 * - everyone signed in may read (catalog and deployments);
 * - deployment actions (promote, approve, roll back, abort, override) are
 *   allowed to the owners of the entity, and only to users.
 */
export class StagecraftPermissionPolicy implements PermissionPolicy {
  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const isDeploymentAction = deploymentsPermissions.some(permission =>
      isPermission(request.permission, permission),
    );
    if (!isDeploymentAction) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (!user || !isResourcePermission(request.permission, 'catalog-entity')) {
      return { result: AuthorizeResult.DENY };
    }
    return createCatalogConditionalDecision(
      request.permission,
      catalogConditions.isEntityOwner({
        claims: user.info.ownershipEntityRefs ?? [],
      }),
    );
  }
}

export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'stagecraft-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy(new StagecraftPermissionPolicy());
      },
    });
  },
});
