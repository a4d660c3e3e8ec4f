import type { LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { stringifyError } from '@backstage/errors';
import type {
  Capability,
  EnvironmentCapabilities,
} from '@stagecraft/plugin-deployments-common';
import {
  DeploymentProvider,
  hasCapability,
  ProviderCapability,
  ProviderTarget,
} from '@stagecraft/plugin-deployments-node';
import type { DeploymentStore } from '../database/DeploymentStore';
import {
  CHANGE_SOURCE_ANNOTATION,
  changeSourceOf,
  covers,
  ENVIRONMENTS_ANNOTATION,
  EntityTarget,
  EnvironmentOwner,
  environmentOwners,
} from '../environments/ownership';

/**
 * The registered providers. Providers register through the extension point
 * before the plugin initialises, so they are read at use, not at
 * construction: pass the Map that the extension point fills, or a function.
 */
export type DeploymentProviderSource =
  | ReadonlyMap<string, DeploymentProvider>
  | (() => Iterable<DeploymentProvider>);

/** The providers of a {@link DeploymentProviderSource}, as a list. */
export function listProviders(
  source: DeploymentProviderSource,
): DeploymentProvider[] {
  return typeof source === 'function' ? [...source()] : [...source.values()];
}

/**
 * The pseudo-provider under which the core stores an entity's own
 * declarations (`stagecraft.io/environments`, `stagecraft.io/change-source`)
 * beside the providers' targets, so that webhooks on any replica decide
 * environment ownership the same way the sync did.
 */
export const DECLARATIONS_PROVIDER = 'stagecraft';
const DECLARATIONS_KEY = 'declarations';

/** The entity's declarations as a stored pseudo-target; undefined when it declares nothing. */
export function declarationsTarget(entity: Entity): ProviderTarget | undefined {
  const annotations = entity.metadata.annotations ?? {};
  const settings: Record<string, string> = {};
  if (annotations[ENVIRONMENTS_ANNOTATION] !== undefined) {
    settings.environments = annotations[ENVIRONMENTS_ANNOTATION];
  }
  if (annotations[CHANGE_SOURCE_ANNOTATION] !== undefined) {
    settings.changeSource = annotations[CHANGE_SOURCE_ANNOTATION];
  }
  if (Object.keys(settings).length === 0) return undefined;
  return {
    key: DECLARATIONS_KEY,
    routingKeys: [],
    environments: [],
    settings,
  };
}

/** A provider and the target of the entity it acts on. */
export interface DeploymentSource {
  provider: DeploymentProvider;
  target: ProviderTarget;
}

/**
 * Everything the core knows about where one entity's deployments live: the
 * providers' targets, who owns each environment, the change source, and
 * what each owner can do.
 */
export class EntitySourceSet {
  readonly targets: EntityTarget[];
  readonly ownerOf: (environment: string) => EnvironmentOwner;
  private readonly providers: ReadonlyMap<string, DeploymentProvider>;
  private readonly changeSourceAnnotation?: string;

  constructor(options: {
    targets: EntityTarget[];
    providers: DeploymentProvider[];
    /** `stagecraft.io/environments` of the entity. */
    environmentsAnnotation?: string;
    /** `stagecraft.io/change-source` of the entity. */
    changeSourceAnnotation?: string;
  }) {
    this.providers = new Map(options.providers.map(p => [p.id, p]));
    // Targets of providers no longer installed are not sources.
    this.targets = options.targets.filter(t => this.providers.has(t.provider));
    this.changeSourceAnnotation = options.changeSourceAnnotation;
    this.ownerOf = environmentOwners({
      targets: this.targets,
      annotation: options.environmentsAnnotation,
    });
  }

  /** From stored targets, reading the declarations pseudo-target. */
  static fromStored(
    stored: EntityTarget[],
    providers: DeploymentProvider[],
  ): EntitySourceSet {
    const declarations = stored.find(t => t.provider === DECLARATIONS_PROVIDER)
      ?.target.settings;
    return new EntitySourceSet({
      targets: stored.filter(t => t.provider !== DECLARATIONS_PROVIDER),
      providers,
      environmentsAnnotation: declarations?.environments,
      changeSourceAnnotation: declarations?.changeSource,
    });
  }

  get isEmpty(): boolean {
    return this.targets.length === 0;
  }

  provider(id: string): DeploymentProvider | undefined {
    return this.providers.get(id);
  }

  /** The target of a provider by key, when the entity still has it. */
  source(providerId: string, targetKey?: string): DeploymentSource | undefined {
    const provider = this.providers.get(providerId);
    const entry = this.targets.find(
      t =>
        t.provider === providerId &&
        (targetKey === undefined || t.target.key === targetKey),
    );
    return provider && entry ? { provider, target: entry.target } : undefined;
  }

  /** The owner's source for an environment, or why there is none. */
  sourceFor(
    environment: string,
  ): { source: DeploymentSource } | { problem: string } {
    const owner = this.ownerOf(environment);
    const provider = owner.provider
      ? this.providers.get(owner.provider)
      : undefined;
    if (!owner.provider || !owner.target || !provider) {
      return {
        problem:
          owner.problem ?? `${owner.provider} is not installed in this backend`,
      };
    }
    return { source: { provider, target: owner.target } };
  }

  /**
   * Who deploys into the environment when someone promotes or rolls back:
   * its owner when it can; else the one other provider of the entity whose
   * target covers the environment and can (e.g. the GitHub workflow that runs
   * `sam deploy` into a stack AWS owns). Several such providers, or none,
   * refuse with the reason.
   */
  deployerFor(
    environment: string,
  ):
    | { source: DeploymentSource }
    | { problem: string; rule: 'environment-owner' | 'provider-capability' } {
    const owner = this.sourceFor(environment);
    if ('problem' in owner) {
      return { problem: owner.problem, rule: 'environment-owner' };
    }
    if (hasCapability(owner.source.provider, 'promote', owner.source.target))
      return owner;
    const others = this.targets.filter(
      t =>
        t.provider !== owner.source.provider.id &&
        covers(t.target, environment) &&
        hasCapability(this.providers.get(t.provider)!, 'promote', t.target),
    );
    const providers = [...new Set(others.map(t => t.provider))];
    const lacks = `${
      owner.source.provider.id
    } cannot deploy into ${environment} from the portal (${
      hasCapability(owner.source.provider, 'promote')
        ? `target ${owner.source.target.key}`
        : 'the provider'
    } has no promote capability)`;
    if (providers.length === 1) {
      return {
        source: {
          provider: this.providers.get(providers[0])!,
          target: others[0].target,
        },
      };
    }
    return {
      rule: 'provider-capability',
      problem:
        providers.length === 0
          ? lacks
          : `${lacks}, and ${providers.join(
              ' and ',
            )} both could, so neither is chosen`,
    };
  }

  /** The entity's source control, or why it has none. */
  changeSource(): { source: DeploymentSource } | { problem: string } {
    const { source, problem } = changeSourceOf({
      targets: this.targets,
      annotation: this.changeSourceAnnotation,
      canCompare: (id, target) => {
        const provider = this.providers.get(id);
        return !!provider && hasCapability(provider, 'compare', target);
      },
    });
    if (!source) return { problem: problem! };
    return {
      source: {
        provider: this.providers.get(source.provider)!,
        target: source.target,
      },
    };
  }

  /** Whether the environment's owner can do each thing the lane offers, with the reason when not. */
  capabilities(environment: string): EnvironmentCapabilities {
    const found = this.sourceFor(environment);
    const compare = this.changeSource();
    const compareCapability: Capability =
      'source' in compare
        ? { available: true }
        : { available: false, reason: compare.problem };
    if ('problem' in found) {
      const missing = { available: false, reason: found.problem };
      return {
        promote: missing,
        rollback: missing,
        review: missing,
        abort: missing,
        compare: compareCapability,
      };
    }
    const { provider, target } = found.source;
    const deployer = this.deployerFor(environment);
    const deploy: Capability =
      'source' in deployer
        ? { available: true }
        : { available: false, reason: deployer.problem };
    const can = (capability: ProviderCapability, what: string): Capability =>
      hasCapability(provider, capability, target)
        ? { available: true }
        : {
            available: false,
            reason: hasCapability(provider, capability)
              ? `${provider.id} cannot ${what} (target ${target.key} has no ${capability} capability)`
              : `${provider.id} cannot ${what} (the provider has no ${capability} capability)`,
          };
    return {
      promote: deploy,
      rollback: deploy,
      review: can('review', `decide gates of ${environment}`),
      abort: can('abort', `stop a rollout in ${environment}`),
      compare: compareCapability,
    };
  }
}

/**
 * Finds an entity's sources for pages and actions from the store (written by
 * sync), never from a live provider call. An entity the sync has not seen
 * yet is asked of the providers once, and what they say is stored so its
 * webhooks route too.
 */
export class EntitySources {
  constructor(
    private readonly options: {
      store: DeploymentStore;
      providers: DeploymentProviderSource;
      logger: LoggerService;
    },
  ) {}

  async of(entity: Entity): Promise<EntitySourceSet> {
    const { store } = this.options;
    const providers = listProviders(this.options.providers);
    const entityRef = stringifyEntityRef(entity);
    const annotations = entity.metadata.annotations ?? {};
    const declared = {
      environmentsAnnotation: annotations[ENVIRONMENTS_ANNOTATION],
      changeSourceAnnotation: annotations[CHANGE_SOURCE_ANNOTATION],
    };
    const stored = (await store.targetsOfEntity(entityRef)).filter(
      t => t.provider !== DECLARATIONS_PROVIDER,
    );
    if (stored.length > 0) {
      // The entity in hand is newer than what the sync stored of its
      // declarations; the targets come from the sync.
      return new EntitySourceSet({ targets: stored, providers, ...declared });
    }
    const targets = await readTargets(entity, providers, this.options.logger);
    try {
      for (const provider of providers) {
        const own = targets.filter(t => t.provider === provider.id);
        if (own.length > 0) {
          await store.setEntityTargets(
            entityRef,
            provider.id,
            own.map(t => t.target),
          );
        }
      }
      const declarations = declarationsTarget(entity);
      if (declarations) {
        await store.setEntityTargets(entityRef, DECLARATIONS_PROVIDER, [
          declarations,
        ]);
      }
    } catch (error) {
      // Two first requests for the same entity store the same targets at
      // once; one of them loses the race, and what the winner stored is
      // what this request would have stored. The next sync stores them anyway.
      this.options.logger.debug(
        `Targets of ${entityRef} were stored by a concurrent request: ${stringifyError(
          error,
        )}`,
      );
    }
    return new EntitySourceSet({ targets, providers, ...declared });
  }

  /** Why an entity shows no deployments, when no provider recognises it. */
  noSourceReason(entityRef: string): string {
    const installed = listProviders(this.options.providers).map(p => p.id);
    return installed.length === 0
      ? 'No deployment provider is installed in this backend'
      : `${entityRef} has no annotation that one of the installed deployment providers (${installed.join(
          ', ',
        )}) recognises`;
  }
}

/**
 * Asks every provider for the entity's targets. A provider that fails is
 * logged and skipped: the others still count.
 */
export async function readTargets(
  entity: Entity,
  providers: DeploymentProvider[],
  logger: LoggerService,
): Promise<EntityTarget[]> {
  const entityRef = stringifyEntityRef(entity);
  const all: EntityTarget[] = [];
  for (const provider of providers) {
    try {
      for (const target of await provider.targetsOf(entity)) {
        all.push({ provider: provider.id, target });
      }
    } catch (error) {
      logger.warn(
        `Deployment provider '${
          provider.id
        }' could not read the targets of ${entityRef}: ${stringifyError(
          error,
        )}`,
      );
    }
  }
  return all;
}
