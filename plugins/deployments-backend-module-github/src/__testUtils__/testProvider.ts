import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { GithubDeploymentProvider } from '../GithubDeploymentProvider';

export const WEBHOOK_SECRET = "It's a Secret to Everybody";

/** A provider wired as in production, with fast retries and a short request timeout for tests. */
export function createTestProvider(
  options: {
    integration?: Record<string, string>;
    logger?: ReturnType<typeof mockServices.logger.mock>;
  } = {},
) {
  const logger = options.logger ?? mockServices.logger.mock();
  const config = new ConfigReader({
    integrations: {
      github: [
        options.integration ?? {
          host: 'github.com',
          token: 'integration-token',
        },
      ],
    },
    deployments: { github: { webhookSecret: WEBHOOK_SECRET } },
  });
  const provider = GithubDeploymentProvider.fromConfig(config, {
    logger,
    retryBaseMs: 1,
    requestTimeoutMs: 300,
    writeSpacingMs: 0,
    retries: 2,
  });
  return { provider, logger };
}

export function entityFor(
  slug: string,
  annotations: Record<string, string> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: slug.split('/')[1],
      annotations: { 'github.com/project-slug': slug, ...annotations },
    },
    spec: { type: 'service', owner: 'team-payments', lifecycle: 'production' },
  };
}

/** The one target the GitHub provider makes of an entity (its repository). */
export async function repositoryTarget(
  provider: GithubDeploymentProvider,
  entity: Entity,
) {
  const [target] = await provider.targetsOf(entity);
  if (!target) throw new Error('the entity has no GitHub target');
  return target;
}
