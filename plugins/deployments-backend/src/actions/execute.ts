import type {
  PolicyCheck,
  PromotionRequest,
} from '@stagecraft/plugin-deployments-common';
import type { EvidenceDraft } from '../evidence/releaseEvidence';
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
  /** The release evidence to record with how it ended (a promotion run at once). */
  evidence?: EvidenceDraft,
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
  if ('problem' in found) {
    // The owner changed, or lost the capability, while the request waited.
    const failed = await recorder.failRequest(
      ctx,
      audited,
      found.problem,
      found.problem,
      evidence,
    );
    return {
      kind: 'refused',
      message: found.problem,
      checks: [
        ...checks,
        { rule: found.rule, passed: false, message: found.problem },
      ],
      promotionRequest: failed,
    };
  }
  const { provider, target } = found.source;
  try {
    // deployerFor only names a source that can promote.
    const result = await provider.promote!({
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
    if (request.action === 'rollback') {
      // The deployment running now is the one rolled back: its cell and the
      // lane say by whom and why, whatever the provider reports of it later.
      await store.markRolledBack(ctx.entityRef, request.environment, {
        automatic: false,
        by: request.requestedBy,
        ...(request.comment ? { reason: request.comment } : {}),
        restoredVersion: request.version,
      });
    }
    await recorder.audit(
      ctx,
      {
        ...audited,
        outcome: 'executed',
        providerIdentity: result.identity,
        detail: note,
      },
      evidence,
    );
    return { kind: 'executed', response: { request: executed, checks } };
  } catch (error) {
    const message = recorder.providerMessage(ctx, provider, error);
    return {
      kind: 'provider-failed',
      message,
      checks,
      promotionRequest: await recorder.failRequest(
        ctx,
        audited,
        message,
        message,
        evidence,
      ),
    };
  }
}
