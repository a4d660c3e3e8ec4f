import express, { Request } from 'express';
import Router from 'express-promise-router';
import type {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ApprovalsResponse,
  AuditResponse,
  IDEMPOTENCY_KEY_HEADER,
  auditQuerySchema,
  diffQuerySchema,
  environmentsQuerySchema,
  timelineQuerySchema,
} from '@stagecraft/plugin-deployments-common';
import { z } from 'zod';
import type { DeploymentStore } from '../database/DeploymentStore';
import {
  ACTION_BODIES,
  DeploymentActionName,
  createDeploymentActionRunner,
} from '../actions/runDeploymentAction';
import { parseInput as parse } from '../entities/parseInput';
import { entityInViewLoader } from '../entities/visibleEntity';
import { sendOutcome } from './actionOutcomes';
import { createEvidenceRouter } from './evidenceRoutes';
import type { DeploymentPolicies } from '../policy/PromotionPolicy';
import { auditCsv } from '../reads/AuditExport';
import { EntityReads } from '../reads/EntityReads';
import {
  DeploymentProviderSource,
  EntitySources,
  listProviders,
} from '../sources/EntitySources';
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
  const entityInView = entityInViewLoader({ catalog, promotionPathOf });
  const reads = new EntityReads({ store, sources, policies, permissions });
  const runDeploymentAction = createDeploymentActionRunner({
    store,
    permissions,
    policies,
    auditor,
    logger: options.logger,
    sources,
    entityInView,
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
  function entityOf(req: Request, credentials: BackstageCredentials) {
    return entityInView(req.params, credentials);
  }

  const entityPath = '/entities/:kind/:namespace/:name';

  router.get(`${entityPath}/environments`, async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const query = parse(
      environmentsQuerySchema,
      req.query,
      'environments query',
    );
    res.json(
      await reads.environments(
        await entityOf(req, credentials),
        query,
        credentials,
      ),
    );
  });

  router.get(`${entityPath}/timeline`, async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const query = parse(timelineQuerySchema, req.query, 'timeline query');
    res.json(await reads.timeline(await entityOf(req, credentials), query));
  });

  router.get(`${entityPath}/diff`, async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const query = parse(diffQuerySchema, req.query, 'diff query');
    res.json(await reads.diff(await entityOf(req, credentials), query));
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

  // GET …/audit/:auditId/evidence: one release's evidence, JSON or Markdown.
  router.use(createEvidenceRouter({ store, httpAuth, entityInView }));

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

  router.post(
    `${entityPath}/:action(${Object.keys(ACTION_BODIES).join('|')})`,
    jsonBody({ limit: JSON_BODY_LIMIT }),
    async (req, res) => {
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      const action = req.params.action as DeploymentActionName;
      const { outcome, replayed } = await runDeploymentAction({
        credentials,
        entity: req.params,
        action,
        body: req.body,
        idempotencyKey: req.header(IDEMPOTENCY_KEY_HEADER),
        userToken: req.header(PROVIDER_TOKEN_HEADER),
        audit: { request: req },
        checkCall: () => parse(noQuerySchema, req.query, `${action} query`),
      });
      sendOutcome(req, res, outcome, replayed);
    },
  );

  return router;
}
