import type {
  ActionResponse,
  PolicyCheck,
  PromotionRequest,
} from '@stagecraft/plugin-deployments-common';

/** What an action did: it ran, it waits for an approval, or a gate was decided. */
export interface ActionDone {
  /** `executed`: the provider carried it out; `held`: it waits for an approval; `decided`: a rejection or a provider gate's decision. */
  kind: 'executed' | 'held' | 'decided';
  response: ActionResponse;
}

/** What stopped an action, with the checks that were made. */
export interface ActionStopped {
  /**
   * `forbidden`: the caller lacks the permission; `refused`: a policy rule or
   * a provider's missing capability refused it; `conflict`: it collides with
   * another action; `provider-failed`: the provider could not carry it out.
   */
  kind: 'forbidden' | 'refused' | 'conflict' | 'provider-failed';
  message: string;
  checks: PolicyCheck[];
  /** The request as it ended, when one was recorded (e.g. failed). */
  promotionRequest?: PromotionRequest;
}

/**
 * What an action led to, in domain terms (the HTTP edge picks the status).
 * Stored as the reply of its Idempotency-Key, so a replay answers alike.
 */
export type ActionOutcome = ActionDone | ActionStopped;

export function isDone(outcome: ActionOutcome): outcome is ActionDone {
  return 'response' in outcome;
}

/** A permission check as users see it. */
export function permissionCheck(
  name: string,
  passed: boolean,
  message?: string,
): PolicyCheck {
  return {
    rule: 'permission',
    passed,
    message: message ?? `${name} is allowed`,
  };
}
