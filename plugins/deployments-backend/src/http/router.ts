import express, { Request } from 'express';
import Router from 'express-promise-router';
import type {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ApprovalsResponse,
  AuditResponse,
  IDEMPOTENCY_KEY_HEADER,
  TimelineResponse,
  abortBodySchema,
  auditQuerySchema,
  decisionBodySchema,
  describeZodError,
  diffQuerySchema,
  environmentsQuerySchema,
  EnvironmentsResponse,
  entityParamsSchema,
  idempotencyKeySchema,
  promoteBodySchema,
  timelineQuerySchema,
} from '@stagecraft/plugin-deployments-common';
import { z } from 'zod';
import type { DeploymentStore } from '../database/DeploymentStore';
import {
  ActionContext,
  ActionOutcome,
  DeploymentActions,
} from '../actions/DeploymentActions';
import { fingerprintOf, runOnce } from '../actions/idempotency';
import { sendOutcome, statusOf, storedOutcome } from './actionOutcomes';
import type { DeploymentPolicies } from '../policy/PromotionPolicy';
import { auditCsv } from '../reads/AuditExport';
import { changeDiff, emptyDiff } from '../reads/ChangeDiffs';
import {
  DeploymentProviderSource,
  EntitySources,
  listProviders,
} from '../sources/EntitySources';
import { environmentLanes } from '../reads/EnvironmentLanes';
import { withIncludes } from '../reads/EnvironmentIncludes';
import { jsonBody } from './jsonBody';
import { approvableGates } from '../reads/PendingApprovals';

/** Where the router hands webhook deliveries (DeploymentSync implements it). */
export interface WebhookIntake {
  ingestWebhook(
    providerId: string,
    request: {
      headers: Record<string, string | string[] | undefined>;
      rawBody: Buffer;
    },
  ): Promise<
    | { status: 'accepted'; reply?: { status: number; body?: unknown } }
    | { status: 'duplicate' }
  >;
}

export interface RouterOptions {
  logger: LoggerService;
  store: DeploymentStore;
  providers: DeploymentProviderSource;
  webhooks: WebhookIntake;
  catalog: CatalogService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  policies: DeploymentPolicies;
  /** The entity's promotion path: annotation, else config, else the default. */
  promotionPathOf(entity: Entity): string[];
}

/** Header carrying the caller's own provider token for one review call. */
export const PROVIDER_TOKEN_HEADER = 'x-deployments-provider-token';

/** Largest webhook body accepted (GitHub caps deliveries at 25 MB; deployment events are far smaller). */
const WEBHOOK_BODY_LIMIT = '5mb';
const JSON_BODY_LIMIT = '64kb';

/** Routes that take no query parameters still refuse unknown ones, like the others. */
const noQuerySchema = z.object({}).strict();

