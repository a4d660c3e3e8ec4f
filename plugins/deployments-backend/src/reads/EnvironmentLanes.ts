import type {
  EnvironmentSummary,
  EnvironmentsResponse,
  PendingGate,
  PromotionRequest,
} from '@stagecraft/plugin-deployments-common';
import type {
  DeploymentStore,
  EnvironmentState,
} from '../database/DeploymentStore';
import { DeploymentPolicies, isProviderGated } from '../policy/PromotionPolicy';
import { portalGateId } from '../actions/DeploymentActions';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Stagecraft's own pending request, shown like any other gate. */
export function requestAsGate(request: PromotionRequest): PendingGate {
  return {
    id: portalGateId(request.id),
    kind: 'portal',
    provider: 'stagecraft',
    entityRef: request.entityRef,
    environment: request.environment,
    version: request.version,
    // Anyone allowed deployments.approve on the entity, except the requester.
    reviewers: [],
    since: request.requestedAt,
    requestedBy: request.requestedBy,
  };
}

/**
 * The environment lanes of an entity in promotion order, all from the store:
 * what runs, what was tried last, which gates wait, and how far each lane
 * trails the one before it.
 */
export async function environmentLanes(options: {
  store: DeploymentStore;
  entityRef: string;
  path: string[];
  policies: DeploymentPolicies;
}): Promise<EnvironmentsResponse> {
  const { store, entityRef, path, policies } = options;
  const [states, openGates, pendingRequests, sync] = await Promise.all([
    store.getEnvironmentStates(entityRef, path),
    store.listOpenGates(entityRef),
    store.listPendingRequests(entityRef),
    store.listSyncStatus(entityRef),
  ]);
  const portalGates = pendingRequests.map(requestAsGate);

  const environments: EnvironmentSummary[] = [];
  for (const [position, name] of path.entries()) {
    const state: EnvironmentState = states[name] ?? {};
    const providerGated = isProviderGated({
      environment: name,
      openGates,
      recentDeployments: [state.latest, state.current],
    });
    const previous = position > 0 ? states[path[position - 1]] : undefined;
    environments.push({
      name,
      position,
      current: state.current,
      latest: state.latest,
      pendingGates: [
        ...openGates.filter(gate => gate.environment === name).map(publicGate),
        ...portalGates.filter(gate => gate.environment === name),
      ],
      requiresApproval:
        providerGated || policies.approvalRequired.includes(name),
      behindPrevious: await behind(store, entityRef, state, previous),
    });
  }
  return { entityRef, environments, sync };
}

/** Gates as the API shows them: what the provider needs later stays inside. */
export function publicGate(
  gate: PendingGate & { details?: unknown },
): PendingGate {
  const { details: _details, ...shown } = gate;
  return shown;
}

async function behind(
  store: DeploymentStore,
  entityRef: string,
  state: EnvironmentState,
  previous: EnvironmentState | undefined,
): Promise<EnvironmentSummary['behindPrevious']> {
  const here = state.current;
  const ahead = previous?.current;
  if (!here || !ahead) {
    return undefined;
  }
  if (here.version.sha === ahead.version.sha) {
    return { commits: 0, days: 0 };
  }
  const days = Math.max(
    0,
    Math.floor(
      (Date.parse(ahead.createdAt) - Date.parse(here.createdAt)) / DAY_MS,
    ),
  );
  // Commit counts come from a diff someone already asked for; the lanes
  // never call a provider.
  const cached = await store.getCachedDiff(
    entityRef,
    ahead.provider,
    here.version.sha,
    ahead.version.sha,
  );
  return cached ? { commits: cached.aheadBy, days } : { days };
}
