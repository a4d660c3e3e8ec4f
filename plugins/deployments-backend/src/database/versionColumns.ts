import type { Version } from '@stagecraft/plugin-deployments-common';
import { normaliseSha } from './deployments/versionRules';
import { compact } from './rowValues';

/** The columns every table that records a version has. */
export interface VersionColumns {
  sha: string;
  tag: string | null;
  message: string | null;
  version_url: string | null;
  /** JSON Artifact. */
  artifact: string | null;
  /** SQLite returns 0/1. */
  commit_unknown: boolean | number;
}

export function versionColumns(version: Version): VersionColumns {
  return {
    sha: normaliseSha(version.sha),
    tag: version.tag ?? null,
    message: version.message ?? null,
    version_url: version.url ?? null,
    artifact: version.artifact ? JSON.stringify(version.artifact) : null,
    commit_unknown: version.commitUnknown === true,
  };
}

export function toVersion(row: VersionColumns): Version {
  return compact({
    sha: row.sha,
    tag: row.tag ?? undefined,
    message: row.message ?? undefined,
    url: row.version_url ?? undefined,
    artifact: row.artifact ? JSON.parse(row.artifact) : undefined,
    commitUnknown: row.commit_unknown ? true : undefined,
  });
}

/** The version columns to select from a table aliased `alias`. */
export function versionColumnNames(alias?: string): string[] {
  const prefix = alias ? `${alias}.` : '';
  return [
    'sha',
    'tag',
    'message',
    'version_url',
    'artifact',
    'commit_unknown',
  ].map(column => `${prefix}${column}`);
}
