import express from 'express';
import Router from 'express-promise-router';
import type {
  DatabaseService,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  metricsQuerySchema,
  ownerMetricsQuerySchema,
  resolveMetricsRange,
  type EntityMetricsResponse,
  type OwnerMetricsResponse,
} from '@stagecraft/plugin-deployments-common';
import {
  ClassifiedDeployment,
  KnexDeliveryMetrics,
} from '../database/metrics/KnexDeliveryMetrics';
import { parseInput } from '../entities/parseInput';
import { entityInViewLoader } from '../entities/visibleEntity';
import {
  classifyEntity,
  deliveryMetrics,
  figuresOf,
  readMetricsRules,
} from '../reads/DeliveryMetrics';

/** The most entities of one owner a request reads; `truncated` says when there were more. */
export const MAX_OWNER_ENTITIES = 200;
/** Entities classified at the same time for an owner. */
const CONCURRENCY = 4;

/**
 * The delivery metrics' routes: `GET /entities/:kind/:namespace/:name/metrics`
 * (the entity as the caller may see it, 404 otherwise) and
 * `GET /metrics?owner=` (the entities the owner owns that the catalog shows
 * the caller). Both take `period=90d` or `from`/`to`.
 */
export async function createMetricsRouter(options: {
  database: DatabaseService;
  config: Config;
  catalog: CatalogService;
  httpAuth: HttpAuthService;
  /** The entity's promotion path: annotation, else config, else the default. */
  promotionPathOf(entity: Entity): string[];
  /** The clock; tests pass their own. */
  now?: () => Date;
}): Promise<express.Router> {
  const { catalog, httpAuth, promotionPathOf } = options;
  const now = options.now ?? (() => new Date());
  const metrics = new KnexDeliveryMetrics(await options.database.getClient());
  const rules = readMetricsRules(options.config);
  const entityInView = entityInViewLoader({ catalog, promotionPathOf });
  const router = Router();

  const rangeOf = (query: { period?: string; from?: string; to?: string }) => {
    const at = now();
    const range = resolveMetricsRange(query, at);
    if ('problem' in range) {
      throw new InputError(`Invalid metrics query: ${range.problem}`);
    }
    return { range, at };
  };

  router.get('/entities/:kind/:namespace/:name/metrics', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const query = parseInput(metricsQuerySchema, req.query, 'metrics query');
    const { range, at } = rangeOf(query);
    const { entityRef, path } = await entityInView(req.params, credentials);
    const environment = path[path.length - 1];
    const classified = await classifyEntity(metrics, {
      entityRef,
      environment,
      range,
      rules,
      now: at,
    });
    const body: EntityMetricsResponse = {
      entityRef,
      environment,
      ...deliveryMetrics(classified, range, rules),
    };
    res.json(body);
  });

  router.get('/metrics', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const query = parseInput(
      ownerMetricsQuerySchema,
      req.query,
      'metrics query',
    );
    const { range, at } = rangeOf(query);
    const owner = ownerRefOf(query.owner);
    // What the owner owns, as the catalog shows it to the caller.
    const { items } = await catalog.getEntities(
      {
        filter: { 'relations.ownedBy': owner },
        fields: [
          'kind',
          'metadata.namespace',
          'metadata.name',
          'metadata.annotations',
        ],
        limit: MAX_OWNER_ENTITIES + 1,
      },
      { credentials },
    );
    const owned = items.slice(0, MAX_OWNER_ENTITIES).flatMap(entity => {
      try {
        const path = promotionPathOf(entity);
        return [
          {
            entityRef: stringifyEntityRef(entity).toLocaleLowerCase('en-US'),
            environment: path[path.length - 1],
          },
        ];
      } catch {
        // A malformed promotion-path annotation: the entity's own route
        // answers 400 naming it; the owner's figures leave it out.
        return [];
      }
    });
    const perEntity: ClassifiedDeployment[][] = new Array(owned.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, owned.length) }, async () => {
        while (next < owned.length) {
          const index = next++;
          perEntity[index] = await classifyEntity(metrics, {
            ...owned[index],
            range,
            rules,
            now: at,
          });
        }
      }),
    );
    const from = range.from.getTime();
    const to = range.to.getTime();
    const body: OwnerMetricsResponse = {
      owner,
      ...deliveryMetrics(perEntity.flat(), range, rules),
      entities: owned.map((entity, index) => ({
        ...entity,
        figures: figuresOf(perEntity[index], from, to),
      })),
      ...(items.length > MAX_OWNER_ENTITIES ? { truncated: true } : {}),
    };
    res.json(body);
  });

  return router;
}

/** `group:default/x`, `group:x` or `x` (a group), or a user; anything else is a 400. */
function ownerRefOf(owner: string): string {
  let ref;
  try {
    ref = parseEntityRef(owner, {
      defaultKind: 'group',
      defaultNamespace: 'default',
    });
  } catch (error) {
    throw new InputError(
      `Invalid metrics query: owner '${owner}' is not an entity reference (${
        (error as Error).message
      })`,
    );
  }
  const kind = ref.kind.toLocaleLowerCase('en-US');
  if (kind !== 'group' && kind !== 'user') {
    throw new InputError(
      `Invalid metrics query: owner must be a group or a user, not a ${ref.kind}`,
    );
  }
  return stringifyEntityRef(ref).toLocaleLowerCase('en-US');
}
