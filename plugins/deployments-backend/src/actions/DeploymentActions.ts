import type {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import {
  ConflictError,
  CustomErrorBase,
  InputError,
  NotAllowedError,
  NotFoundError,
  SerializedError,
  isError,
  serializeError,
} from '@backstage/errors';
import {
  ActionResponse,
  AuditEntry,
  DeploymentActionType,
  PolicyCheck,
  PromotionRequest,
  Version,
  deploymentsApprovePermission,
  deploymentsOverridePermission,
  deploymentsPromotePermission,
  deploymentsRollbackPermission,
} from '@stagecraft/plugin-deployments-common';
import type { DeploymentProvider } from '@stagecraft/plugin-deployments-node';
import type { DeploymentStore, StoredGate } from '../database/DeploymentStore';
import {
  DeploymentPolicies,
  approvalCheck,
  checkDecision,
  checkPromotion,
  isProviderGated,
  needsPortalApproval,
  refusedChecks,
} from '../policy/PromotionPolicy';
import type {
  DeploymentSource,
  EntitySourceSet,
} from '../sources/EntitySources';
import { resolveVersionWith } from '../sources/providerFailures';
import { requirePermission } from './requirePermission';

/** Who acts on which entity, with what. Built by the router per request. */
export interface ActionContext {
  entity: Entity;
  entityRef: string;
  /** The entity's promotion path, in order. */
  path: string[];
  /** Where the entity's deployments live: owners of environments, change source. */
  sources: EntitySourceSet;
  /** Backstage user entity ref of the caller. */
  actor: string;
  credentials: BackstageCredentials;
  idempotencyKey: string;
  /** The caller's own provider token, for provider reviews. Never stored. */
  userToken?: string;
}

export interface PromoteInput {
  environment: string;
  version?: string;
  comment?: string;
  overrideReason?: string;
}

export interface DecisionInput {
  gateId: string;
  comment: string;
}

/**
 * What an action led to, as stored for idempotent replays: either a response
 * (200 executed or decided, 202 held for approval) or a recorded refusal or
 * failure with the checks that were made.
 */
export type ActionReply =
  | { statusCode: 200 | 202; response: ActionResponse }
  | {
      statusCode: number;
      error: SerializedError;
      checks: PolicyCheck[];
      promotionRequest?: PromotionRequest;
    };

/** A policy rule refused the action (422). */
export class PolicyRefusedError extends CustomErrorBase {
  name = 'PolicyRefusedError' as const;
  statusCode = 422;
}

/** The provider failed to carry out an action (502). */
export class ProviderActionError extends CustomErrorBase {
  name = 'ProviderActionError' as const;
  statusCode = 502;
}

/** Prefix of the gate ids of Stagecraft's own pending requests. */
export const PORTAL_GATE_PREFIX = 'stagecraft:';

export function portalGateId(requestId: string): string {
  return `${PORTAL_GATE_PREFIX}${requestId}`;
}

/**
 * Promote, roll back, approve and reject: each resolves what it acts on,
 * checks permission and policy, records its outcome in the append-only audit
 * log and drives the provider. A refusal writes only its audit entry.
 */
export class DeploymentActions {
  private readonly store: DeploymentStore;
  private readonly permissions: PermissionsService;
  private readonly policies: DeploymentPolicies;
  private readonly logger: LoggerService;

  constructor(options: {
    store: DeploymentStore;
    permissions: PermissionsService;
    policies: DeploymentPolicies;
    logger: LoggerService;
  }) {
    this.store = options.store;
    this.permissions = options.permissions;
    this.policies = options.policies;
    this.logger = options.logger;
  }

  /** Promotes a version into an environment, or rolls the environment back. */
  async promote(
    ctx: ActionContext,
    action: 'promote' | 'rollback',
    input: PromoteInput,
  ): Promise<ActionReply> {
    const { entityRef, path } = ctx;
    const { environment } = input;
    const position = path.indexOf(environment);
    if (position < 0) {
      throw new InputError(
        `environment '${environment}' is not on the promotion path of ${entityRef} (${path.join(
          ' → ',
        )})`,
      );
    }
    const previous = position > 0 ? path[position - 1] : undefined;
    const states = await this.store.getEnvironmentStates(
      entityRef,
      previous ? [previous, environment] : [environment],
    );
    const here = states[environment] ?? {};

    const permission =
      action === 'rollback'
        ? deploymentsRollbackPermission
        : deploymentsPromotePermission;
    if (!(await this.isPermitted(ctx, permission))) {
      return this.refusePermission(ctx, permission, {
        action,
        environment,
        comment: input.comment,
        version: await this.versionInLedger(
          ctx,
          action,
          input,
          previous,
          states,
        ),
      });
    }

    const owner = ctx.sources.sourceFor(environment);
    const ownerRefusal = this.ownerCheck(owner, action, environment);
    if (ownerRefusal) {
      return this.refuse(
        ctx,
        {
          action,
          environment,
          comment: input.comment,
          version: await this.versionInLedger(
            ctx,
            action,
            input,
            previous,
            states,
          ),
        },
        [permissionCheck(permission.name, true), ownerRefusal],
      );
    }

    const version =
      action === 'rollback'
        ? await this.rollbackTarget(ctx, input)
        : await this.promotionTarget(ctx, input, previous, states);
    if (!version) {
      const checks: PolicyCheck[] = [
        permissionCheck(permission.name, true),
        {
          rule: 'nothing-to-promote',
          passed: false,
          message: `${environment} has no earlier successful version to roll back to`,
        },
      ];
      return this.refuse(
        ctx,
        { action, environment, comment: input.comment },
        checks,
      );
    }

    const succeededInPrevious = previous
      ? await this.store.hasSucceeded(entityRef, previous, version.sha)
      : true;
    let override: { reason: string; permitted: boolean } | undefined;
    if (input.overrideReason && !succeededInPrevious && action === 'promote') {
      override = {
        reason: input.overrideReason,
        permitted: await this.isPermitted(ctx, deploymentsOverridePermission),
      };
    }
    const [openGates, protection] = await Promise.all([
      this.store.listOpenGates(entityRef),
      this.store.listEnvironmentProtection(entityRef),
    ]);
    const providerGated = isProviderGated({
      environment,
      owner: ctx.sources.ownerOf(environment).provider,
      openGates,
      protection,
    });
    const checks: PolicyCheck[] = [
      permissionCheck(permission.name, true),
      approvalCheck({ environment, policies: this.policies, providerGated }),
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
    const audited = {
      action,
      environment,
      version,
      comment: input.comment,
    };
    if (refusedChecks(checks).length > 0) {
      return this.refuse(ctx, audited, checks);
    }
    const overrideNote = override?.permitted
      ? `promotion order overridden: ${override.reason}`
      : undefined;

    const held = needsPortalApproval({
      environment,
      policies: this.policies,
      providerGated,
    });
    let request: PromotionRequest;
    try {
      request = await this.store.createRequest({
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
        return this.refuseConflict(
          ctx,
          audited,
          checks,
          'one-at-a-time',
          error,
        );
      }
      throw error;
    }
    if (held) {
      await this.audit(ctx, {
        ...audited,
        outcome: 'requested',
        requestId: request.id,
        detail: overrideNote,
      });
      return { statusCode: 202, response: { request, checks } };
    }
    return this.execute(ctx, request, checks, overrideNote);
  }

  /** Approves or rejects a pending gate: Stagecraft's own request or a provider's gate. */
  async decide(
    ctx: ActionContext,
    decision: 'approve' | 'reject',
    input: DecisionInput,
  ): Promise<ActionReply> {
    if (input.gateId.startsWith(PORTAL_GATE_PREFIX)) {
      return this.decideRequest(ctx, decision, input);
    }
    return this.decideProviderGate(ctx, decision, input);
  }

  private async decideRequest(
    ctx: ActionContext,
    decision: 'approve' | 'reject',
    input: DecisionInput,
  ): Promise<ActionReply> {
    const requestId = input.gateId.slice(PORTAL_GATE_PREFIX.length);
    const request = await this.store.getRequest(requestId);
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
      return this.refuseConflict(
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
    const verdict = await this.checkDecisionRules(
      ctx,
      decision,
      input,
      request.requestedBy,
      audited,
    );
    if ('refusal' in verdict) {
      return verdict.refusal;
    }
    const { checks } = verdict;

    return this.decideOnce(ctx, audited, checks, input.gateId, async () => {
      const decided = await this.store.updateRequest(request.id, {
        state: decision === 'approve' ? 'approved' : 'rejected',
        decidedBy: ctx.actor,
        decidedAt: new Date().toISOString(),
        decisionComment: input.comment,
      });
      await this.audit(ctx, {
        ...audited,
        outcome: decision === 'approve' ? 'approved' : 'rejected',
      });
      if (decision === 'reject') {
        return { statusCode: 200, response: { request: decided, checks } };
      }
      return this.execute(ctx, decided, checks);
    });
  }

  /** The approve permission, then the decision rules (no self-approval, a comment). */
  private async checkDecisionRules(
    ctx: ActionContext,
    decision: 'approve' | 'reject',
    input: DecisionInput,
    requestedBy: string | undefined,
    audited: AuditFields,
  ): Promise<{ refusal: ActionReply } | { checks: PolicyCheck[] }> {
    const refusal = await this.checkPermission(
      ctx,
      deploymentsApprovePermission,
      audited,
    );
    if (refusal) {
      return { refusal };
    }
    const checks = [
      permissionCheck(deploymentsApprovePermission.name, true),
      ...checkDecision({
        decision,
        actor: ctx.actor,
        requestedBy,
        comment: input.comment,
      }),
    ];
    if (refusedChecks(checks).length > 0) {
      return { refusal: await this.refuse(ctx, audited, checks) };
    }
    return { checks };
  }

  private async decideProviderGate(
    ctx: ActionContext,
    decision: 'approve' | 'reject',
    input: DecisionInput,
  ): Promise<ActionReply> {
    const gate = await this.store.getGate(ctx.entityRef, input.gateId);
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
    const review = provider.review?.bind(provider);
    if (!review) {
      return this.refuse(ctx, audited, [
        {
          rule: 'provider-capability',
          passed: false,
          message: `${provider.id} cannot decide its gates from the portal (the provider has no review capability); decide it in ${provider.id}`,
        },
      ]);
    }
    const verdict = await this.checkDecisionRules(
      ctx,
      decision,
      input,
      gate.requestedBy,
      audited,
    );
    if ('refusal' in verdict) {
      return verdict.refusal;
    }
    const { checks } = verdict;

    return this.decideOnce(ctx, audited, checks, gate.id, async () => {
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
        const message = this.providerMessage(ctx, provider, error);
        await this.audit(ctx, {
          ...audited,
          outcome: 'failed',
          detail: message,
        });
        return {
          statusCode: 502,
          error: serializeError(new ProviderActionError(message)),
          checks,
        };
      }
      await this.store.closeGates(ctx.entityRef, gate.provider, [
        providerGateIdOf(gate),
      ]);
      await this.audit(ctx, {
        ...audited,
        outcome: decision === 'approve' ? 'approved' : 'rejected',
        providerIdentity: identity,
      });
      return {
        statusCode: 200,
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

  /** Runs the provider's promotion of an approved request and records the outcome. */
  private async execute(
    ctx: ActionContext,
    request: PromotionRequest,
    checks: PolicyCheck[],
    note?: string,
  ): Promise<ActionReply> {
    const audited = {
      action: request.action,
      environment: request.environment,
      version: request.version,
      comment: request.comment,
      requestId: request.id,
    };
    const found = ctx.sources.sourceFor(request.environment);
    const promote =
      'source' in found
        ? found.source.provider.promote?.bind(found.source.provider)
        : undefined;
    if (!('source' in found) || !promote) {
      // Leaving the request approved would block the environment forever.
      const message =
        'problem' in found
          ? found.problem
          : `${found.source.provider.id} cannot deploy into ${request.environment}`;
      const failed = await this.store.updateRequest(request.id, {
        state: 'failed',
        error: message,
      });
      await this.audit(ctx, { ...audited, outcome: 'failed', detail: message });
      return {
        statusCode: 422,
        error: serializeError(new PolicyRefusedError(message)),
        checks: [
          ...checks,
          {
            rule: 'problem' in found ? 'environment-owner' : 'provider-capability',
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
      const executed = await this.store.updateRequest(request.id, {
        state: 'executed',
        providerReference: result.reference,
      });
      await this.audit(ctx, {
        ...audited,
        outcome: 'executed',
        providerIdentity: result.identity,
        detail: note,
      });
      return { statusCode: 200, response: { request: executed, checks } };
    } catch (error) {
      const message = this.providerMessage(ctx, provider, error);
      const failed = await this.store.updateRequest(request.id, {
        state: 'failed',
        error: message,
      });
      await this.audit(ctx, { ...audited, outcome: 'failed', detail: message });
      return {
        statusCode: 502,
        error: serializeError(new ProviderActionError(message)),
        checks,
        promotionRequest: failed,
      };
    }
  }

  /** One decision per gate, even when two reviewers click at once (on any replica). */
  private async decideOnce(
    ctx: ActionContext,
    audited: AuditFields,
    checks: PolicyCheck[],
    gateId: string,
    decide: () => Promise<ActionReply>,
  ): Promise<ActionReply> {
    const scope = 'gate-decision';
    const claim = await this.store.claimIdempotencyKey(scope, gateId, gateId);
    if (claim.status !== 'new') {
      return this.refuseConflict(
        ctx,
        audited,
        checks,
        'decided-once',
        new ConflictError(
          `gateId '${gateId}' is being decided or was decided by someone else`,
        ),
      );
    }
    let reply: ActionReply;
    try {
      reply = await decide();
    } catch (error) {
      await this.store.releaseIdempotencyKey(scope, gateId);
      throw error;
    }
    if (reply.statusCode >= 300) {
      // The provider did not take the decision: another reviewer may try.
      await this.store.releaseIdempotencyKey(scope, gateId);
    } else {
      await this.store.completeIdempotencyKey(scope, gateId, reply.statusCode, {
        statusCode: reply.statusCode,
      });
    }
    return reply;
  }

  private async promotionTarget(
    ctx: ActionContext,
    input: PromoteInput,
    previous: string | undefined,
    states: Record<string, { current?: { version: Version } }>,
  ): Promise<Version> {
    if (input.version) {
      return this.resolveVersion(ctx, input.version, input.environment);
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

  /**
   * The version a promotion or roll back asks for, as far as the ledger knows
   * it, for the audit entry of a refused permission: a caller who may not act
   * causes no provider call.
   */
  private async versionInLedger(
    ctx: ActionContext,
    action: 'promote' | 'rollback',
    input: PromoteInput,
    previous: string | undefined,
    states: Record<string, { current?: { version: Version } }>,
  ): Promise<Version | undefined> {
    try {
      if (input.version) {
        return await this.store.findVersion(ctx.entityRef, input.version);
      }
      if (action === 'rollback') {
        return await this.store.previousSuccessfulVersion(
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

  private async rollbackTarget(
    ctx: ActionContext,
    input: PromoteInput,
  ): Promise<Version | undefined> {
    if (!input.version) {
      return this.store.previousSuccessfulVersion(
        ctx.entityRef,
        input.environment,
      );
    }
    const version = await this.store.findVersion(ctx.entityRef, input.version);
    if (
      !version ||
      !(await this.store.hasSucceeded(
        ctx.entityRef,
        input.environment,
        version.sha,
      ))
    ) {
      throw new InputError(
        `version '${input.version}' never succeeded in ${input.environment}, so it is no roll-back target`,
      );
    }
    return version;
  }

  /** A ref the ledger does not know is asked of the change source, else of the environment's owner. */
  private async resolveVersion(
    ctx: ActionContext,
    ref: string,
    environment?: string,
  ): Promise<Version> {
    const known = await this.store.findVersion(ctx.entityRef, ref);
    if (known) {
      return known;
    }
    const candidates: DeploymentSource[] = [];
    const changeSource = ctx.sources.changeSource();
    if ('source' in changeSource) candidates.push(changeSource.source);
    const owner = environment ? ctx.sources.sourceFor(environment) : undefined;
    if (owner && 'source' in owner) candidates.push(owner.source);
    let resolved: Version | undefined;
    for (const source of candidates) {
      resolved = await resolveVersionWith(source, ctx.entity, ref);
      if (resolved) break;
    }
    if (!resolved) {
      throw new InputError(
        `version '${ref}' is not a known commit or tag of ${ctx.entityRef}`,
      );
    }
    return resolved;
  }

  /** Refuses an action when no provider owns the environment, or its owner cannot deploy. */
  private ownerCheck(
    owner: ReturnType<EntitySourceSet['sourceFor']>,
    action: 'promote' | 'rollback',
    environment: string,
  ): PolicyCheck | undefined {
    if ('problem' in owner) {
      return { rule: 'environment-owner', passed: false, message: owner.problem };
    }
    const { provider } = owner.source;
    if (!provider.promote) {
      return {
        rule: 'provider-capability',
        passed: false,
        message: `${provider.id} cannot ${
          action === 'rollback' ? 'roll back' : 'deploy into'
        } ${environment} from the portal (the provider has no promote capability)`,
      };
    }
    return undefined;
  }

  private async isPermitted(
    ctx: ActionContext,
    permission: Parameters<typeof requirePermission>[0]['permission'],
  ): Promise<boolean> {
    try {
      await requirePermission({
        permissions: this.permissions,
        permission,
        entityRef: ctx.entityRef,
        credentials: ctx.credentials,
      });
      return true;
    } catch (error) {
      if (isError(error) && error.name === NotAllowedError.name) {
        return false;
      }
      throw error;
    }
  }

  /** Returns the recorded refusal when the caller lacks the permission. */
  private async checkPermission(
    ctx: ActionContext,
    permission: Parameters<typeof requirePermission>[0]['permission'],
    audited: AuditFields,
  ): Promise<ActionReply | undefined> {
    if (await this.isPermitted(ctx, permission)) {
      return undefined;
    }
    return this.refusePermission(ctx, permission, audited);
  }

  private async refusePermission(
    ctx: ActionContext,
    permission: Parameters<typeof requirePermission>[0]['permission'],
    audited: AuditFields,
  ): Promise<ActionReply> {
    const message = `${permission.name} is not allowed on ${ctx.entityRef}`;
    await this.audit(ctx, {
      ...audited,
      outcome: 'refused',
      detail: `permission: ${message}`,
    });
    return {
      statusCode: 403,
      error: serializeError(new NotAllowedError(message)),
      checks: [permissionCheck(permission.name, false, message)],
    };
  }

  private async refuse(
    ctx: ActionContext,
    audited: AuditFields,
    checks: PolicyCheck[],
  ): Promise<ActionReply> {
    const refused = refusedChecks(checks);
    const message = refused
      .map(check => `${check.rule}: ${check.message}`)
      .join('; ');
    await this.audit(ctx, { ...audited, outcome: 'refused', detail: message });
    return {
      statusCode: 422,
      error: serializeError(
        new PolicyRefusedError(`Refused by policy: ${message}`),
      ),
      checks,
    };
  }

  /**
   * Refuses an action that collides with another one (409): a second
   * promotion of a busy environment, a second decision of a gate. The
   * refusal names its rule, like a policy refusal, and is audited.
   */
  private async refuseConflict(
    ctx: ActionContext,
    audited: AuditFields,
    checks: PolicyCheck[],
    rule: 'one-at-a-time' | 'decided-once',
    conflict: Error,
  ): Promise<ActionReply> {
    await this.audit(ctx, {
      ...audited,
      outcome: 'refused',
      detail: `${rule}: ${conflict.message}`,
    });
    return {
      statusCode: 409,
      error: serializeError(conflict),
      checks: [...checks, { rule, passed: false, message: conflict.message }],
    };
  }

  private async audit(
    ctx: ActionContext,
    entry: AuditFields &
      Pick<AuditEntry, 'outcome'> &
      Partial<Pick<AuditEntry, 'providerIdentity' | 'requestId' | 'detail'>>,
  ): Promise<void> {
    await this.store.appendAudit({
      entityRef: ctx.entityRef,
      actor: ctx.actor,
      action: entry.action,
      outcome: entry.outcome,
      environment: entry.environment,
      version: entry.version,
      comment: entry.comment,
      providerIdentity: entry.providerIdentity,
      requestId: entry.requestId,
      detail: entry.detail,
    });
  }

  /** A provider error as a message fit for users and the audit log: no token, no stack. */
  private providerMessage(
    ctx: ActionContext,
    provider: DeploymentProvider,
    error: unknown,
  ): string {
    let message = isError(error) ? error.message : String(error);
    if (ctx.userToken) {
      message = message.split(ctx.userToken).join('***');
    }
    this.logger.warn(
      `Provider ${provider.id} failed an action on ${ctx.entityRef}: ${message}`,
    );
    return `${provider.id}: ${message}`;
  }
}

interface AuditFields {
  action: DeploymentActionType;
  environment: string;
  version?: Version;
  comment?: string;
  requestId?: string;
}

function permissionCheck(
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

function providerGateIdOf(gate: StoredGate): string {
  const prefix = `${gate.provider}:`;
  return gate.id.startsWith(prefix) ? gate.id.slice(prefix.length) : gate.id;
}

/** A provider gate decision in the shape of a request, so every action answers alike. */
function gateDecisionAsRequest(
  gate: StoredGate,
  actor: string,
  decision: 'approve' | 'reject',
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
