import type { EnvironmentOwnership } from '@stagecraft/plugin-deployments-common';
import type { ProviderTarget } from '@stagecraft/plugin-deployments-node';

/**
 * Annotation naming the provider that deploys into each environment, e.g.
 * `dev=github,staging=github,production=aws`. Needed only when the providers'
 * own targets do not say it unambiguously.
 */
export const ENVIRONMENTS_ANNOTATION = 'stagecraft.io/environments';

/** Annotation naming the provider whose targets are the entity's source control, when several could be. */
export const CHANGE_SOURCE_ANNOTATION = 'stagecraft.io/change-source';

/** One target of one provider of an entity. */
export interface EntityTarget {
  provider: string;
  target: ProviderTarget;
}

/** Who deploys into one environment: a provider's target, or why no one does. */
export interface EnvironmentOwner extends EnvironmentOwnership {
  provider?: string;
  target?: ProviderTarget;
}

/**
 * Parses `environment=provider` pairs separated by commas. Malformed pairs
 * are reported, not silently dropped, so a typo shows on the lane.
 */
export function parseEnvironmentOwners(value: string | undefined): {
  owners: Map<string, string>;
  problems: string[];
} {
  const owners = new Map<string, string>();
  const problems: string[] = [];
  for (const part of (value ?? '').split(',')) {
    const pair = part.trim();
    if (!pair) continue;
    const match =
      /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*=\s*([a-z0-9][a-z0-9-]*)$/.exec(pair);
    if (!match) {
      problems.push(
        `'${pair}' in ${ENVIRONMENTS_ANNOTATION} is not environment=provider`,
      );
      continue;
    }
    owners.set(match[1], match[2]);
  }
  return { owners, problems };
}

/** Whether a target reports the environment (an entity environment name). */
export function covers(target: ProviderTarget, environment: string): boolean {
  return (
    target.environments === 'all' || target.environments.includes(environment)
  );
}

/**
 * Decides which provider owns each environment of an entity. An environment
 * has exactly one owner, never "the first provider":
 *
 * 1. `stagecraft.io/environments` names it: that provider, through its target
 *    that covers the environment.
 * 2. Else the one provider whose targets name the environment explicitly.
 * 3. Else the one provider with a target that covers every environment.
 *
 * Several candidates at step 2 or 3, or none at all, leave the environment
 * without an owner and say why.
 */
export function environmentOwners(options: {
  targets: EntityTarget[];
  annotation?: string;
}): (environment: string) => EnvironmentOwner {
  const { targets } = options;
  const declared = parseEnvironmentOwners(options.annotation);
  const cache = new Map<string, EnvironmentOwner>();

  const targetOf = (provider: string, environment: string) => {
    const own = targets.filter(t => t.provider === provider);
    return (
      own.find(
        t =>
          t.target.environments !== 'all' &&
          t.target.environments.includes(environment),
      ) ?? own.find(t => t.target.environments === 'all')
    )?.target;
  };

  const decide = (environment: string): EnvironmentOwner => {
    const annotated = declared.owners.get(environment);
    if (annotated) {
      const target = targetOf(annotated, environment);
      if (!target) {
        return {
          provider: annotated,
          declaredBy: 'annotation',
          problem: `${ENVIRONMENTS_ANNOTATION} names ${annotated} for ${environment}, but ${annotated} reports no target for it`,
        };
      }
      return { provider: annotated, target, declaredBy: 'annotation' };
    }
    const named = providersOf(
      targets.filter(
        t =>
          t.target.environments !== 'all' &&
          t.target.environments.includes(environment),
      ),
    );
    const candidates =
      named.length > 0
        ? named
        : providersOf(targets.filter(t => t.target.environments === 'all'));
    if (candidates.length === 1) {
      return {
        provider: candidates[0],
        target: targetOf(candidates[0], environment),
        declaredBy: 'provider',
      };
    }
    const problems = [...declared.problems];
    problems.push(
      candidates.length === 0
        ? `no deployment provider reports ${environment}`
        : `${candidates.join(
            ' and ',
          )} all report ${environment}; name its owner in ${ENVIRONMENTS_ANNOTATION} (e.g. ${environment}=${
            candidates[0]
          })`,
    );
    return { problem: problems.join('; ') };
  };

  return environment => {
    let owner = cache.get(environment);
    if (!owner) {
      owner = decide(environment);
      cache.set(environment, owner);
    }
    return owner;
  };
}

/**
 * The entity's source control: the target marked `changeSource` whose
 * provider can compare. `stagecraft.io/change-source` picks among several.
 */
export function changeSourceOf(options: {
  targets: EntityTarget[];
  annotation?: string;
  canCompare: (provider: string, target: ProviderTarget) => boolean;
}): { source?: EntityTarget; problem?: string } {
  const candidates = options.targets.filter(
    t => t.target.changeSource && options.canCompare(t.provider, t.target),
  );
  const wanted = options.annotation?.trim();
  if (wanted) {
    const source = candidates.find(t => t.provider === wanted);
    return source
      ? { source }
      : {
          problem: `${CHANGE_SOURCE_ANNOTATION} names ${wanted}, which reports no source control for this entity`,
        };
  }
  const providers = providersOf(candidates);
  if (providers.length === 0) {
    return {
      problem:
        'no installed provider is the source control of this entity, so changes between versions cannot be listed',
    };
  }
  if (providers.length > 1) {
    return {
      problem: `${providers.join(
        ' and ',
      )} are both source control of this entity; name one in ${CHANGE_SOURCE_ANNOTATION}`,
    };
  }
  return { source: candidates[0] };
}

function providersOf(targets: EntityTarget[]): string[] {
  return [...new Set(targets.map(t => t.provider))];
}
