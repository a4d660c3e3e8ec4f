import { InputError } from '@backstage/errors';
import type { Version } from '@stagecraft/plugin-deployments-common';
import type { LedgerDeployment } from '../DeploymentStore';

/**
 * The rules for versions. Pure: no database. A version is known by its
 * commit SHA, the join key across providers; a version whose commit the
 * provider does not know is keyed by its artifact (`artifact:<kind>:<id>`)
 * and never compared.
 */

const ARTIFACT_KEY_PREFIX = 'artifact:';
/** What the store's version columns hold. */
const MAX_VERSION_KEY_LENGTH = 255;

/** The stored form of a version key: commits lower-case, artifact keys as the provider spelled them. */
export function normaliseSha(sha: string): string {
  return sha.startsWith(ARTIFACT_KEY_PREFIX) ? sha : sha.toLowerCase();
}

/** Throws an InputError naming `what` when the version cannot be stored. */
export function validateVersion(version: Version, what: string) {
  if (version.commitUnknown) {
    const key = version.sha;
    if (
      !key.startsWith(ARTIFACT_KEY_PREFIX) ||
      key.length > MAX_VERSION_KEY_LENGTH ||
      /\s/.test(key)
    ) {
      throw new InputError(
        `invalid version key '${key}' for ${what}: expected artifact:<kind>:<id> of at most ${MAX_VERSION_KEY_LENGTH} characters`,
      );
    }
  } else if (!/^[0-9a-f]{4,64}$/i.test(version.sha)) {
    throw new InputError(`invalid commit SHA '${version.sha}' for ${what}`);
  }
  if (
    version.artifact !== undefined &&
    (typeof version.artifact.kind !== 'string' ||
      typeof version.artifact.id !== 'string' ||
      !version.artifact.kind ||
      !version.artifact.id)
  ) {
    throw new InputError(
      `invalid artifact for ${what}: needs a kind and an id`,
    );
  }
}

export interface VersionSighting {
  sha: string;
  tag: string | null;
  message: string | null;
  version_url: string | null;
  /** JSON of the artifact, when a report named one. */
  artifact: string | null;
  /** Epoch milliseconds of the earliest deployment that named the artifact. */
  artifact_seen_at: number | null;
  commit_unknown: boolean;
  /** Epoch milliseconds of the earliest deployment of the version. */
  first_seen_at: number;
}

/**
 * The artifact a version shows: that of the earliest deployment naming one
 * (ties: the smaller JSON), so the answer never depends on the order the
 * reports came in. The store applies the same rule across batches.
 */
function earliestArtifact(
  known: VersionSighting | undefined,
  artifact: LedgerDeployment['version']['artifact'],
  seen: number,
): Pick<VersionSighting, 'artifact' | 'artifact_seen_at'> {
  const keep = {
    artifact: known?.artifact ?? null,
    artifact_seen_at: known?.artifact_seen_at ?? null,
  };
  if (!artifact) return keep;
  const json = JSON.stringify(artifact);
  const earlier =
    keep.artifact === null ||
    keep.artifact_seen_at === null ||
    seen < keep.artifact_seen_at ||
    (seen === keep.artifact_seen_at && json < keep.artifact);
  return earlier ? { artifact: json, artifact_seen_at: seen } : keep;
}

/**
 * One sighting per version from a batch of reports: the earliest time, and
 * what any report named (tag, message, link, artifact) filling in what
 * another left out. It first appeared with its earliest deployment.
 */
export function versionSightings(
  reports: Array<Pick<LedgerDeployment, 'version' | 'createdAt'>>,
): VersionSighting[] {
  const versions = new Map<string, VersionSighting>();
  for (const report of reports) {
    const sha = normaliseSha(report.version.sha);
    const seen = Date.parse(report.createdAt);
    const known = versions.get(sha);
    versions.set(sha, {
      sha,
      tag: report.version.tag ?? known?.tag ?? null,
      message: report.version.message ?? known?.message ?? null,
      version_url: report.version.url ?? known?.version_url ?? null,
      ...earliestArtifact(known, report.version.artifact, seen),
      commit_unknown: report.version.commitUnknown === true,
      first_seen_at:
        known && known.first_seen_at < seen ? known.first_seen_at : seen,
    });
  }
  return [...versions.values()];
}
