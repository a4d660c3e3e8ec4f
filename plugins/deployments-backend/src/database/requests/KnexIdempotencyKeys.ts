import { Knex } from 'knex';
import type { IdempotencyClaim } from '../DeploymentStore';

/** An idempotency key left in progress this long belongs to a crashed request and may be taken over. */
export const ABANDONED_CLAIM_MS = 10 * 60 * 1000;

/** Idempotency keys of portal actions, with fingerprints of the request and the response to replay. */
export class KnexIdempotencyKeys {
  constructor(private readonly db: Knex) {}

  async claimIdempotencyKey(
    scope: string,
    key: string,
    fingerprint: string,
  ): Promise<IdempotencyClaim> {
    const now = new Date();
    const claimed = await this.db('idempotency_keys')
      .insert({
        scope,
        key,
        fingerprint,
        status: 'in-progress',
        status_code: null,
        response: null,
        created_at: now,
        updated_at: now,
      })
      .onConflict(['scope', 'key'])
      .ignore()
      .returning(['key']);
    if (claimed.length > 0) return { status: 'new' };

    const row = await this.db('idempotency_keys').where({ scope, key }).first();
    if (!row) {
      // Released between our insert and read: try once more.
      return this.claimIdempotencyKey(scope, key, fingerprint);
    }
    if (row.fingerprint !== fingerprint) return { status: 'mismatch' };
    if (row.status === 'completed') {
      return {
        status: 'replay',
        statusCode: Number(row.status_code),
        response: row.response === null ? null : JSON.parse(row.response),
      };
    }
    // A claim left in progress for long belongs to a request that died
    // half-way; let the retry take it over rather than block it forever.
    const takenOver = await this.db('idempotency_keys')
      .where({ scope, key, status: 'in-progress' })
      .where('updated_at', '<', new Date(now.getTime() - ABANDONED_CLAIM_MS))
      .update({ updated_at: now });
    return takenOver > 0 ? { status: 'new' } : { status: 'in-progress' };
  }

  async completeIdempotencyKey(
    scope: string,
    key: string,
    statusCode: number,
    response: unknown,
  ): Promise<void> {
    await this.db('idempotency_keys')
      .where({ scope, key })
      .update({
        status: 'completed',
        status_code: statusCode,
        response: JSON.stringify(response ?? null),
        updated_at: new Date(),
      });
  }

  async releaseIdempotencyKey(scope: string, key: string): Promise<void> {
    await this.db('idempotency_keys')
      .where({ scope, key, status: 'in-progress' })
      .delete();
  }
}
