import type { Entity } from '@backstage/catalog-model';

/** The standard annotation that names an entity's GitHub repository. */
export const GITHUB_PROJECT_SLUG_ANNOTATION = 'github.com/project-slug';
/** Prefix of Stagecraft's own annotations. */
export const STAGECRAFT_ANNOTATION_PREFIX = 'stagecraft.io/';

/** Whether an entity carries annotations a deployments provider reads. */
export function isDeploymentsAvailable(entity: Entity): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return Object.keys(annotations).some(
    key =>
      key === GITHUB_PROJECT_SLUG_ANNOTATION ||
      key.startsWith(STAGECRAFT_ANNOTATION_PREFIX),
  );
}
