import type { Entity } from '@backstage/catalog-model';

/** The standard annotation that names an entity's GitHub repository. */
export const GITHUB_PROJECT_SLUG_ANNOTATION = 'github.com/project-slug';
/** The AWS CodePipeline annotation (the one the community AWS plugins read). */
export const AWS_CODEPIPELINE_ARN_ANNOTATION =
  'aws.amazon.com/aws-codepipeline-arn';
/** Prefix of Stagecraft's own annotations (stacks, environment mappings, …). */
export const STAGECRAFT_ANNOTATION_PREFIX = 'stagecraft.io/';

/** Which annotations mean that a deployments provider has something to say about an entity. */
export interface DeploymentsAvailabilityOptions {
  /** Annotation keys of further providers, e.g. `argocd/app-name`. */
  annotations?: string[];
  /** Annotation key prefixes of further providers, e.g. `example.com/deploy-`. */
  annotationPrefixes?: string[];
}

/**
 * Builds the check the entity page uses to offer the deployments tab and
 * card. It knows the annotations of the providers Stagecraft ships (GitHub,
 * AWS, Stagecraft's own) and adds those given, so a third-party provider's
 * entities get the tab too.
 */
export function createIsDeploymentsAvailable(
  options: DeploymentsAvailabilityOptions = {},
): (entity: Entity) => boolean {
  const keys = new Set([
    GITHUB_PROJECT_SLUG_ANNOTATION,
    AWS_CODEPIPELINE_ARN_ANNOTATION,
    ...(options.annotations ?? []),
  ]);
  const prefixes = [
    STAGECRAFT_ANNOTATION_PREFIX,
    ...(options.annotationPrefixes ?? []),
  ];
  return (entity: Entity) =>
    Object.entries(entity.metadata.annotations ?? {}).some(
      ([key, value]) =>
        // An annotation left empty names nothing to read deployments from.
        Boolean(value?.trim()) &&
        (keys.has(key) || prefixes.some(prefix => key.startsWith(prefix))),
    );
}

/** Whether an entity carries annotations one of the known deployments providers reads. */
export const isDeploymentsAvailable = createIsDeploymentsAvailable();
