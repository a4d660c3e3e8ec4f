import { Knex } from 'knex';
import type { RetentionCounts, RetentionCutoffs } from '../DeploymentStore';
import { ABANDONED_CLAIM_MS } from '../requests/KnexIdempotencyKeys';

/** Rows per delete statement, so a large prune never holds long locks. */
const PRUNE_BATCH_SIZE = 500;

/**
 * Deletes what is older than the retention cutoffs, in batches, each served
 * by an index. Only what a cutoff is given for is touched; deployments and
 * audit entries only when configured, and never what a page needs: the
 * current (newest success) and the latest deployment of each environment
 * stay, however old.
 */
export class KnexRetention {
  constructor(
    private readonly db: Knex,
    private readonly batchSize: number = PRUNE_BATCH_SIZE,
  ) {}

  async prune(cutoffs: RetentionCutoffs): Promise<RetentionCounts> {
    const counts: RetentionCounts = {
      webhookDeliveries: 0,
      idempotencyKeys: 0,
      diffCache: 0,
      sentNotifications: 0,
      deployments: 0,
      auditLog: 0,
    };
    if (cutoffs.webhookDeliveries) {
      const cutoff = cutoffs.webhookDeliveries;
      counts.webhookDeliveries = await this.deleteInBatches(
        'webhook_deliveries',
        ['provider', 'delivery_key'],
        query => query.where('received_at', '<', cutoff),
      );
    }
    if (cutoffs.idempotencyKeys) {
      const cutoff = cutoffs.idempotencyKeys;
      // An in-progress key may belong to a request still running: it goes
      // only once it is also old enough to count as abandoned.
      const abandoned = new Date(
        Math.min(cutoff.getTime(), Date.now() - ABANDONED_CLAIM_MS),
      );
      counts.idempotencyKeys = await this.deleteInBatches(
        'idempotency_keys',
        ['scope', 'key'],
        query =>
          query
            .where('updated_at', '<', cutoff)
            .where(inner =>
              inner
                .where('status', 'completed')
                .orWhere('updated_at', '<', abandoned),
            ),
      );
    }
    if (cutoffs.diffCache) {
      const cutoff = cutoffs.diffCache;
      counts.diffCache = await this.deleteInBatches(
        'diff_cache',
        ['entity_ref', 'provider', 'from_sha', 'to_sha'],
        query => query.where('created_at', '<', cutoff),
      );
    }
    if (cutoffs.sentNotifications) {
      const cutoff = cutoffs.sentNotifications;
      counts.sentNotifications = await this.deleteInBatches(
        'sent_notifications',
        ['dedupe_key'],
        query => query.where('sent_at', '<', cutoff),
      );
    }
    if (cutoffs.deployments) {
      counts.deployments = await this.pruneDeployments(cutoffs.deployments);
    }
    if (cutoffs.auditLog) {
      const cutoff = cutoffs.auditLog;
      counts.auditLog = await this.deleteInBatches('audit_log', ['id'], query =>
        query.where('at', '<', cutoff),
      );
    }
    return counts;
  }

  private async deleteInBatches(
    table: string,
    key: string[],
    filter: (query: Knex.QueryBuilder) => Knex.QueryBuilder,
  ): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = filter(this.db(table)).select(key).limit(this.batchSize);
      const deleted = await filter(this.db(table))
        .whereIn(key as any, batch)
        .delete();
      total += deleted;
      if (deleted < this.batchSize) return total;
    }
  }

  /**
   * Finished deployments created before the cutoff that are neither the
   * current nor the latest of their environment; their statuses go with them.
   */
  private async pruneDeployments(cutoff: Date): Promise<number> {
    const newer = (state?: string) => {
      const query = this.db('deployments as n')
        .select(this.db.raw('1'))
        .whereRaw('n.entity_ref = d.entity_ref')
        .whereRaw('n.environment = d.environment')
        .where(inner =>
          inner
            .whereRaw('n.created_at > d.created_at')
            .orWhere(tie =>
              tie
                .whereRaw('n.created_at = d.created_at')
                .whereRaw('n.id > d.id'),
            ),
        );
      if (state) query.where('n.state', state);
      return query;
    };
    let total = 0;
    for (;;) {
      const rows: Array<{ id: number }> = await this.db('deployments as d')
        .where('d.created_at', '<', cutoff)
        .whereNotNull('d.finished_at')
        .whereExists(newer())
        .where(notCurrent =>
          notCurrent
            .whereNot('d.state', 'success')
            .orWhereExists(newer('success')),
        )
        .orderBy('d.created_at')
        .limit(this.batchSize)
        .select('d.id');
      if (rows.length === 0) return total;
      const ids = rows.map(row => row.id);
      total += await this.db.transaction(async (tx): Promise<number> => {
        // Explicitly, rather than by the cascade: SQLite enforces foreign
        // keys only where the connection enabled them.
        await tx('deployment_statuses').whereIn('deployment_id', ids).delete();
        return tx('deployments').whereIn('id', ids).delete();
      });
      if (rows.length < this.batchSize) return total;
    }
  }
}