function parse<T extends z.ZodTypeAny>(
  schema: T,
  value: unknown,
  what: string,
): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new InputError(`Invalid ${what}: ${describeZodError(result.error)}`);
  }
  return result.data;
}

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const {
    store,
    providers,
    webhooks,
    catalog,
    httpAuth,
    permissions,
    auditor,
    policies,
    promotionPathOf,
  } = options;
  const sources = new EntitySources({
    store,
    providers,
    logger: options.logger,
  });
  const actions = new DeploymentActions({
    store,
    permissions,
    policies,
    logger: options.logger,
  });

  const router = Router();

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  // Webhooks need the raw bytes for signature checks, so they are parsed
  // before (and instead of) the JSON body parser.
  router.post(
    '/webhooks/:provider',
    express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }),
    async (req, res) => {
      const providerId = req.params.provider;
      const provider = listProviders(providers).find(p => p.id === providerId);
      if (!provider?.handleWebhook) {
        throw new NotFoundError(
          `No deployment provider '${providerId}' accepts webhooks here`,
        );
      }
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const result = await webhooks.ingestWebhook(providerId, {
        headers: req.headers,
        rawBody,
      });
      if (result.status === 'accepted' && result.reply) {
        // The provider answers this delivery itself (e.g. an SNS subscription confirmation).
        res.status(result.reply.status).json(result.reply.body ?? {});
        return;
      }
      res.status(result.status === 'accepted' ? 202 : 200).json(result);
    },
  );

  /** The entity named by the path, as the caller may see it: 404 otherwise. */
  async function entityOf(req: Request, credentials: BackstageCredentials) {
    const params = parse(entityParamsSchema, req.params, 'entity reference');
    const entityRef = stringifyEntityRef(params).toLocaleLowerCase('en-US');
    const entity = await catalog.getEntityByRef(entityRef, { credentials });
    if (!entity) {
      throw new NotFoundError(`No entity ${entityRef} in the catalog`);
    }
    return { entity, entityRef, path: promotionPathOf(entity) };
  }

  const entityPath = '/entities/:kind/:namespace/:name';

  router.get(`${entityPath}/environments`, async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const query = parse(
      environmentsQuerySchema,
      req.query,
      'environments query',
    );
    const { entity, entityRef, path } = await entityOf(req, credentials);
    const entitySources = await sources.of(entity);
    const lanes: EnvironmentsResponse = entitySources.isEmpty
      ? {
          entityRef,
          environments: [],
          sync: [],
          reason: sources.noSourceReason(entityRef),
        }
      : await environmentLanes({
          store,
          entityRef,
          path,
          policies,
          sources: entitySources,
        });
    res.json(
      query.include?.length
        ? await withIncludes(lanes, {
            include: query.include,
            timelineLimit: query.timelineLimit,
            path,
            hasSources: !entitySources.isEmpty,
            store,
            permissions,
            credentials,
          })
        : lanes,
    );
  });

  router.get(`${entityPath}/timeline`, async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const query = parse(timelineQuerySchema, req.query, 'timeline query');
    const { entity, entityRef, path } = await entityOf(req, credentials);
    const unknown = (query.environment ?? []).filter(
      name => !path.includes(name),
    );
    if (unknown.length > 0) {
      throw new InputError(
        `environment '${unknown.join(
          ', ',
        )}' is not on the promotion path of ${entityRef} (${path.join(', ')})`,
      );
    }
    const environments = query.environment?.length ? query.environment : path;
    if ((await sources.of(entity)).isEmpty) {
      const empty: TimelineResponse = {
        entityRef,
        environments,
        rows: [],
        reason: sources.noSourceReason(entityRef),
      };
      res.json(empty);
      return;
    }
    const page = await store.getTimeline(entityRef, {
      environments,
      limit: query.limit,
      cursor: query.cursor,
      since: query.since,
      until: query.until,
    });
    const body: TimelineResponse = { entityRef, environments, ...page };
    res.json(body);
  });

  router.get(`${entityPath}/diff`, async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const query = parse(diffQuerySchema, req.query, 'diff query');
    const { entity, entityRef, path } = await entityOf(req, credentials);
    const entitySources = await sources.of(entity);
    if (entitySources.isEmpty) {
      res.json(
        emptyDiff({
          entityRef,
          from: { ref: query.from, sha: '' },
          to: { ref: query.to, sha: '' },
          reason: sources.noSourceReason(entityRef),
        }),
      );
      return;
    }
    res.json(
      await changeDiff({
        store,
        entity,
        entityRef,
        path,
        sources: entitySources,
        from: query.from,
        to: query.to,
      }),
    );
  });

  router.get(`${entityPath}/audit`, async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const query = parse(auditQuerySchema, req.query, 'audit query');
    const { entityRef } = await entityOf(req, credentials);
    const filters = {
      environment: query.environment,
      action: query.action,
      outcome: query.outcome,
      actor: query.actor,
      since: query.since,
      until: query.until,
    };
    if (query.format === 'csv') {
      const { csv, truncated } = await auditCsv({ store, entityRef, filters });
      const fileName = `${entityRef.replace(/[^a-z0-9._-]+/g, '-')}-audit.csv`;
      res
        .status(200)
        .type('text/csv')
        .setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
      if (truncated) {
        res.setHeader('X-Audit-Truncated', 'true');
      }
      res.send(csv);
      return;
    }
    const page = await store.listAudit(entityRef, filters, {
      limit: query.limit,
      cursor: query.cursor,
    });
    const body: AuditResponse = page;
    res.json(body);
  });

  router.get('/approvals', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    parse(noQuerySchema, req.query, 'approvals query');
    const gates = await approvableGates({
      store,
      catalog,
      permissions,
      credentials,
      actor: credentials.principal.userEntityRef,
    });
    const body: ApprovalsResponse = { gates };
    res.json(body);
  });

  /** The body each action takes. */
  const actionBodies = {
    promote: promoteBodySchema,
    rollback: promoteBodySchema,
    approve: decisionBodySchema,
    reject: decisionBodySchema,
    abort: abortBodySchema,
  } as const;
  type ActionName = keyof typeof actionBodies;

  function runAction(
    ctx: ActionContext,
    action: ActionName,
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

  router.post(
    `${entityPath}/:action(${Object.keys(actionBodies).join('|')})`,
    jsonBody({ limit: JSON_BODY_LIMIT }),
    async (req, res) => {
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      const action = req.params.action as ActionName;
      const auditEvent = await auditor.createEvent({
        eventId: 'deployment-action',
        severityLevel: 'medium',
        request: req,
        meta: {
          action,
          entity: `${req.params.kind}:${req.params.namespace}/${req.params.name}`,
        },
      });
      try {
        parse(noQuerySchema, req.query, `${action} query`);
        const idempotencyKey = parse(
          idempotencyKeySchema,
          req.header(IDEMPOTENCY_KEY_HEADER),
          `${IDEMPOTENCY_KEY_HEADER} header`,
        );
        const body = parse(
          actionBodies[action],
          req.body ?? {},
          `${action} body`,
        );
        const { entity, entityRef, path } = await entityOf(req, credentials);
        const actor = credentials.principal.userEntityRef;
        // Blank counts as absent: scrubbing a blank "token" from messages would mangle them.
        const userToken =
          req.header(PROVIDER_TOKEN_HEADER)?.trim() || undefined;
        const ctx: ActionContext = {
          entity,
          entityRef,
          path,
          sources: await sources.of(entity),
          actor,
          credentials,
          idempotencyKey,
          userToken,
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
        sendOutcome(req, res, outcome, ran.replayed);

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
                refusedBy: outcome.checks
                  .filter(c => !c.passed)
                  .map(c => c.rule),
              }),
        };
        if ('response' in outcome) {
          await auditEvent.success({ meta });
        } else {
          await auditEvent.fail({ error: new Error(outcome.message), meta });
        }
      } catch (error) {
        await auditEvent.fail({ error: error as Error });
        throw error;
      }
    },
  );

  return router;
}
