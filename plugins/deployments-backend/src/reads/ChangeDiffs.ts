import type { Entity } from '@backstage/catalog-model';
import { InputError, isError } from '@backstage/errors';
import type {
  ChangeDiff,
  Version,
} from '@stagecraft/plugin-deployments-common';
import type { DeploymentStore } from '../database/DeploymentStore';
import { DeploymentSource, sourceForEnvironment } from './DeploymentSources';
import {
  ProviderCompareError,
  providerFailure,
  resolveVersionWith,
} from './providerFailures';

interface ResolvedRef {
  ref: string;
  version: Version;
  /** Set when the ref named an environment. */
  environmentProvider?: string;
}

/**
 * The change between two environments or two versions. Each side is an
 * environment on the path (its current version) or a version the entity has
 * deployed. Comparisons are cached: commits between two SHAs never change.
 */
export async function changeDiff(options: {
  store: DeploymentStore;
  entity: Entity;
  entityRef: string;
  path: string[];
  sources: DeploymentSource[];
  from: string;
  to: string;
}): Promise<ChangeDiff> {
  const { store, entityRef, path, sources } = options;
  const environments = [options.from, options.to].filter(ref =>
    path.includes(ref),
  );
  const states = environments.length
    ? await store.getEnvironmentStates(entityRef, environments)
    : {};

  const resolve = async (
    field: 'from' | 'to',
    ref: string,
  ): Promise<ResolvedRef> => {
    if (path.includes(ref)) {
      const current = states[ref]?.current;
      if (!current) {
        throw new InputError(
          `${field} '${ref}': nothing has succeeded in ${ref} yet`,
        );
      }
      return {
        ref,
        version: current.version,
        environmentProvider: current.provider,
      };
    }
    const known = await store.findVersion(entityRef, ref);
    if (known) {
      return { ref, version: known };
    }
    for (const source of sources) {
      const resolved = await resolveVersionWith(source, options.entity, ref);
      if (resolved) {
        return { ref, version: resolved };
      }
    }
    throw new InputError(
      `${field} '${ref}' is neither an environment on the path (${path.join(
        ', ',
      )}) nor a known version of ${entityRef}`,
    );
  };

  const from = await resolve('from', options.from);
  const to = await resolve('to', options.to);
  const source =
    sources.find(s => s.provider.id === to.environmentProvider) ??
    sources.find(s => s.provider.id === from.environmentProvider) ??
    sourceForEnvironment(sources, []);
  if (!source) {
    throw new InputError(
      `${entityRef} has no deployment provider to compare with`,
    );
  }

  const fromSha = from.version.sha;
  const toSha = to.version.sha;
  let comparison = await store.getCachedDiff(
    entityRef,
    source.provider.id,
    fromSha,
    toSha,
  );
  if (!comparison) {
    try {
      comparison = await source.provider.compare({
        entity: options.entity,
        target: source.target,
        fromSha,
        toSha,
      });
    } catch (error) {
      throw compareFailure(source.provider.id, fromSha, toSha, error);
    }
    await store.putCachedDiff(
      entityRef,
      source.provider.id,
      fromSha,
      toSha,
      comparison,
    );
  }
  return {
    ...comparison,
    entityRef,
    from: { ref: from.ref, sha: fromSha },
    to: { ref: to.ref, sha: toSha },
  };
}

/** A provider failure as a gateway error with a message, never a bare 500. */
function compareFailure(
  providerId: string,
  fromSha: string,
  toSha: string,
  error: unknown,
): Error {
  const detail = isError(error) ? error.message : String(error);
  const message = `${providerId} could not compare ${fromSha.slice(
    0,
    7,
  )}...${toSha.slice(0, 7)}: ${detail}`;
  return providerFailure(error, message, ProviderCompareError);
}
