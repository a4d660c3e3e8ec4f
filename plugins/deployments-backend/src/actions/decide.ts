import { hasCapability } from '@stagecraft/plugin-deployments-node';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  PolicyCheck,
  PromotionRequest,
  deploymentsApprovePermission,
  deploymentsOverridePermission,
} from '@stagecraft/plugin-deployments-common';
import type { StoredGate } from '../database/DeploymentStore';
import { splitProviderId } from '../database/providerId';
import { checkDecision, refusedChecks } from '../policy/PromotionPolicy';
import { evaluateFreeze } from '../policy/freeze/FreezeCalendar';
import { decisionGate, releaseChanges } from '../evidence/releaseEvidence';
import {
  ActionContext,
  ActionServices,
  PORTAL_GATE_PREFIX,
} from './ActionContext';
import type { AuditFields } from './ActionRecorder';
import { execute } from './execute';
import {
  ActionOutcome,
  ActionStopped,
  isDone,
  permissionCheck,
} from './outcomes';
import { isPermitted } from './requirePermission';

export interface DecisionInput {
  gateId: string;
  comment: string;
  /** Given with `deployments.override` to approve into a frozen environment. */
  overrideReason?: string;
}

type Decision = 'approve' | 'reject';

/**
 * Approves or rejects a pending gate: Stagecraft's own request (approving
 * runs it through the provider) or a provider's gate (decided through the
 * provider's review). Each gate is decided once.
 */
export async function decide(
  services: ActionServices,
  ctx: ActionContext,
  decision: Decision,
  input: DecisionInput,
): Promise<ActionOutcome> {
  if (input.gateId.startsWith(PORTAL_GATE_PREFIX)) {
    return decideRequest(services, ctx, decision, input);
  }
  return decideProviderGate(services, ctx, decision, input);
}

async function decideRequest(
  services: ActionServices,
  ctx: ActionContext,
  decision: Decision,
  input: DecisionInput,
): Promise<ActionOutcome> {
  const { store, recorder } = services;
  const requestId = input.gateId.slice(PORTAL_GATE_PREFIX.length);
  const request = await store.getRequest(requestId);
  if (!request || request.entityRef !== ctx.entityRef) {
    throw new NotFoundError(
      `gateId '${input.gateId}' is not a gate of ${ctx.entityRef}`,
    );
  }
  const audited = {
    action: decision,
    environment: request.environment,
    version: request.version,
    comment: input.comment,
    requestId: request.id,
  };
  if (request.state !== 'pending') {
    return recorder.refuseConflict(
      ctx,
      audited,
      [],
      'decided-once',
      new ConflictError(
        `gateId '${input.gateId}' was already decided: the request is ${
          request.state
        }${request.decidedBy ? ` (by ${request.decidedBy})` : ''}`,
      ),
    );
  }
  const verdict = await checkDecisionRules(
    services,
    ctx,
    decision,
    input,
    request.requestedBy,
    audited,
  );
  if ('refusal' in verdict) {
    return verdict.refusal;
  }
  const { checks, note } = verdict;

  return decideOnce(services, ctx, audited, checks, input.gateId, async () => {
    const decided = await store.updateRequest(request.id, {
      state: decision === 'approve' ? 'approved' : 'rejected',
      decidedBy: ctx.actor,
      decidedAt: new Date().toISOString(),
      decisionComment: input.comment,
    });
    await recorder.audit(
      ctx,
      {
        ...audited,
        outcome: decision === 'approve' ? 'approved' : 'rejected',
        detail: note,
      },
      {
        action: decision,
        environment: request.environment,
        version: request.version,
        checks,
        gate: decisionGate({
          gate: { kind: 'portal', request: decided },
          decision,
          actor: ctx.actor,
          decidedAt: decided.decidedAt ?? new Date().toISOString(),
          comment: input.comment,
        }),
        // What the approval lets ship, or the rejection refused.
        changes: await releaseChanges({
          store,
          ctx,
          environment: request.environment,
          version: request.version,
        }),
      },
    );
    if (decision === 'reject') {
      return { kind: 'decided', response: { request: decided, checks } };
    }
    return execute(services, ctx, decided, checks, note);
  });
}

