import { Knex } from 'knex';
import type { LedgerDeployment } from '../DeploymentStore';
import { bulkInsert } from '../bulkInsert';
import { DEPLOYMENT_BATCH_SIZE, chunk } from '../rowValues';
import { differences, mergeReport, recordFromReport } from './deploymentRecord';
import { DeploymentRow, recordOf, toRow } from './deploymentRows';
import { mergeDuplicateReports } from './statusMerge';
import { writeVersionSightings } from './versionSightings';

/**
 * Writes provider reports into `deployments`, `deployment_statuses` and
 * `versions`, keyed by entity, provider and the provider's id: two entities
 * that share a repository each keep their own rows. Provider data is merged, never overwritten blindly: a replayed
 * or overlapping report changes nothing, and the status history is the union
 * of everything seen.
 */
export class KnexDeploymentLedger {
  constructor(private readonly db: Knex) {}

  async upsertDeployments(
    entityRef: string,
    provider: string,
    deployments: LedgerDeployment[],
  ): Promise<{ inserted: number; updated: number }> {
    const incoming = mergeDuplicateReports(deployments, provider);
    let inserted = 0;
    let updated = 0;
    if (incoming.length === 0) {
      return { inserted, updated };
    }
    await this.db.transaction(async tx => {
      if (isPostgres(tx)) {
        // Provider data only (sync and webhooks; user actions never come
        // through here): the commit does not wait for its WAL flush. A crash
        // of the server within a fraction of a second of the commit (three
        // times wal_writer_delay at most) may lose this transaction, never a
        // part of it, and never one that a later synchronous commit (the sync
        // cursor, a user action) followed, as the WAL is flushed in order;
        // the provider's next poll reports the lost deployments again.
        await tx.raw('SET LOCAL synchronous_commit = off');
      }
      for (const batch of chunk(incoming, DEPLOYMENT_BATCH_SIZE)) {
        const result = await this.upsertBatch(tx, entityRef, provider, batch);
        inserted += result.inserted;
        updated += result.updated;
      }
      await this.upsertVersions(tx, entityRef, incoming);
    });
    return { inserted, updated };
  }

  private async upsertBatch(
    tx: Knex.Transaction,
    entityRef: string,
    provider: string,
    batch: LedgerDeployment[],
  ): Promise<{ inserted: number; updated: number }> {
    const byKey = new Map(batch.map(d => [d.providerDeploymentId, d]));
    const idByKey = new Map<string, number>();
    const changed = new Set<number>();
    const createdIds = new Set<number>();

    const mergeExisting = async (keys: string[]) => {
      if (keys.length === 0) return;
      const existing: DeploymentRow[] = await tx('deployments')
        .where({ entity_ref: entityRef, provider })
        .whereIn('provider_deployment_id', keys)
        .forUpdate();
      for (const row of existing) {
        idByKey.set(row.provider_deployment_id, row.id);
        const current = recordOf(row);
        const merged = mergeReport(
          current,
          byKey.get(row.provider_deployment_id)!,
        );
        const patch = differences(current, merged);
        if (patch) {
          await tx('deployments').where('id', row.id).update(toRow(patch));
          changed.add(row.id);
        }
      }
    };

    // Insert first: new deployments, the bulk of a backfill, cost one
    // statement. The ones that already exist (a replay, an overlapping poll,
    // or a concurrent writer's fresh insert) are merged into the stored row,
    // locked on PostgreSQL so a webhook and a poll serialise instead of racing.
    const keys = [...byKey.keys()];
    const created = await bulkInsert<{
      id: number;
      provider_deployment_id: string;
    }>(
      tx,
      'deployments',
      keys.map(key =>
        toRow(recordFromReport(byKey.get(key)!, entityRef, provider)),
      ),
      {
        onConflict: {
          columns: ['entity_ref', 'provider', 'provider_deployment_id'],
        },
        returning: ['id', 'provider_deployment_id'],
      },
    );
    for (const row of created) {
      idByKey.set(row.provider_deployment_id, row.id);
      createdIds.add(row.id);
    }
    await mergeExisting(keys.filter(key => !idByKey.has(key)));

    // Statuses of the deployments this batch created cannot be in the table:
    // they go in without reading anything back. Only those of deployments
    // that existed tell, by being inserted, that a deployment changed.
    const statusRowsOf = (reports: LedgerDeployment[]) =>
      reports.flatMap(report => {
        const deploymentId = idByKey.get(report.providerDeploymentId)!;
        return report.statuses.map(status => ({
          deployment_id: deploymentId,
          state: status.state,
          at: new Date(status.at),
          description: status.description ?? null,
          log_url: status.logUrl ?? null,
        }));
      });
    const fresh: LedgerDeployment[] = [];
    const known: LedgerDeployment[] = [];
    for (const report of batch) {
      const isNew = createdIds.has(idByKey.get(report.providerDeploymentId)!);
      (isNew ? fresh : known).push(report);
    }
    const statusConflict = { columns: ['deployment_id', 'state', 'at'] };
    await bulkInsert(tx, 'deployment_statuses', statusRowsOf(fresh), {
      onConflict: statusConflict,
    });
    const added = await bulkInsert<{ deployment_id: number }>(
      tx,
      'deployment_statuses',
      statusRowsOf(known),
      { onConflict: statusConflict, returning: ['deployment_id'] },
    );
    for (const { deployment_id } of added) changed.add(deployment_id);

    // Everything changed that we did not create ourselves counts as updated,
    // including rows a concurrent writer created a moment before us.
    let updated = 0;
    for (const id of changed) {
      if (!createdIds.has(id)) updated += 1;
    }
    return { inserted: created.length, updated };
  }

  private async upsertVersions(
    tx: Knex.Transaction,
    entityRef: string,
    reports: LedgerDeployment[],
  ) {
    await writeVersionSightings(tx, entityRef, reports);
  }
}

function isPostgres(db: Knex | Knex.Transaction): boolean {
  const client = db.client.config.client;
  return client === 'pg' || client === 'postgres' || client === 'postgresql';
}
