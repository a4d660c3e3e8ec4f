import type { Request } from 'express';
import type {
  AuditorService,
  BackstageCredentials,
  BackstageUserPrincipal,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  IDEMPOTENCY_KEY_HEADER,
  abortBodySchema,
  decisionBodySchema,
  idempotencyKeySchema,
  promoteBodySchema,
} from '@stagecraft/plugin-deployments-common';
import type { z } from 'zod';
import type { DeploymentStore } from '../database/DeploymentStore';
import { parseInput } from '../entities/parseInput';
import {
  EntityInView,
  EntityParams,
  entityParamsOf,
} from '../entities/visibleEntity';
import { statusOf, storedOutcome } from '../http/actionOutcomes';
import type { DeploymentPolicies } from '../policy/PromotionPolicy';
import type { EntitySources } from '../sources/EntitySources';
import type { ActionContext } from './ActionContext';
import { DeploymentActions } from './DeploymentActions';
import { fingerprintOf, runOnce } from './idempotency';
import type { ActionOutcome } from './outcomes';

/** The body each action takes. */
export const ACTION_BODIES = {
  promote: promoteBodySchema,
  rollback: promoteBodySchema,
  approve: decisionBodySchema,
  reject: decisionBodySchema,
  abort: abortBodySchema,
} as const;

/** The actions on an entity's deployments. */
export type DeploymentActionName = keyof typeof ACTION_BODIES;

/** One call of an action, as an edge (REST or the actions registry) received it. */
export interface DeploymentActionCall {
  /** The caller, a user: actions are taken in a person's name. */
  credentials: BackstageCredentials<BackstageUserPrincipal>;
  /** The entity as the caller named it: its parts (REST path) or a ref (`kind:namespace/name`). */
  entity: EntityParams | string;
  action: DeploymentActionName;
  /** The action's body, not yet validated. */
  body: unknown;
  /** The idempotency key, not yet validated. */
  idempotencyKey: unknown;
  /** The caller's own provider token, for provider reviews. Never stored. */
  userToken?: string;
  /**
   * What the auditor event names the caller by: the HTTP request (REST), or
   * the channel the call came through, whose caller the event then names in
   * its meta (the auditor reads the actor from a request only).
   */
  audit: { request: Request } | { via: string };
  /** How error messages name the parts of the call (REST: the header and the body). */
  names?: { idempotencyKey?: string; body?: string };
  /** Checks of the call that only its edge knows (e.g. no query string), run inside the audit. */
  checkCall?: () => void;
}

/** What the action led to. A replay gives the outcome stored for its key. */
export interface DeploymentActionRun {
  entityRef: string;
  outcome: ActionOutcome;
  replayed: boolean;
}

/**
 * Runs one action the way every edge must: an auditor event opened before
 * anything is checked, the input validated, the entity looked up as the caller
 * may see it, the action run at most once per caller and idempotency key
 * (a replay answers with the stored outcome), and the event closed with the
 * outcome. The action itself checks permission and policy, drives the
 * provider and writes the audit log.
 *
 * A malformed input, an unknown entity or a reused key throws (after the
 * event is closed as failed); a refusal is an outcome.
 */
export function createDeploymentActionRunner(options: {
  store: DeploymentStore;
  permissions: PermissionsService;
  policies: DeploymentPolicies;
  auditor: AuditorService;
  logger: LoggerService;
  sources: EntitySources;
  entityInView(
    params: EntityParams,
    credentials: BackstageCredentials,
  ): Promise<EntityInView>;
}): (call: DeploymentActionCall) => Promise<DeploymentActionRun> {
  const { store, auditor, sources, entityInView } = options;
  const actions = new DeploymentActions({
    store,
    permissions: options.permissions,
    policies: options.policies,
    logger: options.logger,
  });

  function runAction(
    ctx: ActionContext,
    action: DeploymentActionName,
    body: unknown,
  ): Promise<ActionOutcome> {
    switch (action) {
      case 'promote':
      case 'rollback':
        return actions.promote(
          ctx,
          action,
          body as z.output<typeof promoteBodySchema>,
        );
      case 'approve':
      case 'reject':
        return actions.decide(
          ctx,
          action,
          body as z.output<typeof decisionBodySchema>,
        );
      case 'abort':
        return actions.abort(ctx, body as z.output<typeof abortBodySchema>);
      default:
        throw new NotFoundError(`No action '${action}'`);
    }
  }

  return async call => {
    const { credentials, action } = call;
    const actor = credentials.principal.userEntityRef;
    const auditEvent = await auditor.createEvent({
      eventId: 'deployment-action',
      severityLevel: 'medium',
      ...('request' in call.audit
        ? {
            request: call.audit.request,
            meta: { action, entity: entityLabel(call.entity) },
          }
        : {
            meta: {
              action,
              entity: entityLabel(call.entity),
              actor,
              via: call.audit.via,
            },
          }),
    });
    try {
      call.checkCall?.();
      if (!Object.prototype.hasOwnProperty.call(ACTION_BODIES, action)) {
        throw new NotFoundError(`No action '${action}'`);
      }
      const idempotencyKey = parseInput(
        idempotencyKeySchema,
        call.idempotencyKey,
        call.names?.idempotencyKey ?? `${IDEMPOTENCY_KEY_HEADER} header`,
      );
      const body = parseInput(
        ACTION_BODIES[action],
        call.body ?? {},
        call.names?.body ?? `${action} body`,
      );
      const { entity, entityRef, path } = await entityInView(
        entityParams(call.entity),
        credentials,
      );
      const ctx: ActionContext = {
        entity,
        entityRef,
        path,
        sources: await sources.of(entity),
        actor,
        credentials,
        idempotencyKey,
        // Blank counts as absent: scrubbing a blank "token" from messages would mangle them.
        userToken: call.userToken?.trim() || undefined,
      };

      const ran = await runOnce(
        store,
        {
          scope: actor,
          key: idempotencyKey,
          fingerprint: fingerprintOf({ action, entityRef, body }),
        },
        () => runAction(ctx, action, body),
        statusOf,
      );
      const outcome = ran.replayed ? storedOutcome(ran.reply) : ran.reply;

      const meta = {
        entityRef,
        statusCode: statusOf(outcome),
        outcome: outcome.kind,
        replayed: ran.replayed,
        ...('response' in outcome
          ? {
              requestId: outcome.response.request.id,
              state: outcome.response.request.state,
              environment: outcome.response.request.environment,
              version: outcome.response.request.version.sha,
            }
          : {
              refusedBy: outcome.checks.filter(c => !c.passed).map(c => c.rule),
            }),
      };
      if ('response' in outcome) {
        await auditEvent.success({ meta });
      } else {
        await auditEvent.fail({ error: new Error(outcome.message), meta });
      }
      return { entityRef, outcome, replayed: ran.replayed };
    } catch (error) {
      await auditEvent.fail({ error: error as Error });
      throw error;
    }
  };
}

function entityLabel(entity: EntityParams | string): string {
  return typeof entity === 'string'
    ? entity
    : `${entity.kind}:${entity.namespace}/${entity.name}`;
}

/** The parts of the entity the call names; a ref that does not parse is a 400. */
function entityParams(entity: EntityParams | string): EntityParams {
  return typeof entity === 'string' ? entityParamsOf(entity) : entity;
}