async function decideProviderGate(
  services: ActionServices,
  ctx: ActionContext,
  decision: Decision,
  input: DecisionInput,
): Promise<ActionOutcome> {
  const { store, recorder } = services;
  const gate = await store.getGate(ctx.entityRef, input.gateId);
  if (!gate || gate.entityRef !== ctx.entityRef) {
    throw new NotFoundError(
      `gateId '${input.gateId}' is not an open gate of ${ctx.entityRef}`,
    );
  }
  const source = ctx.sources.source(gate.provider, gate.targetKey);
  if (!source) {
    throw new ConflictError(
      `gateId '${input.gateId}' belongs to provider '${gate.provider}', which is not installed or does not handle ${ctx.entityRef}`,
    );
  }
  const { provider, target } = source;
  const audited = {
    action: decision,
    environment: gate.environment,
    version: gate.version,
    comment: input.comment,
  };
  const review = hasCapability(provider, 'review', target)
    ? provider.review?.bind(provider)
    : undefined;
  if (!review) {
    return recorder.refuse(ctx, audited, [
      {
        rule: 'provider-capability',
        passed: false,
        message: `${provider.id} cannot decide its gates from the portal (the provider has no review capability); decide it in ${provider.id}`,
      },
    ]);
  }
  const verdict = await checkDecisionRules(
    services,
    ctx,
    decision,
    input,
    gate.requestedBy,
    audited,
  );
  if ('refusal' in verdict) {
    return verdict.refusal;
  }
  const { checks, note } = verdict;

  return decideOnce(services, ctx, audited, checks, gate.id, async () => {
    const decidedAt = new Date().toISOString();
    let identity: string;
    try {
      const result = await review({
        entity: ctx.entity,
        target,
        gate,
        decision,
        comment: input.comment,
        actor: ctx.actor,
        userToken: ctx.userToken,
      });
      identity = result.identity;
    } catch (error) {
      const message = recorder.providerMessage(ctx, provider, error);
      await recorder.audit(ctx, {
        ...audited,
        outcome: 'failed',
        detail: message,
      });
      return { kind: 'provider-failed', message, checks };
    }
    await store.closeGates(ctx.entityRef, gate.provider, [
      providerGateIdOf(gate),
    ]);
    await recorder.audit(
      ctx,
      {
        ...audited,
        outcome: decision === 'approve' ? 'approved' : 'rejected',
        providerIdentity: identity,
        detail: note,
      },
      {
        action: decision,
        environment: gate.environment,
        version: gate.version,
        checks,
        gate: decisionGate({
          gate: { kind: 'provider', gate },
          decision,
          actor: ctx.actor,
          decidedAt,
          comment: input.comment,
        }),
        changes: await releaseChanges({
          store,
          ctx,
          environment: gate.environment,
          version: gate.version,
        }),
      },
    );
    return {
      kind: 'decided',
      response: {
        request: gateDecisionAsRequest(gate, ctx.actor, decision, {
          decidedAt,
          comment: input.comment,
        }),
        checks,
      },
    };
  });
}

/** The approve permission, then the decision rules (no self-approval, a comment). */
async function checkDecisionRules(
  services: ActionServices,
  ctx: ActionContext,
  decision: Decision,
  input: DecisionInput,
  requestedBy: string | undefined,
  audited: AuditFields,
): Promise<
  { refusal: ActionStopped } | { checks: PolicyCheck[]; note?: string }
> {
  const { permissions, recorder } = services;
  const permission = deploymentsApprovePermission;
  if (!(await isPermitted(permissions, ctx, permission))) {
    return {
      refusal: await recorder.refusePermission(ctx, permission, audited),
    };
  }
  const checks = [
    permissionCheck(permission.name, true),
    ...checkDecision({
      decision,
      actor: ctx.actor,
      requestedBy,
      comment: input.comment,
    }),
  ];
  // Approving lets the deployment into its environment; rejecting never is frozen.
  const freeze =
    decision === 'approve'
      ? await evaluateFreeze({
          calendar: services.policies.freezes,
          entity: ctx.entity,
          environment: audited.environment,
          actor: ctx.actor,
          overrideReason: input.overrideReason,
          mayOverride: () =>
            isPermitted(permissions, ctx, deploymentsOverridePermission),
        })
      : undefined;
  if (freeze) checks.push(freeze.check);
  if (refusedChecks(checks).length > 0) {
    return { refusal: await recorder.refuse(ctx, audited, checks) };
  }
  return { checks, note: freeze?.note };
}

/** One decision per gate, even when two reviewers click at once (on any replica). */
async function decideOnce(
  { store, recorder }: ActionServices,
  ctx: ActionContext,
  audited: AuditFields,
  checks: PolicyCheck[],
  gateId: string,
  decideGate: () => Promise<ActionOutcome>,
): Promise<ActionOutcome> {
  const scope = 'gate-decision';
  const claim = await store.claimIdempotencyKey(scope, gateId, gateId);
  if (claim.status !== 'new') {
    return recorder.refuseConflict(
      ctx,
      audited,
      checks,
      'decided-once',
      new ConflictError(
        `gateId '${gateId}' is being decided or was decided by someone else`,
      ),
    );
  }
  let outcome: ActionOutcome;
  try {
    outcome = await decideGate();
  } catch (error) {
    await store.releaseIdempotencyKey(scope, gateId);
    throw error;
  }
  if (isDone(outcome)) {
    // The key only marks the gate as decided; nothing replays it.
    await store.completeIdempotencyKey(scope, gateId, 0, {
      kind: outcome.kind,
    });
  } else {
    // The provider did not take the decision: another reviewer may try.
    await store.releaseIdempotencyKey(scope, gateId);
  }
  return outcome;
}

function providerGateIdOf(gate: StoredGate): string {
  const split = splitProviderId(gate.id);
  return split && split.provider === gate.provider ? split.providerId : gate.id;
}

/** A provider gate decision in the shape of a request, so every action answers alike. */
function gateDecisionAsRequest(
  gate: StoredGate,
  actor: string,
  decision: Decision,
  options: { decidedAt: string; comment: string },
): PromotionRequest {
  return {
    id: gate.id,
    entityRef: gate.entityRef,
    action: decision,
    environment: gate.environment,
    version: gate.version,
    state: decision === 'approve' ? 'approved' : 'rejected',
    requestedBy: gate.requestedBy ?? 'unknown',
    requestedAt: gate.since,
    decidedBy: actor,
    decidedAt: options.decidedAt,
    decisionComment: options.comment,
  };
}
