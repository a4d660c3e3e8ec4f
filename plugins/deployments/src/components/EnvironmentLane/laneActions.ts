import type {
  Capability,
  Deployment,
  EnvironmentSummary,
  PendingGate,
} from '@stagecraft/plugin-deployments-common';
import { isSameUser } from '../../hooks/useCurrentUser';
import type { PermissionState } from '../../hooks/useDeploymentPermissions';
import { versionLabel } from '../../format/version';

/** Whether an action can be taken now, and if not, the reason to show. */
export interface ActionAvailability {
  enabled: boolean;
  reason?: string;
}

const ENABLED: ActionAvailability = { enabled: true };
const disabled = (reason: string): ActionAvailability => ({
  enabled: false,
  reason,
});

const RUNNING_STATES = ['queued', 'in_progress'];

function deploymentRunning(environment: EnvironmentSummary): boolean {
  return Boolean(rolloutInFlight(environment));
}

/** The deployment still rolling out into the environment, if any. */
export function rolloutInFlight(
  environment: EnvironmentSummary,
): Deployment | undefined {
  const latest = environment.latest;
  return latest && RUNNING_STATES.includes(latest.state) ? latest : undefined;
}

/**
 * Why nothing else can start in the environment: a deployment that a gate
 * holds is waiting, not "in progress" (providers report it as queued).
 */
function busyReason(environment: EnvironmentSummary): string {
  const latest = environment.latest!;
  const gated = environment.pendingGates.some(
    gate => gate.version.sha === latest.version.sha,
  );
  return gated
    ? `${versionLabel(latest.version)} is waiting for approval in ${
        environment.name
      }`
    : `A deployment to ${environment.name} is in progress`;
}

/**
 * Promote the version running in `source` into `target`. The backend applies
 * the same rules; checking here lets the button say why before anyone clicks.
 */
export function promoteAvailability(
  source: EnvironmentSummary,
  target: EnvironmentSummary,
): ActionAvailability {
  const version = source.current?.version;
  if (!version) {
    return disabled(
      `Nothing to promote: ${source.name} has no successful deployment`,
    );
  }
  const label = versionLabel(version);
  if (target.current?.version.sha === version.sha) {
    return disabled(`Nothing to promote: ${target.name} already runs ${label}`);
  }
  if (target.pendingGates.some(gate => gate.version.sha === version.sha)) {
    return disabled(
      `${label} is already waiting for approval in ${target.name}`,
    );
  }
  if (deploymentRunning(target)) return disabled(busyReason(target));
  return ENABLED;
}

/** Approve a pending gate: never the requester's own (no self-approval). */
export function approveAvailability(
  gate: PendingGate,
  userEntityRef: string | undefined,
): ActionAvailability {
  if (isSameUser(gate.requestedBy, userEntityRef)) {
    return disabled(
      'You requested this promotion; another person has to approve it',
    );
  }
  return ENABLED;
}

/** Roll an environment back to an earlier successful version. */
export function rollbackAvailability(
  environment: EnvironmentSummary,
): ActionAvailability {
  if (!environment.current) {
    return disabled(
      `Nothing to roll back: ${environment.name} has no successful deployment`,
    );
  }
  if (deploymentRunning(environment)) return disabled(busyReason(environment));
  return ENABLED;
}

/**
 * Combines the permission answer with the policy answer. The permission
 * reason comes first: it is the one the user cannot change by waiting.
 */
export function withPermission(
  permission: PermissionState,
  verb: string,
  policy: ActionAvailability,
): ActionAvailability {
  if (permission.loading) return disabled('Checking your permissions…');
  if (!permission.allowed) {
    return disabled(`You do not have permission to ${verb} this service`);
  }
  return policy;
}

/**
 * Combines what the environment's provider can do with the policy answer.
 * A missing capability comes before the policy reason: waiting will not
 * change it. Backends that predate capabilities send none; then the policy
 * answer stands and the backend's refusal, if any, explains.
 */
export function withCapability(
  capability: Capability | undefined,
  environment: EnvironmentSummary,
  verb: string,
  policy: ActionAvailability,
): ActionAvailability {
  if (!capability || capability.available) return policy;
  return disabled(
    capability.reason ??
      `${environment.provider ?? 'The provider'} cannot ${verb} ${
        environment.name
      }`,
  );
}

/** The review capability matters for a provider's own gates only; Stagecraft decides its own requests. */
export function reviewCapability(
  environment: EnvironmentSummary,
  gate: PendingGate,
): Capability | undefined {
  return gate.kind === 'provider'
    ? environment.capabilities?.review
    : undefined;
}

/** Stop a rollout in flight: only where the client can send the request at all. */
export function abortAvailability(clientCanAbort: boolean): ActionAvailability {
  return clientCanAbort
    ? ENABLED
    : disabled('Aborting a rollout is not available in this backend');
}
