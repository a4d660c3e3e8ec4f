import type { Entity } from '@backstage/catalog-model';
import type {
  DeploymentProvider,
  ProviderTarget,
} from '@stagecraft/plugin-deployments-node';
import type { Deployment } from '@stagecraft/plugin-deployments-common';

/** One provider that knows where an entity's deployments live. */
export interface DeploymentSource {
  provider: DeploymentProvider;
  target: ProviderTarget;
}

/** The providers that recognise the entity, in registration order. */
export function sourcesOf(
  entity: Entity,
  providers: ReadonlyMap<string, DeploymentProvider>,
): DeploymentSource[] {
  const sources: DeploymentSource[] = [];
  for (const provider of providers.values()) {
    const target = provider.targetOf(entity);
    if (target) {
      sources.push({ provider, target });
    }
  }
  return sources;
}

/**
 * The source that deploys into an environment: the provider of the newest
 * deployment seen there, else the first provider of the entity. An entity may
 * use GitHub for dev and AWS for production; the ledger says which.
 */
export function sourceForEnvironment(
  sources: DeploymentSource[],
  deploymentsThere: Array<Deployment | undefined>,
): DeploymentSource | undefined {
  for (const deployment of deploymentsThere) {
    const match = sources.find(
      source => source.provider.id === deployment?.provider,
    );
    if (match) {
      return match;
    }
  }
  return sources[0];
}

/** Why an entity shows no deployments, when no provider recognises it. */
export function noSourceReason(
  entityRef: string,
  providers: ReadonlyMap<string, DeploymentProvider>,
): string {
  const installed = [...providers.keys()];
  return installed.length === 0
    ? 'No deployment provider is installed in this backend'
    : `${entityRef} has no annotation that one of the installed deployment providers (${installed.join(
        ', ',
      )}) recognises`;
}
