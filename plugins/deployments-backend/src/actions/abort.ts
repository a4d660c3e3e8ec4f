import { hasCapability } from '@stagecraft/plugin-deployments-node';
import { ConflictError, NotFoundError, isError } from '@backstage/errors';
import {
  Deployment,
  DeploymentState,
  PolicyCheck,
  PromotionRequest,
  deploymentsAbortPermission,
} from '@stagecraft/plugin-deployments-common';
import { refusedChecks } from '../policy/PromotionPolicy';
import type { EntitySourceSet } from '../sources/EntitySources';
import {
  ActionContext,
  ActionServices,
  portalGateId,
  positionOnPath,
} from './ActionContext';
import { ActionOutcome, permissionCheck } from './outcomes';
import { isPermitted } from './requirePermission';

export interface AbortInput {
  environment: string;
  /** Stagecraft's id of the deployment: `<provider>:<provider deployment id>`. */
  deploymentId: string;
  /** Ask the provider to put the previous version back. */
  rollback: boolean;
  comment?: string;
}

/** Latest states of a rollout that can still be stopped. */
export const IN_FLIGHT_STATES: readonly DeploymentState[] = [
  'queued',
  'in_progress',
  'waiting',
];

/**
 * Whether a deployment can be aborted from the portal: it runs in the
 * environment asked about, is still in flight, and the environment's owner
 * reported it and has the abort capability. Pure: the checks users see.
 */
export function checkAbort(facts: {
  deployment: Pick<Deployment, 'id' | 'environment' | 'state' | 'provider'>;
  environment: string;
  owner: ReturnType<EntitySourceSet['sourceFor']>;
}): PolicyCheck[] {
  const { deployment, environment, owner } = facts;
  const checks: PolicyCheck[] = [];
  if (deployment.environment !== environment) {
    checks.push({
      rule: 'in-flight',
      passed: false,
      message: `deployment ${deployment.id} is in ${deployment.environment}, not in ${environment}`,
    });
  } else if (!IN_FLIGHT_STATES.includes(deployment.state)) {
    checks.push({
      rule: 'in-flight',
      passed: false,
      message: `deployment ${deployment.id} is ${deployment.state}, no longer in flight, so there is nothing to abort`,
    });
  } else {
    checks.push({
      rule: 'in-flight',
      passed: true,
      message: `deployment ${deployment.id} is ${deployment.state}`,
    });
  }
  if ('problem' in owner) {
    checks.push({
      rule: 'environment-owner',
      passed: false,
      message: owner.problem,
    });
    return checks;
  }
  const { provider, target } = owner.source;
  if (!hasCapability(provider, 'abort', target)) {
    checks.push({
      rule: 'provider-capability',
      passed: false,
      message: `${provider.id} cannot stop a rollout in ${environment} (the provider has no abort capability)`,
    });
  } else if (provider.id !== deployment.provider) {
    checks.push({
      rule: 'environment-owner',
      passed: false,
      message: `deployment ${deployment.id} was reported by ${deployment.provider}, but ${provider.id} owns ${environment}; stop it in ${deployment.provider}`,
    });
  }
  return checks;
}

/**
 * Stops an in-flight rollout through the provider that owns its environment,
 * optionally rolling it back. Recorded as a request with action `abort`, so
 * it answers like the other actions and appears in the audit log.
 */
export async function abort(
  services: ActionServices,
  ctx: ActionContext,
  input: AbortInput,
): Promise<ActionOutcome> {
  const { store, recorder } = services;
  const { entityRef } = ctx;
  const { environment } = input;
  positionOnPath(ctx, environment);
  const deployment = await store.getDeployment(entityRef, input.deploymentId);
  if (!deployment) {
    throw new NotFoundError(
      `deploymentId '${input.deploymentId}' is not a deployment of ${entityRef}`,
    );
  }
  const audited = {
    action: 'abort' as const,
    environment,
    version: deployment.version,
    comment: input.comment,
  };

  const permission = deploymentsAbortPermission;
  if (!(await isPermitted(services.permissions, ctx, permission))) {
    return recorder.refusePermission(ctx, permission, audited);
  }
  const owner = ctx.sources.sourceFor(environment);
  const checks = [
    permissionCheck(permission.name, true),
    ...checkAbort({ deployment, environment, owner }),
  ];
  const source = 'source' in owner ? owner.source : undefined;
  const stop = source?.provider.abort?.bind(source.provider);
  if (!source || !stop || refusedChecks(checks).length > 0) {
    return recorder.refuse(ctx, audited, checks);
  }
  const { provider, target } = source;

  let request: PromotionRequest;
  try {
    request = await store.createRequest({
      entityRef,
      action: 'abort',
      environment,
      version: deployment.version,
      requestedBy: ctx.actor,
      comment: input.comment,
      state: 'approved',
    });
  } catch (error) {
    if (isError(error) && error.name === ConflictError.name) {
      return recorder.refuseConflict(
        ctx,
        audited,
        checks,
        'one-at-a-time',
        error,
      );
    }
    throw error;
  }
  const recorded = { ...audited, requestId: request.id };
  const what = `deployment ${deployment.id} ${
    input.rollback ? 'with a roll back' : 'without a roll back'
  }`;
  try {
    const result = await stop({
      entity: ctx.entity,
      target,
      deployment: {
        providerDeploymentId: deployment.providerDeploymentId,
        environment: deployment.environment,
      },
      rollback: input.rollback,
      requestedBy: ctx.actor,
      comment: input.comment,
      // One id per request, so a provider retry never stops twice.
      idempotencyKey: portalGateId(request.id),
    });
    const executed = await store.updateRequest(request.id, {
      state: 'executed',
      providerReference: result.reference,
    });
    if (input.rollback) {
      // The lane and the timeline say who stopped it and why, beside what
      // the provider reports of the roll back.
      await store.markStoppedBy(entityRef, deployment.id, {
        by: ctx.actor,
        reason: input.comment,
      });
    }
    await recorder.audit(ctx, {
      ...recorded,
      outcome: 'executed',
      providerIdentity: result.identity,
      detail: `stopped ${what}`,
    });
    return { kind: 'executed', response: { request: executed, checks } };
  } catch (error) {
    const message = recorder.providerMessage(ctx, provider, error);
    return {
      kind: 'provider-failed',
      message,
      checks,
      promotionRequest: await recorder.failRequest(
        ctx,
        recorded,
        message,
        `could not stop ${what}: ${message}`,
      ),
    };
  }
}
