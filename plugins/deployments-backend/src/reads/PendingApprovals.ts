import type {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  deploymentsApprovePermission,
  type PendingGate,
} from '@stagecraft/plugin-deployments-common';
import type { DeploymentStore } from '../database/DeploymentStore';
import { isSamePerson } from '../policy/PromotionPolicy';
import { publicGate, requestAsGate } from './EnvironmentLanes';

/**
 * The pending gates the caller may decide, across all entities: the caller
 * must see the entity in the catalog, hold deployments.approve on it, and not
 * be the one who asked for the deployment.
 */
export async function approvableGates(options: {
  store: DeploymentStore;
  catalog: CatalogService;
  permissions: PermissionsService;
  credentials: BackstageCredentials;
  actor: string;
}): Promise<PendingGate[]> {
  const { store, catalog, permissions, credentials, actor } = options;
  const [providerGates, requests] = await Promise.all([
    store.listOpenGates(),
    store.listPendingRequests(),
  ]);
  const gates = [
    ...providerGates.map(publicGate),
    ...requests.map(requestAsGate),
  ].filter(gate => !gate.requestedBy || !isSamePerson(actor, gate.requestedBy));
  if (gates.length === 0) {
    return [];
  }

  const entityRefs = [...new Set(gates.map(gate => gate.entityRef))];
  const { items } = await catalog.getEntitiesByRefs(
    { entityRefs, fields: ['kind', 'metadata.namespace', 'metadata.name'] },
    { credentials },
  );
  const visible = entityRefs.filter((_, index) => items[index]);
  // One batched call for every entity, not one per gate.
  const decisions = visible.length
    ? await permissions.authorize(
        visible.map(resourceRef => ({
          permission: deploymentsApprovePermission,
          resourceRef,
        })),
        { credentials },
      )
    : [];
  const allowed = new Set(
    visible.filter(
      (_, index) => decisions[index]?.result === AuthorizeResult.ALLOW,
    ),
  );
  return gates
    .filter(gate => allowed.has(gate.entityRef))
    .sort((a, b) => a.since.localeCompare(b.since));
}
