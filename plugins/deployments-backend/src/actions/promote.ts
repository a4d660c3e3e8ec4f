import { ConflictError, InputError, isError } from '@backstage/errors';
import {
  PolicyCheck,
  PromotionRequest,
  Version,
  deploymentsOverridePermission,
  deploymentsPromotePermission,
  deploymentsRollbackPermission,
} from '@stagecraft/plugin-deployments-common';
import {
  approvalCheck,
  checkPromotion,
  isProviderGated,
  needsPortalApproval,
  refusedChecks,
} from '../policy/PromotionPolicy';
import { evaluateFreeze } from '../policy/freeze/FreezeCalendar';
import {
  EvidenceDraft,
  promotionGate,
  releaseChanges,
} from '../evidence/releaseEvidence';
import type {
  DeploymentSource,
  EntitySourceSet,
} from '../sources/EntitySources';
import { resolveVersionWith } from '../sources/providerFailures';
import { ActionContext, ActionServices, positionOnPath } from './ActionContext';
import { execute } from './execute';
import { ActionOutcome, permissionCheck } from './outcomes';
import { isPermitted } from './requirePermission';

export interface PromoteInput {
  environment: string;
  version?: string;
  comment?: string;
  overrideReason?: string;
}

type States = Record<string, { current?: { version: Version } }>;

/**
 * Promotes a version into an environment, or rolls the environment back:
 * resolves the version, checks permission, ownership and policy, then either
 * holds the request for an approval or runs it at once.
 */
