import type { Entity } from '@backstage/catalog-model';
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
import { environmentFreezeOf } from '../policy/freeze/FreezeCalendar';
import { environmentDeploymentWindows } from '../policy/freeze/providerWindows';
import { portalGateId } from '../actions/DeploymentActions';
import type { EntitySourceSet } from '../sources/EntitySources';

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
 * what runs, what was tried last, which gates wait, who deploys there and
 * what that provider can do, the traffic, and how far each lane trails the
 * one before it.
 */
export async function environmentLanes(options: {
  store: DeploymentStore;
  entityRef: string;
  path: string[];
  policies: DeploymentPolicies;
  sources: EntitySourceSet;
  /** The entity itself: freeze windows cover it by system, owner or annotation. */
  entity?: Entity;
}): Promise<EnvironmentsResponse> {
  const { store, entityRef, path, policies, sources, entity } = options;
  const now = policies.freezes?.now();
  const changeSource = sources.changeSource();
  const changeSourceId =
    'source' in changeSource ? changeSource.source.provider.id : undefined;
  // The whole page in one store read (two round trips): the lanes' states,
  // the change source's cached diffs between neighbouring lanes, gates,
  // requests, sync status, protection, traffic and provider windows.
  const {
    states,
    cachedAheadBy,
    openGates,
    pendingRequests,
    sync,
    protection,
    traffic,
    providerWindows,
  } = await store.getEnvironmentPage(entityRef, path, {
    changeSource: changeSourceId,
  });
  const behindPrevious = path.map((name, position) =>
    behind(
      states[name] ?? {},
      position > 0 ? states[path[position - 1]] : undefined,
      changeSourceId ? cachedAheadBy[position] : undefined,
    ),
  );
  const portalGates = pendingRequests.map(requestAsGate);

  const environments: EnvironmentSummary[] = [];
  for (const [position, name] of path.entries()) {
    const state: EnvironmentState = states[name] ?? {};
    const owner = sources.ownerOf(name);
    const providerGated = isProviderGated({
      environment: name,
      owner: owner.provider,
      openGates,
      protection,
    });
    const deploymentWindows = environmentDeploymentWindows({
      entityRef,
      stored: providerWindows,
      environment: name,
      now: now ?? new Date(),
    });
    const frozen =
      entity && policies.freezes
        ? policies.freezes.verdict(entity, name, now).state
        : undefined;
    environments.push({
      name,
      position,
      current: state.current,
      latest: state.latest,
      ...(state.rolledBackBeforeCurrent
        ? { rolledBack: state.rolledBackBeforeCurrent }
        : {}),
      pendingGates: [
        ...openGates.filter(gate => gate.environment === name).map(publicGate),
        ...portalGates.filter(gate => gate.environment === name),
      ],
      requiresApproval:
        providerGated || policies.approvalRequired.includes(name),
      behindPrevious: behindPrevious[position],
      ...(owner.provider && !owner.problem ? { provider: owner.provider } : {}),
      ownership: {
        ...(owner.declaredBy ? { declaredBy: owner.declaredBy } : {}),
        ...(owner.problem ? { problem: owner.problem } : {}),
      },
      capabilities: sources.capabilities(name),
      ...(traffic[name] ? { traffic: traffic[name] } : {}),
      ...(frozen ? { freeze: environmentFreezeOf(frozen) } : {}),
      ...(deploymentWindows.length > 0 ? { deploymentWindows } : {}),
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

/**
 * How far a lane trails the one before it: whole days between the two
 * deployments, and commits from a diff someone already asked for of the
 * entity's change source (`cached`: the lanes never call a provider).
 */
function behind(
  state: EnvironmentState,
  previous: EnvironmentState | undefined,
  cached: { aheadBy?: number } | undefined,
): EnvironmentSummary['behindPrevious'] {
  const here = state.current;
  const ahead = previous?.current;
  if (!here || !ahead) {
    return undefined;
  }
  if (here.version.sha === ahead.version.sha) {
    return { commits: 0, days: 0 };
  }
  // Whole days between the two deployments; under a day says nothing, so it
  // is left out rather than shown as "0 days" for a real difference.
  const wholeDays = Math.floor(
    (Date.parse(ahead.createdAt) - Date.parse(here.createdAt)) / DAY_MS,
  );
  const days = wholeDays >= 1 ? wholeDays : undefined;
  if (here.version.commitUnknown || ahead.version.commitUnknown) {
    return days === undefined ? {} : { days };
  }
  return {
    ...(cached ? { commits: cached.aheadBy } : {}),
    ...(days !== undefined ? { days } : {}),
  };
}
