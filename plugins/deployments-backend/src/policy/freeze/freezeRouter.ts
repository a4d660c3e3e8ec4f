import express from 'express';
import Router from 'express-promise-router';
import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  FreezesResponse,
  describeZodError,
  isoDateSchema,
} from '@stagecraft/plugin-deployments-common';
import { z } from 'zod';
import type { ProviderWindow } from '../../database/DeploymentStore';
import type { FreezeCalendar } from './FreezeCalendar';
import { providerFreezeWindows } from './providerWindows';

/** The longest range `?from=&to=` may span. */
const MAX_RANGE_DAYS = 400;

const isoDate = isoDateSchema;

const freezesQuerySchema = z
  .object({
    entity: z.string().min(1).max(300).optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
  })
  .strict();

/**
 * `GET /freezes[?entity=component:default/x][&from=…&to=…]`: the freeze
 * windows on now and each window's next time — those of config, or those
 * covering the entity (config's by scope, its own annotation, and the time
 * outside a deployment window its provider defines). With a range, also
 * every time a window is on within it (for the timeline).
 * Authenticated like the other routes; the entity follows catalog read.
 */
export async function createFreezeRouter(options: {
  freezes: FreezeCalendar;
  httpAuth: HttpAuthService;
  catalog: CatalogService;
  /** The entity's provider-defined deployment windows, as sync stored them. */
  providerWindows?: (entityRef: string) => Promise<ProviderWindow[]>;
}): Promise<express.Router> {
  const { freezes, httpAuth, catalog } = options;
  const router = Router();

  router.get('/freezes', async (req, res) => {
    const credentials = await httpAuth.credentials(req);
    const parsed = freezesQuerySchema.safeParse(req.query);
    if (!parsed.success) {
      throw new InputError(
        `Invalid freezes query: ${describeZodError(parsed.error)}`,
      );
    }
    const query = parsed.data;
    if ((query.from === undefined) !== (query.to === undefined)) {
      throw new InputError('Invalid freezes query: give both from and to');
    }
    let range: { from: Date; to: Date } | undefined;
    if (query.from && query.to) {
      range = { from: new Date(query.from), to: new Date(query.to) };
      const days = (range.to.getTime() - range.from.getTime()) / 86_400_000;
      if (days <= 0 || days > MAX_RANGE_DAYS) {
        throw new InputError(
          `Invalid freezes query: to must be after from, at most ${MAX_RANGE_DAYS} days later`,
        );
      }
    }
    let entity;
    let providerWindows: ReturnType<typeof providerFreezeWindows> | undefined;
    if (query.entity) {
      let entityRef: string;
      try {
        entityRef = stringifyEntityRef(
          parseEntityRef(query.entity, { defaultNamespace: 'default' }),
        ).toLocaleLowerCase('en-US');
      } catch (error) {
        throw new InputError(
          `Invalid freezes query: entity must be an entity reference such as component:default/payments-api (${
            (error as Error).message
          })`,
        );
      }
      entity = await catalog.getEntityByRef(entityRef, { credentials });
      if (!entity) {
        throw new NotFoundError(`No entity ${entityRef} in the catalog`);
      }
      if (options.providerWindows) {
        providerWindows = providerFreezeWindows(
          entityRef,
          await options.providerWindows(entityRef),
        );
      }
    }
    const body: FreezesResponse = freezes.list({
      entity,
      range,
      providerWindows,
    });
    res.json(body);
  });

  return router;
}
