import type { ProviderComparison } from '@stagecraft/plugin-deployments-node';
import { Knex } from 'knex';

/** Change diffs between two commits as change sources computed them; commits never change, so neither do diffs. */
export class KnexDiffCache {
  constructor(private readonly db: Knex) {}

  async getCachedDiff(
    entityRef: string,
    provider: string,
    fromSha: string,
    toSha: string,
  ): Promise<ProviderComparison | undefined> {
    const row = await this.db('diff_cache')
      .where({
        entity_ref: entityRef,
        provider,
        from_sha: fromSha.toLowerCase(),
        to_sha: toSha.toLowerCase(),
      })
      .first('diff');
    return row ? JSON.parse(row.diff) : undefined;
  }

  async putCachedDiff(
    entityRef: string,
    provider: string,
    fromSha: string,
    toSha: string,
    diff: ProviderComparison,
  ): Promise<void> {
    await this.db('diff_cache')
      .insert({
        entity_ref: entityRef,
        provider,
        from_sha: fromSha.toLowerCase(),
        to_sha: toSha.toLowerCase(),
        diff: JSON.stringify(diff),
        created_at: new Date(),
      })
      .onConflict(['entity_ref', 'provider', 'from_sha', 'to_sha'])
      .merge(['diff', 'created_at']);
  }
}
