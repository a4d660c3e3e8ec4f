import { hasCapability } from '@stagecraft/plugin-deployments-node';
import type {
  PolicyCheck,
  PromotionRequest,
} from '@stagecraft/plugin-deployments-common';
import { ActionContext, ActionServices, portalGateId } from './ActionContext';
import type { ActionOutcome } from './outcomes';

/**
 * Runs an approved promotion or roll back through the provider that owns its
 * environment, and records how it ended. The request never stays approved:
 * that would block the environment for good.
 */
export async function execute(
  services: ActionServices,
  ctx: ActionContext,
  request: PromotionRequest,
  checks: PolicyCheck[],
  note?: string,
): Promise<ActionOutcome> {
  const { store, recorder } = services;
  const audited = {
    action: request.action,
    environment: request.environment,
    version: request.version,
    comment: request.comment,
    requestId: request.id,
  };
  const found = ctx.sources.deployerFor(request.environment);
  const canPromote =
    'source' in found &&
    hasCapability(found.source.provider, 'promote', found.source.target);
  const promote =
    canPromote && 'source' in found
      ? found.source.provider.promote?.bind(found.source.provider)
      : undefined;
  if (!('source' in found) || !promote) {
    // The owner changed, or lost the capability, while the request waited.
    const message =
      'problem' in found
        ? found.problem
        : `${found.source.provider.id} cannot deploy into ${request.environment}`;
    const failed = await store.updateRequest(request.id, {
      state: 'failed',
      error: message,
    });
    await recorder.audit(ctx, {
      ...audited,
      outcome: 'failed',
      detail: message,
    });
    return {
      kind: 'refused',
      message,
      checks: [
        ...checks,
        {
          rule: 'problem' in found ? found.rule : 'provider-capability',
          passed: false,
          message,
        },
      ],
      promotionRequest: failed,
    };
  }
  const { provider, target } = found.source;
  try {
    const result = await promote({
      entity: ctx.entity,
      target,
      environment: request.environment,
      version: request.version,
      kind: request.action === 'rollback' ? 'rollback' : 'promote',
      requestedBy: request.requestedBy,
      comment: request.comment,
      // One id per request, so a provider retry never deploys twice.
      idempotencyKey: portalGateId(request.id),
    });
    const executed = await store.updateRequest(request.id, {
      state: 'executed',
      providerReference: result.reference,
    });
    await recorder.audit(ctx, {
      ...audited,
      outcome: 'executed',
      providerIdentity: result.identity,
      detail: note,
    });
    return { kind: 'executed', response: { request: executed, checks } };
  } catch (error) {
    const message = recorder.providerMessage(ctx, provider, error);
    const failed = await store.updateRequest(request.id, {
      state: 'failed',
      error: message,
    });
    await recorder.audit(ctx, {
      ...audited,
      outcome: 'failed',
      detail: message,
    });
    return {
      kind: 'provider-failed',
      message,
      checks,
      promotionRequest: failed,
    };
  }
}
