import { InputError } from '@backstage/errors';
import type { SyncStatus } from '@stagecraft/plugin-deployments-common';
import { Knex } from 'knex';
import type { SyncCursorState } from '../DeploymentStore';
import { DbTime, isoOrUndefined, toMillis } from '../dbTime';
import { MAX_ERROR_LENGTH, compact } from '../rowValues';

export interface SyncStateRow {
  entity_ref: string;
  provider: string;
  target_key: string;
  cursor: string | null;
  last_success_at: DbTime | null;
  last_attempt_at: DbTime | null;
  last_error: string | null;
  last_error_at: DbTime | null;
}

type SyncKey = { entityRef: string; provider: string; targetKey: string };

/** Where each sync of each target of each entity stands: cursor, last success, last error. */
export class KnexSyncStateStore {
  constructor(private readonly db: Knex) {}

  async getSyncState(
    entityRef: string,
    provider: string,
    targetKey: string,
  ): Promise<SyncCursorState | undefined> {
    const row: SyncStateRow | undefined = await this.db('sync_state')
      .where({ entity_ref: entityRef, provider, target_key: targetKey })
      .first();
    if (!row) return undefined;
    return compact({
      targetKey: row.target_key,
      cursor: row.cursor ?? undefined,
      lastSuccessAt: isoOrUndefined(row.last_success_at),
      lastAttemptAt: isoOrUndefined(row.last_attempt_at),
      lastError: row.last_error ?? undefined,
      lastErrorAt: isoOrUndefined(row.last_error_at),
    });
  }

  async recordSyncSuccess(
    options: SyncKey & { cursor?: string; at: Date },
  ): Promise<void> {
    await this.upsert(options, {
      cursor: options.cursor ?? null,
      last_success_at: options.at,
      last_attempt_at: options.at,
      last_error: null,
      last_error_at: null,
    });
  }

  /** Keeps the cursor and the data; remembers the error and when. */
  async recordSyncFailure(
    options: SyncKey & { error: string; at: Date },
  ): Promise<void> {
    await this.upsert(options, {
      last_attempt_at: options.at,
      last_error: options.error.slice(0, MAX_ERROR_LENGTH),
      last_error_at: options.at,
    });
  }

  private async upsert(key: SyncKey, values: Record<string, unknown>) {
    if (!key.targetKey) {
      throw new InputError(
        `The sync state of ${key.entityRef} from '${key.provider}' needs a target key`,
      );
    }
    await this.db('sync_state')
      .insert({
        entity_ref: key.entityRef,
        provider: key.provider,
        target_key: key.targetKey,
        ...values,
      })
      .onConflict(['entity_ref', 'provider', 'target_key'])
      .merge(values);
  }

  /** One status per target of the entity, by provider and target. */
  async listSyncStatus(entityRef: string): Promise<SyncStatus[]> {
    const rows: SyncStateRow[] = await this.db('sync_state')
      .where({ entity_ref: entityRef })
      .orderBy(['provider', 'target_key']);
    return rows.map(toSyncStatus);
  }
}

/** A row of `sync_state` (as the driver or a JSON aggregate gives it) as a target's sync status. */
export function toSyncStatus(row: SyncStateRow): SyncStatus {
  const lastErrorAt = toMillis(row.last_error_at);
  const lastSuccessAt = toMillis(row.last_success_at);
  return compact({
    provider: row.provider,
    target: row.target_key,
    lastSuccessAt: isoOrUndefined(row.last_success_at),
    lastAttemptAt: isoOrUndefined(row.last_attempt_at),
    lastError: row.last_error ?? undefined,
    lastErrorAt: isoOrUndefined(row.last_error_at),
    stale:
      lastErrorAt !== undefined &&
      (lastSuccessAt === undefined || lastErrorAt >= lastSuccessAt),
  });
}
