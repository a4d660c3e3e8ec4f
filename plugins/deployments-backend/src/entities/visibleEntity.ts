import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { entityParamsSchema } from '@stagecraft/plugin-deployments-common';
import { parseInput } from './parseInput';

/** An entity as the caller may see it, with its ref and promotion path. */
export interface EntityInView {
  entity: Entity;
  /** The entity ref, lower case. */
  entityRef: string;
  /** The entity's promotion path, in order. */
  path: string[];
}

/** The parts of an entity ref as a caller names them, not yet validated. */
export interface EntityParams {
  kind?: unknown;
  namespace?: unknown;
  name?: unknown;
}

/**
 * Finds the entity the caller names, as the caller may see it in the
 * catalog: a 400 for a malformed name, a 404 when the catalog has no such
 * entity or does not show it to this caller.
 */
export function entityInViewLoader(options: {
  catalog: CatalogService;
  /** The entity's promotion path: annotation, else config, else the default. */
  promotionPathOf(entity: Entity): string[];
}): (
  params: EntityParams,
  credentials: BackstageCredentials,
) => Promise<EntityInView> {
  const { catalog, promotionPathOf } = options;
  return async (params, credentials) => {
    const parsed = parseInput(entityParamsSchema, params, 'entity reference');
    const entityRef = stringifyEntityRef(parsed).toLocaleLowerCase('en-US');
    const entity = await catalog.getEntityByRef(entityRef, { credentials });
    if (!entity) {
      throw new NotFoundError(`No entity ${entityRef} in the catalog`);
    }
    return { entity, entityRef, path: promotionPathOf(entity) };
  };
}

/**
 * The parts of an entity ref written `kind:namespace/name` (the namespace may
 * be left out for `default`), for the loader to validate; a ref that does not
 * parse is a 400.
 */
export function entityParamsOf(entityRef: string): EntityParams {
  try {
    const { kind, namespace, name } = parseEntityRef(entityRef);
    return { kind, namespace, name };
  } catch (error) {
    throw new InputError(
      `Invalid entity reference: '${entityRef}' is not of the form kind:namespace/name (${
        (error as Error).message
      })`,
    );
  }
}
