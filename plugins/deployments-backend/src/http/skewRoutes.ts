import express from 'express';
import Router from 'express-promise-router';
import type {
  DatabaseService,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import type { Config } from '@backstage/config';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  skewQuerySchema,
  type SkewResponse,
} from '@stagecraft/plugin-deployments-common';
import { parseTime } from '../database/dbTime';
import {
  KnexSkewAudit,
  SkewPage,
  SkewRange,
} from '../database/skew/KnexSkewAudit';
import { parseInput } from '../entities/parseInput';
import { entityInViewLoader } from '../entities/visibleEntity';
import { readMinimumSoak, skewCsv } from '../reads/SkewAudit';

/**
 * The promotion-skew audit's routes: `GET /entities/:kind/:namespace/:name/skew`
 * (the entity as the caller may see it, 404 otherwise) and `GET /skew`
 * (every entity the catalog shows the caller), each as JSON or
 * `format=csv`.
 */
export async function createSkewRouter(options: {
  database: DatabaseService;
  config: Config;
  catalog: CatalogService;
  httpAuth: HttpAuthService;
  /** The entity's promotion path: annotation, else config, else the default. */
  promotionPathOf(entity: Entity): string[];
}): Promise<express.Router> {
  const { catalog, httpAuth, promotionPathOf } = options;
  const audit = new KnexSkewAudit(await options.database.getClient());
  const minimumSoak = readMinimumSoak(options.config);
  const entityInView = entityInViewLoader({ catalog, promotionPathOf });
  const router = Router();

  const queryOf = (req: express.Request) => {
    const query = parseInput(skewQuerySchema, req.query, 'skew query');
    const range: SkewRange = {
      since: query.since ? parseTime(query.since, 'since') : undefined,
      until: query.until ? parseTime(query.until, 'until') : undefined,
    };
    return { query, range };
  };

  const send = async (
    res: express.Response,
    query: ReturnType<typeof queryOf>['query'],
    fileName: string,
    read: (page: SkewPage) => Promise<SkewResponse>,
  ) => {
    if (query.format === 'csv') {
      const { csv, truncated } = await skewCsv(read, query.kind);
      res
        .status(200)
        .type('text/csv')
        .setHeader('Content-Disposition', `attachment; filename="${fileName}"`);
      if (truncated) res.setHeader('X-Skew-Truncated', 'true');
      res.send(csv);
      return;
    }
    const body: SkewResponse = await read({
      limit: query.limit,
      cursor: query.cursor,
      kinds: query.kind,
    });
    res.json(body);
  };

  router.get('/entities/:kind/:namespace/:name/skew', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const { query, range } = queryOf(req);
    const { entityRef, path } = await entityInView(req.params, credentials);
    await send(
      res,
      query,
      `${entityRef.replace(/[^a-z0-9._-]+/g, '-')}-promotion-skew.csv`,
      page =>
        audit.entityFindings({ entityRef, path, minimumSoak, range, page }),
    );
  });

  router.get('/skew', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const { query, range } = queryOf(req);
    // The entities of each page of deployments, as the catalog shows them to
    // the caller: what it does not return is left out.
    const visible = async (entityRefs: string[]) => {
      const { items } = await catalog.getEntitiesByRefs(
        {
          entityRefs,
          fields: [
            'kind',
            'metadata.namespace',
            'metadata.name',
            'metadata.annotations',
          ],
        },
        { credentials },
      );
      const paths = new Map<string, string[]>();
      items.forEach((entity, index) => {
        if (!entity) return;
        try {
          paths.set(entityRefs[index], promotionPathOf(entity));
        } catch {
          // A malformed promotion-path annotation: the entity's own routes
          // answer 400 naming it; the portfolio leaves the entity out.
        }
      });
      return paths;
    };
    await send(res, query, 'promotion-skew.csv', page =>
      audit.findingsAcross({ visible, minimumSoak, range, page }),
    );
  });

  return router;
}
