import { usePermission } from '@backstage/plugin-permission-react';
import {
  type ActionPermissions,
  deploymentsAbortPermission,
  deploymentsApprovePermission,
  deploymentsOverridePermission,
  deploymentsPromotePermission,
  deploymentsRollbackPermission,
} from '@stagecraft/plugin-deployments-common';

export interface PermissionState {
  loading: boolean;
  allowed: boolean;
}

export interface DeploymentPermissions {
  promote: PermissionState;
  approve: PermissionState;
  rollback: PermissionState;
  /** Stopping a rollout in flight: its own permission, `deployments.abort`. */
  abort: PermissionState;
  override: PermissionState;
}

/**
 * What the signed-in user may do on one entity's deployments. The answer only
 * shapes the UI (buttons disabled with the reason); the backend checks again.
 */
export function useDeploymentPermissions(
  entityRef: string,
): DeploymentPermissions {
  const promote = usePermission({
    permission: deploymentsPromotePermission,
    resourceRef: entityRef,
  });
  const approve = usePermission({
    permission: deploymentsApprovePermission,
    resourceRef: entityRef,
  });
  const rollback = usePermission({
    permission: deploymentsRollbackPermission,
    resourceRef: entityRef,
  });
  const abort = usePermission({
    permission: deploymentsAbortPermission,
    resourceRef: entityRef,
  });
  const override = usePermission({
    permission: deploymentsOverridePermission,
    resourceRef: entityRef,
  });
  return { promote, approve, rollback, abort, override };
}

/**
 * The same shape from the decisions the environments route carried
 * (`include=permissions`), so the lanes need no requests of their own.
 */
export function permissionsFrom(
  answer: ActionPermissions,
): DeploymentPermissions {
  const state = (allowed: boolean): PermissionState => ({
    loading: false,
    allowed,
  });
  return {
    promote: state(answer.promote),
    approve: state(answer.approve),
    rollback: state(answer.rollback),
    abort: state(answer.abort),
    override: state(answer.override),
  };
}
