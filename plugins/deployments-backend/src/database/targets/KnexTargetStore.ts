import { Knex } from 'knex';
import { ROW_BATCH_SIZE, chunk } from '../rowValues';

/** Which entities a provider target (e.g. a repository) belongs to, to route webhooks. */
export class KnexTargetStore {
  constructor(private readonly db: Knex) {}

  async setTargets(
    provider: string,
    targets: Array<{ entityRef: string; targetKey: string }>,
  ): Promise<void> {
    const unique = new Map(
      targets.map(t => [
        `${t.targetKey}\u0000${t.entityRef}`,
        { provider, target_key: t.targetKey, entity_ref: t.entityRef },
      ]),
    );
    await this.db.transaction(async tx => {
      await tx('provider_targets').where({ provider }).delete();
      for (const rows of chunk([...unique.values()], ROW_BATCH_SIZE)) {
        await tx('provider_targets').insert(rows);
      }
    });
  }

  async entitiesForTarget(
    provider: string,
    targetKey: string,
  ): Promise<string[]> {
    const rows: Array<{ entity_ref: string }> = await this.db(
      'provider_targets',
    )
      .where({ provider, target_key: targetKey })
      .orderBy('entity_ref')
      .select('entity_ref');
    return rows.map(row => row.entity_ref);
  }
}
