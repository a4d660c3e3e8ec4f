import type { Version } from '@stagecraft/plugin-deployments-common';
import { compact } from './rowValues';

/** The columns every table that records a version has. */
export interface VersionColumns {
  sha: string;
  tag: string | null;
  message: string | null;
  version_url: string | null;
}

export function versionColumns(version: Version): VersionColumns {
  return {
    sha: version.sha.toLowerCase(),
    tag: version.tag ?? null,
    message: version.message ?? null,
    version_url: version.url ?? null,
  };
}

export function toVersion(row: VersionColumns): Version {
  return compact({
    sha: row.sha,
    tag: row.tag ?? undefined,
    message: row.message ?? undefined,
    url: row.version_url ?? undefined,
  });
}
