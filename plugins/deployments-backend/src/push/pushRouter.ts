import express, { NextFunction, Request, Response } from 'express';
import Router from 'express-promise-router';
import type {
  AuthService,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { describeZodError } from '@stagecraft/plugin-deployments-common';
import type { ProviderWebhookRequest } from '@stagecraft/plugin-deployments-node';
import type { DeploymentStore } from '../database/DeploymentStore';
import { jsonBody } from '../http/jsonBody';
import {
  DeploymentProviderSource,
  EntitySourceSet,
  EntitySources,
  listProviders,
} from '../sources/EntitySources';
import { entityEnvironment } from '../sync/translateReport';
import {
  PUSH_SEAL_HEADER,
  PUSH_SOURCE_ANNOTATION,
  PushDeploymentProvider,
  pushDeliveryKey,
  pushEntityRef,
} from './PushDeploymentProvider';
import { PushEvent, pushEventSchema } from './pushEventSchema';

/** Where accepted events go: the core's webhook intake (DeploymentSync). */
export interface PushIntake {
  ingestWebhook(
    providerId: string,
    request: ProviderWebhookRequest,
  ): Promise<{ status: 'accepted' } | { status: 'duplicate' }>;
}

export interface PushRouterOptions {
  /** The configured push sources, as providers registered with the plugin. */
  sources: PushDeploymentProvider[];
  /** Every registered provider, the push sources included (for environment ownership). */
  providers: DeploymentProviderSource;
  intake: PushIntake;
  store: DeploymentStore;
  catalog: CatalogService;
  auth: AuthService;
  httpAuth: HttpAuthService;
  logger: LoggerService;
  /** The entity's promotion path: annotation, else config, else the default. */
  promotionPathOf(entity: Entity): string[];
}

/** What `POST /events` answers for an event it stored. */
export interface PushAccepted {
  status: 'accepted';
  eventKey: string;
  entityRef: string;
  /** Stagecraft's id of the deployment, `<source>:<deploymentId>`. */
  deploymentId: string;
  /** The entity's name of the environment, after the source's mapping. */
  environment: string;
  /** `link`: another provider owns the environment; the event is a link on its deployment of the same commit. */
  recordedAs: 'deployment' | 'link';
  owner?: string;
  /** Why the environment has no owner, when it has none (the lane says so too). */
  warning?: string;
}

const PUSH_BODY_LIMIT = '64kb';

type SourceLocals = { pushSource: PushDeploymentProvider };

/**
 * `POST /events`: deployments and status changes pushed by any CI system,
 * authenticated by a Backstage external access token whose subject is a
 * configured push source. The event is validated (400 naming the field), its
 * entity must exist (404) and accept the source (403), and its environment
 * must be on the entity's promotion path (400), before anything is written.
 */
export async function createPushRouter(
  options: PushRouterOptions,
): Promise<express.Router> {
  const { sources, providers, intake, store, catalog, auth, httpAuth } =
    options;
  const bySubject = new Map(sources.map(s => [s.source.subject, s]));
  const entitySources = new EntitySources({
    store,
    providers,
    logger: options.logger,
  });

  const router = Router();

  /** The push source the caller's token stands for: before the body is read, so a refused caller learns nothing about it. */
  async function pushSourceOf(req: Request, res: Response, next: NextFunction) {
    const credentials = await httpAuth.credentials(req, { allow: ['service'] });
    const subject = credentials.principal.subject;
    const source = bySubject.get(subject);
    if (!source) {
      throw new NotAllowedError(
        sources.length === 0
          ? 'No push sources are configured (deployments.push.sources)'
          : `The service '${subject}' is not a push source: add it to deployments.push.sources with its token's subject`,
      );
    }
    (res.locals as SourceLocals).pushSource = source;
    next();
  }

  router.post(
    '/events',
    pushSourceOf,
    jsonBody({ limit: PUSH_BODY_LIMIT }),
    async (req, res) => {
      const source = (res.locals as SourceLocals).pushSource;
      const parsed = pushEventSchema.safeParse(req.body ?? {});
      if (!parsed.success) {
        throw new InputError(
          `Invalid push event: ${describeZodError(parsed.error)}`,
        );
      }
      const event = parsed.data;
      const { entityRef, environment, owner, problem } = await place(
        source,
        event,
      );

      const rawBody = Buffer.from(JSON.stringify(event), 'utf8');
      const result = await intake.ingestWebhook(source.id, {
        headers: { [PUSH_SEAL_HEADER]: source.seal(rawBody) },
        rawBody,
      });
      const eventKey = pushDeliveryKey(event);
      if (result.status === 'duplicate') {
        res.status(200).json({ status: 'duplicate', eventKey, entityRef });
        return;
      }
      const body: PushAccepted = {
        status: 'accepted',
        eventKey,
        entityRef,
        deploymentId: `${source.id}:${event.deploymentId}`,
        environment,
        recordedAs: owner && owner !== source.id ? 'link' : 'deployment',
        ...(owner ? { owner } : {}),
        ...(problem ? { warning: problem } : {}),
      };
      res.status(202).json(body);
    },
  );

  /**
   * Checks that the event can be applied (entity, annotation, environment,
   * ownership) and makes sure the entity's targets are stored, so the intake
   * routes the event even before the next sync has seen the annotation.
   */
  async function place(source: PushDeploymentProvider, event: PushEvent) {
    const entityRef = pushEntityRef(event.entity);
    const entity = await catalog.getEntityByRef(entityRef, {
      credentials: await auth.getOwnServiceCredentials(),
    });
    if (!entity) {
      throw new NotFoundError(
        `entity: no ${entityRef} in the catalog (from '${event.entity}')`,
      );
    }
    const targets = await source.targetsOf(entity);
    if (targets.length === 0) {
      throw new NotAllowedError(
        `${entityRef} does not take deployments from push source '${source.id}': add the annotation ${PUSH_SOURCE_ANNOTATION}: ${source.id} to it`,
      );
    }
    const environment = entityEnvironment(targets[0], event.environment);
    const path = options.promotionPathOf(entity);
    if (!path.includes(environment)) {
      throw new InputError(
        `environment '${event.environment}'${
          environment !== event.environment ? ` (${environment})` : ''
        } is not on the promotion path of ${entityRef} (${path.join(', ')})`,
      );
    }

    // First sight of the entity stores every provider's targets; a push
    // annotation added since the last sync stores this source's.
    const known = await entitySources.of(entity);
    const stored = known.source(source.id)?.target;
    if (JSON.stringify(stored) !== JSON.stringify(targets[0])) {
      await store.setEntityTargets(entityRef, source.id, targets);
    }
    const ownership = EntitySourceSet.fromStored(
      await store.targetsOfEntity(entityRef),
      listProviders(providers),
    ).ownerOf(environment);
    const owner = ownership.provider;
    if (owner && owner !== source.id && !event.version.sha) {
      throw new ConflictError(
        `${owner} owns ${environment} of ${entityRef}, so this event can only be a link on ${owner}'s deployment of the same commit: send version.sha`,
      );
    }
    return { entityRef, environment, owner, problem: ownership.problem };
  }

  return router;
}
