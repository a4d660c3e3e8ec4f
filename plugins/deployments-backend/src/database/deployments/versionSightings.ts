import { Knex } from 'knex';
import type { LedgerDeployment } from '../DeploymentStore';
import { DEPLOYMENT_BATCH_SIZE, chunk } from '../rowValues';
import { versionSightings } from './versionRules';

/**
 * Records the versions the reports name, once per entity and commit: the
 * earliest sighting wins, and a tag, message or link once known is kept.
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
  }));
  for (const batch of chunk(rows, DEPLOYMENT_BATCH_SIZE)) {
    await tx('versions')
      .insert(batch)
      .onConflict(['entity_ref', 'sha'])
      .merge({
        first_seen_at: tx.raw(
          'CASE WHEN excluded.first_seen_at < versions.first_seen_at THEN excluded.first_seen_at ELSE versions.first_seen_at END',
        ),
        tag: tx.raw('COALESCE(excluded.tag, versions.tag)'),
        message: tx.raw('COALESCE(excluded.message, versions.message)'),
        version_url: tx.raw(
          'COALESCE(excluded.version_url, versions.version_url)',
        ),
        artifact: tx.raw('COALESCE(excluded.artifact, versions.artifact)'),
      });
  }
}
