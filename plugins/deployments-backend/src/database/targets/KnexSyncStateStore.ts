import type { SyncStatus } from '@stagecraft/plugin-deployments-common';
import { Knex } from 'knex';
import type { SyncCursorState } from '../DeploymentStore';
import { isoOrUndefined, toMillis } from '../dbTime';
import { MAX_ERROR_LENGTH, compact } from '../rowValues';

/** Where each provider sync of each entity stands: cursor, last success, last error. */
export class KnexSyncStateStore {
  constructor(private readonly db: Knex) {}

  async getSyncState(
    entityRef: string,
    provider: string,
  ): Promise<SyncCursorState | undefined> {
    const row = await this.db('sync_state')
      .where({ entity_ref: entityRef, provider })
      .first();
    if (!row) return undefined;
    return compact({
      cursor: row.cursor,
      lastSuccessAt: isoOrUndefined(row.last_success_at),
      lastAttemptAt: isoOrUndefined(row.last_attempt_at),
      lastError: row.last_error,
      lastErrorAt: isoOrUndefined(row.last_error_at),
    }) as SyncCursorState;
  }

  async recordSyncSuccess(options: {
    entityRef: string;
    provider: string;
    cursor?: string;
    at: Date;
  }): Promise<void> {
    await this.upsert(options.entityRef, options.provider, {
      cursor: options.cursor ?? null,
      last_success_at: options.at,
      last_attempt_at: options.at,
      last_error: null,
      last_error_at: null,
    });
  }

  /** Keeps the cursor and the data; remembers the error and when. */
  async recordSyncFailure(options: {
    entityRef: string;
    provider: string;
    error: string;
    at: Date;
  }): Promise<void> {
    await this.upsert(options.entityRef, options.provider, {
      last_attempt_at: options.at,
      last_error: options.error.slice(0, MAX_ERROR_LENGTH),
      last_error_at: options.at,
    });
  }

  private async upsert(
    entityRef: string,
    provider: string,
    values: Record<string, unknown>,
  ): Promise<void> {
    await this.db('sync_state')
      .insert({ entity_ref: entityRef, provider, ...values })
      .onConflict(['entity_ref', 'provider'])
      .merge(values);
  }

  async listSyncStatus(entityRef: string): Promise<SyncStatus[]> {
    const rows = await this.db('sync_state')
      .where({ entity_ref: entityRef })
      .orderBy('provider');
    return rows.map(row => {
      const lastErrorAt = toMillis(row.last_error_at);
      const lastSuccessAt = toMillis(row.last_success_at);
      return compact({
        provider: row.provider,
        lastSuccessAt: isoOrUndefined(row.last_success_at),
        lastAttemptAt: isoOrUndefined(row.last_attempt_at),
        lastError: row.last_error ?? undefined,
        lastErrorAt: isoOrUndefined(row.last_error_at),
        stale:
          lastErrorAt !== undefined &&
          (lastSuccessAt === undefined || lastErrorAt >= lastSuccessAt),
      });
    });
  }
}
