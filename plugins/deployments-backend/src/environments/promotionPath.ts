import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/** Annotation with an entity's own promotion path, comma-separated in order. */
export const PROMOTION_PATH_ANNOTATION = 'stagecraft.io/promotion-path';

/** The path used when neither the entity nor the configuration names one. */
export const DEFAULT_PROMOTION_PATH: readonly string[] = [
  'dev',
  'staging',
  'production',
];

/** Environment names as GitHub and AWS accept them, and safe in URLs and ids. */
const ENVIRONMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * The environments an entity's versions travel through, in order: the
 * entity's `stagecraft.io/promotion-path` annotation, else the configured
 * `deployments.promotionPath`, else dev → staging → production.
 *
 * Throws InputError naming the entity and the bad value when the annotation
 * is malformed, so a typo shows up instead of an empty page.
 */
export function promotionPathOf(entity: Entity, config: Config): string[] {
  const annotation = entity.metadata.annotations?.[PROMOTION_PATH_ANNOTATION];
  if (annotation !== undefined) {
    return validatedPath(
      annotation.split(','),
      `annotation ${PROMOTION_PATH_ANNOTATION} of ${stringifyEntityRef(
        entity,
      )}`,
    );
  }
  const configured = config.getOptionalStringArray('deployments.promotionPath');
  if (configured !== undefined) {
    return validatedPath(configured, 'config deployments.promotionPath');
  }
  return [...DEFAULT_PROMOTION_PATH];
}

function validatedPath(names: string[], source: string): string[] {
  const path = names.map(name => name.trim());
  if (path.length === 0 || path.every(name => name === '')) {
    throw new InputError(`The promotion path in ${source} is empty`);
  }
  for (const name of path) {
    if (!ENVIRONMENT_NAME.test(name)) {
      throw new InputError(
        `The promotion path in ${source} has an invalid environment name '${name}'`,
      );
    }
  }
  const duplicate = path.find((name, index) => path.indexOf(name) !== index);
  if (duplicate !== undefined) {
    throw new InputError(
      `The promotion path in ${source} names '${duplicate}' twice`,
    );
  }
  return path;
}
