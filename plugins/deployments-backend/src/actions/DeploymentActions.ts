import type {
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type { DeploymentStore } from '../database/DeploymentStore';
import type { DeploymentPolicies } from '../policy/PromotionPolicy';
import { abort, AbortInput } from './abort';
import type { ActionContext, ActionServices } from './ActionContext';
import { ActionRecorder } from './ActionRecorder';
import { decide, DecisionInput } from './decide';
import type { ActionOutcome } from './outcomes';
import { promote, PromoteInput } from './promote';

export type { ActionContext } from './ActionContext';
export { PORTAL_GATE_PREFIX, portalGateId } from './ActionContext';
export type { ActionOutcome } from './outcomes';
export type { AbortInput, DecisionInput, PromoteInput };

/**
 * The portal's actions on an entity's deployments. Each checks permission
 * and policy, drives the environment owner's provider, records its outcome
 * in the append-only audit log, and returns what happened (never an HTTP
 * status). A refusal writes only its audit entry.
 */
export class DeploymentActions {
  private readonly services: ActionServices;

  constructor(options: {
    store: DeploymentStore;
    permissions: PermissionsService;
    policies: DeploymentPolicies;
    logger: LoggerService;
  }) {
    this.services = {
      store: options.store,
      permissions: options.permissions,
      policies: options.policies,
      recorder: new ActionRecorder({
        store: options.store,
        logger: options.logger,
      }),
    };
  }

  /** Promotes a version into an environment, or rolls the environment back. */
  promote(
    ctx: ActionContext,
    action: 'promote' | 'rollback',
    input: PromoteInput,
  ): Promise<ActionOutcome> {
    return promote(this.services, ctx, action, input);
  }

  /** Approves or rejects a pending gate: Stagecraft's own request or a provider's gate. */
  decide(
    ctx: ActionContext,
    decision: 'approve' | 'reject',
    input: DecisionInput,
  ): Promise<ActionOutcome> {
    return decide(this.services, ctx, decision, input);
  }

  /** Stops an in-flight rollout, optionally rolling it back. */
  abort(ctx: ActionContext, input: AbortInput): Promise<ActionOutcome> {
    return abort(this.services, ctx, input);
  }
}