export async function promote(
  services: ActionServices,
  ctx: ActionContext,
  action: 'promote' | 'rollback',
  input: PromoteInput,
): Promise<ActionOutcome> {
  const { store, policies, recorder } = services;
  const { entityRef, path } = ctx;
  const { environment } = input;
  const position = positionOnPath(ctx, environment);
  const previous = position > 0 ? path[position - 1] : undefined;
  const states = await store.getEnvironmentStates(
    entityRef,
    previous ? [previous, environment] : [environment],
  );
  const here = states[environment] ?? {};
  const refusalFields = async () => ({
    action,
    environment,
    comment: input.comment,
    version: await versionInLedger(
      services,
      ctx,
      action,
      input,
      previous,
      states,
    ),
  });

  const permission =
    action === 'rollback'
      ? deploymentsRollbackPermission
      : deploymentsPromotePermission;
  if (!(await isPermitted(services.permissions, ctx, permission))) {
    return recorder.refusePermission(ctx, permission, await refusalFields());
  }

  const deployer = ctx.sources.deployerFor(environment);
  const ownerRefusal = deployerCheck(deployer, action);
  if (ownerRefusal) {
    return recorder.refuse(ctx, await refusalFields(), [
      permissionCheck(permission.name, true),
      ownerRefusal,
    ]);
  }

  const version =
    action === 'rollback'
      ? await rollbackTarget(services, ctx, input)
      : await promotionTarget(services, ctx, input, previous, states);
  if (!version) {
    return recorder.refuse(
      ctx,
      { action, environment, comment: input.comment },
      [
        permissionCheck(permission.name, true),
        {
          rule: 'nothing-to-promote',
          passed: false,
          message: `${environment} has no earlier successful version to roll back to`,
        },
      ],
    );
  }

  const succeededInPrevious = previous
    ? await store.hasSucceeded(entityRef, previous, version.sha)
    : true;
  let override: { reason: string; permitted: boolean } | undefined;
  if (input.overrideReason && !succeededInPrevious && action === 'promote') {
    override = {
      reason: input.overrideReason,
      permitted: await isPermitted(
        services.permissions,
        ctx,
        deploymentsOverridePermission,
      ),
    };
  }
  const [openGates, protection] = await Promise.all([
    store.listOpenGates(entityRef),
    store.listEnvironmentProtection(entityRef),
  ]);
  const providerGated = isProviderGated({
    environment,
    // The provider that will deploy: its own gate is the approval.
    owner: 'source' in deployer ? deployer.source.provider.id : undefined,
    openGates,
    protection,
  });
  const freeze = await evaluateFreeze({
    calendar: policies.freezes,
    entity: ctx.entity,
    environment,
    actor: ctx.actor,
    overrideReason: input.overrideReason,
    mayOverride: () =>
      isPermitted(services.permissions, ctx, deploymentsOverridePermission),
  });
  const approval = approvalCheck({ environment, policies, providerGated });
  const checks: PolicyCheck[] = [
    permissionCheck(permission.name, true),
    approval,
    freeze.check,
    ...checkPromotion({
      action,
      environment,
      path,
      version,
      currentSha: here.current?.version.sha,
      succeededInPrevious,
      override,
    }),
  ];
  const audited = { action, environment, version, comment: input.comment };
  if (refusedChecks(checks).length > 0) {
    return recorder.refuse(ctx, audited, checks);
  }
  const overrideNote =
    [
      override?.permitted
        ? `promotion order overridden: ${override.reason}`
        : undefined,
      freeze.note,
    ]
      .filter(Boolean)
      .join('; ') || undefined;

  const held = needsPortalApproval({ environment, policies, providerGated });
  let request: PromotionRequest;
  try {
    request = await store.createRequest({
      entityRef,
      action,
      environment,
      version,
      requestedBy: ctx.actor,
      comment: input.comment,
      state: held ? 'pending' : 'approved',
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
  // What the promotion ships, as accepted: before the provider deploys it.
  const evidence: EvidenceDraft = {
    action,
    environment,
    version,
    checks,
    gate: promotionGate({
      environment,
      owner: 'source' in deployer ? deployer.source.provider.id : undefined,
      providerGated,
      held,
      protection,
      openGates,
      request,
      approvalMessage: approval.message,
    }),
    changes: await releaseChanges({
      store,
      ctx,
      environment,
      version,
    }),
  };
  if (held) {
    await recorder.audit(
      ctx,
      {
        ...audited,
        outcome: 'requested',
        requestId: request.id,
        detail: overrideNote,
      },
      evidence,
    );
    return { kind: 'held', response: { request, checks } };
  }
  return execute(services, ctx, request, checks, overrideNote, evidence);
}

/** Refuses a promotion or roll back that no provider of the entity can carry out, with the reason. */
function deployerCheck(
  deployer: ReturnType<EntitySourceSet['deployerFor']>,
  action: 'promote' | 'rollback',
): PolicyCheck | undefined {
  if ('source' in deployer) return undefined;
  return {
    rule: deployer.rule,
    passed: false,
    message:
      action === 'rollback'
        ? deployer.problem.replace('cannot deploy into', 'cannot roll back')
        : deployer.problem,
  };
}

/** The version asked for, else what runs in the previous environment. */
async function promotionTarget(
  services: ActionServices,
  ctx: ActionContext,
  input: PromoteInput,
  previous: string | undefined,
  states: States,
): Promise<Version> {
  if (input.version) {
    return resolveVersion(services, ctx, input.version, input.environment);
  }
  if (!previous) {
    throw new InputError(
      `version is required to promote into ${input.environment}, the first environment on the path`,
    );
  }
  const current = states[previous]?.current?.version;
  if (!current) {
    throw new InputError(
      `version is required: nothing runs in ${previous} to promote into ${input.environment}`,
    );
  }
  return current;
}

/** The version asked for, which must have succeeded there, else the previous successful one. */
async function rollbackTarget(
  { store }: ActionServices,
  ctx: ActionContext,
  input: PromoteInput,
): Promise<Version | undefined> {
  if (!input.version) {
    return store.previousSuccessfulVersion(ctx.entityRef, input.environment);
  }
  const version = await store.findVersion(ctx.entityRef, input.version);
  if (
    !version ||
    !(await store.hasSucceeded(ctx.entityRef, input.environment, version.sha))
  ) {
    throw new InputError(
      `version '${input.version}' never succeeded in ${input.environment}, so it is no roll-back target`,
    );
  }
  return version;
}

/**
 * The version a promotion or roll back asks for, as far as the ledger knows
 * it, for the audit entry of a refusal made before the version is resolved:
 * a caller who may not act causes no provider call.
 */
async function versionInLedger(
  { store }: ActionServices,
  ctx: ActionContext,
  action: 'promote' | 'rollback',
  input: PromoteInput,
  previous: string | undefined,
  states: States,
): Promise<Version | undefined> {
  try {
    if (input.version) {
      return await store.findVersion(ctx.entityRef, input.version);
    }
    if (action === 'rollback') {
      return await store.previousSuccessfulVersion(
        ctx.entityRef,
        input.environment,
      );
    }
    return previous ? states[previous]?.current?.version : undefined;
  } catch (error) {
    // An ambiguous SHA prefix: the refusal is recorded without a version.
    if (isError(error) && error.name === InputError.name) {
      return undefined;
    }
    throw error;
  }
}

/** A ref the ledger does not know is asked of the change source, else of the environment's owner. */
async function resolveVersion(
  { store }: ActionServices,
  ctx: ActionContext,
  ref: string,
  environment: string,
): Promise<Version> {
  const known = await store.findVersion(ctx.entityRef, ref);
  if (known) {
    return known;
  }
  const candidates: DeploymentSource[] = [];
  const changeSource = ctx.sources.changeSource();
  if ('source' in changeSource) candidates.push(changeSource.source);
  const deployer = ctx.sources.deployerFor(environment);
  if ('source' in deployer) candidates.push(deployer.source);
  for (const source of candidates) {
    const resolved = await resolveVersionWith(source, ctx.entity, ref);
    if (resolved) return resolved;
  }
  throw new InputError(
    `version '${ref}' is not a known commit or tag of ${ctx.entityRef}`,
  );
}
