import { Knex } from 'knex';
import type { LedgerDeployment } from '../DeploymentStore';
import { bulkInsert } from '../bulkInsert';
import { versionSightings } from './versionRules';

/**
 * Records the versions the reports name, once per entity and commit: the
 * earliest sighting wins, and a tag, message or link once known is kept;
 * the artifact is that of the earliest deployment that named one.
 */
export async function writeVersionSightings(
  tx: Knex | Knex.Transaction,
  entityRef: string,
  reports: Array<Pick<LedgerDeployment, 'version' | 'createdAt'>>,
) {
  const rows = versionSightings(reports).map(version => ({
    ...version,
    entity_ref: entityRef,
    first_seen_at: new Date(version.first_seen_at),
    artifact_seen_at:
      version.artifact_seen_at === null
        ? null
        : new Date(version.artifact_seen_at),
  }));
  // The earliest deployment naming an artifact gives it (ties: the smaller
  // JSON); every SET expression sees the stored row as it was.
  const newerArtifact =
    '(excluded.artifact IS NOT NULL AND (versions.artifact IS NULL OR versions.artifact_seen_at IS NULL' +
    ' OR excluded.artifact_seen_at < versions.artifact_seen_at' +
    ' OR (excluded.artifact_seen_at = versions.artifact_seen_at AND excluded.artifact < versions.artifact)))';
  await bulkInsert(tx, 'versions', rows, {
    onConflict: {
      columns: ['entity_ref', 'sha'],
      merge: {
        first_seen_at:
          'CASE WHEN excluded.first_seen_at < versions.first_seen_at THEN excluded.first_seen_at ELSE versions.first_seen_at END',
        tag: 'COALESCE(excluded.tag, versions.tag)',
        message: 'COALESCE(excluded.message, versions.message)',
        version_url: 'COALESCE(excluded.version_url, versions.version_url)',
        artifact: `CASE WHEN ${newerArtifact} THEN excluded.artifact ELSE versions.artifact END`,
        artifact_seen_at: `CASE WHEN ${newerArtifact} THEN excluded.artifact_seen_at ELSE versions.artifact_seen_at END`,
      },
    },
  });
}
