import type { Entity } from '@backstage/catalog-model';
import { InputError, isError } from '@backstage/errors';
import type {
  ChangeDiff,
  Version,
} from '@stagecraft/plugin-deployments-common';
import type { DeploymentStore } from '../database/DeploymentStore';
import type {
  DeploymentSource,
  EntitySourceSet,
} from '../sources/EntitySources';
import {
  ProviderCompareError,
  providerFailure,
  resolveVersionWith,
} from '../sources/providerFailures';

interface ResolvedRef {
  ref: string;
  version: Version;
}

/**
 * The change between two environments or two versions. Each side is an
 * environment on the path (its current version) or a version the entity has
 * deployed. The entity's change source (its source control) compares the
 * two commits, whichever provider deployed them; a version whose commit is
 * unknown, or an entity without a change source, gets an empty diff with
 * the reason. Comparisons are cached: commits between two SHAs never change.
 */
export async function changeDiff(options: {
  store: DeploymentStore;
  entity: Entity;
  entityRef: string;
  path: string[];
  sources: EntitySourceSet;
  from: string;
  to: string;
}): Promise<ChangeDiff> {
  const { store, entityRef, path, sources } = options;
  const changeSource = sources.changeSource();
  const source: DeploymentSource | undefined =
    'source' in changeSource ? changeSource.source : undefined;
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
      return { ref, version: current.version };
    }
    const known = await store.findVersion(entityRef, ref);
    if (known) {
      return { ref, version: known };
    }
    const resolved = source
      ? await resolveVersionWith(source, options.entity, ref)
      : undefined;
    if (resolved) {
      return { ref, version: resolved };
    }
    throw new InputError(
      `${field} '${ref}' is neither an environment on the path (${path.join(
        ', ',
      )}) nor a known version of ${entityRef}`,
    );
  };

  const from = await resolve('from', options.from);
  const to = await resolve('to', options.to);
  const fromSha = from.version.sha;
  const toSha = to.version.sha;
  const unknown = [from, to].find(side => side.version.commitUnknown);
  let reason: string | undefined;
  if (unknown) {
    reason = `${unknown.ref} runs ${describeArtifact(
      unknown.version,
    )}, whose commit the provider did not report, so there is nothing to compare`;
  } else if (!source && 'problem' in changeSource) {
    reason = changeSource.problem;
  }
  if (reason || !source || !source.provider.compare) {
    return emptyDiff({
      entityRef,
      from: { ref: from.ref, sha: fromSha },
      to: { ref: to.ref, sha: toSha },
      reason: reason ?? `${entityRef} has no change source to compare with`,
    });
  }

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

/** A diff that lists nothing, saying why no comparison was made. */
export function emptyDiff(options: {
  entityRef: string;
  from: ChangeDiff['from'];
  to: ChangeDiff['to'];
  reason: string;
}): ChangeDiff {
  const { from, to } = options;
  return {
    entityRef: options.entityRef,
    from,
    to,
    status: from.sha === to.sha ? 'identical' : 'diverged',
    aheadBy: 0,
    behindBy: 0,
    totalCommits: 0,
    commits: [],
    files: [],
    additions: 0,
    deletions: 0,
    reason: options.reason,
  };
}

function describeArtifact(version: Version): string {
  const { artifact } = version;
  return artifact ? `${artifact.kind} ${artifact.id}` : version.sha;
}
