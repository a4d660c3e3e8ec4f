import type { ProviderDeployment } from '@stagecraft/plugin-deployments-node';

/**
 * The rules for the versions an entity has deployed (the timeline's rows).
 * Pure: no database. A version is known by its commit; it first appeared
 * with its earliest deployment; what one report names (tag, message, link)
 * fills in what another leaves out.
 */

export interface VersionSighting {
  sha: string;
  tag: string | null;
  message: string | null;
  version_url: string | null;
  /** Epoch milliseconds of the earliest deployment of the version. */
  first_seen_at: number;
}

/** One sighting per commit from a batch of reports: the earliest time, and the names any report gave. */
export function versionSightings(
  reports: ProviderDeployment[],
): VersionSighting[] {
  const versions = new Map<string, VersionSighting>();
  for (const report of reports) {
    const sha = report.version.sha.toLowerCase();
    const seen = Date.parse(report.createdAt);
    const known = versions.get(sha);
    versions.set(sha, {
      sha,
      tag: report.version.tag ?? known?.tag ?? null,
      message: report.version.message ?? known?.message ?? null,
      version_url: report.version.url ?? known?.version_url ?? null,
      first_seen_at:
        known && known.first_seen_at < seen ? known.first_seen_at : seen,
    });
  }
  return [...versions.values()];
}
