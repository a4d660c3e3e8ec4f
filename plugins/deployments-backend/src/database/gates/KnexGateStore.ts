import type { ProviderGate } from '@stagecraft/plugin-deployments-node';
import { Knex } from 'knex';
import type { StoredGate } from '../DeploymentStore';
import { DbTime, toIso } from '../dbTime';
import { providerId, splitProviderId } from '../providerId';
import { DEPLOYMENT_BATCH_SIZE, chunk, compact } from '../rowValues';
import { VersionColumns, toVersion, versionColumns } from '../versionColumns';

interface GateRow extends VersionColumns {
  provider: string;
  provider_gate_id: string;
  entity_ref: string;
  environment: string;
  reviewers: string;
  since: DbTime;
  wait_timer_minutes: number | null;
  requested_by: string | null;
  url: string | null;
  details: string | null;
}

/**
 * Open gates of providers (a GitHub environment review, a manual approval).
 * A gate is deleted when it closes; the audit log keeps what was decided.
 */
export class KnexGateStore {
  constructor(private readonly db: Knex) {}

  async replaceOpenGates(
    entityRef: string,
    provider: string,
    gates: ProviderGate[],
  ): Promise<void> {
    await this.db.transaction(async tx => {
      const open = gates.map(gate => gate.providerGateId);
      const closing = tx('provider_gates').where({
        entity_ref: entityRef,
        provider,
      });
      if (open.length > 0) {
        closing.whereNotIn('provider_gate_id', open);
      }
      await closing.delete();
      await this.writeGates(tx, entityRef, provider, gates);
    });
  }

  async openGates(
    entityRef: string,
    provider: string,
    gates: ProviderGate[],
  ): Promise<void> {
    await this.writeGates(this.db, entityRef, provider, gates);
  }

  private async writeGates(
    db: Knex,
    entityRef: string,
    provider: string,
    gates: ProviderGate[],
  ) {
    const rows: GateRow[] = gates.map(gate => ({
      provider,
      provider_gate_id: gate.providerGateId,
      entity_ref: entityRef,
      environment: gate.environment,
      ...versionColumns(gate.version),
      reviewers: JSON.stringify(gate.reviewers),
      since: new Date(gate.since),
      wait_timer_minutes: gate.waitTimerMinutes ?? null,
      requested_by: gate.requestedBy ?? null,
      url: gate.url ?? null,
      details: gate.details ? JSON.stringify(gate.details) : null,
    }));
    for (const batch of chunk(rows, DEPLOYMENT_BATCH_SIZE)) {
      await db('provider_gates')
        .insert(batch)
        .onConflict(['provider', 'provider_gate_id'])
        .merge();
    }
  }

  async closeGates(
    entityRef: string,
    provider: string,
    providerGateIds: string[],
  ): Promise<void> {
    if (providerGateIds.length === 0) return;
    await this.db('provider_gates')
      .where({ entity_ref: entityRef, provider })
      .whereIn('provider_gate_id', providerGateIds)
      .delete();
  }

  async listOpenGates(entityRef?: string): Promise<StoredGate[]> {
    const query = this.db<GateRow>('provider_gates').orderBy([
      'since',
      'provider',
      'provider_gate_id',
    ]);
    if (entityRef !== undefined) query.where('entity_ref', entityRef);
    return (await query).map(toGate);
  }

  async getGate(id: string): Promise<StoredGate | undefined> {
    const key = splitProviderId(id);
    if (!key) return undefined;
    const row: GateRow | undefined = await this.db('provider_gates')
      .where({ provider: key.provider, provider_gate_id: key.providerId })
      .first();
    return row && toGate(row);
  }
}

function toGate(row: GateRow): StoredGate {
  return compact({
    id: providerId(row.provider, row.provider_gate_id),
    kind: 'provider' as const,
    provider: row.provider,
    entityRef: row.entity_ref,
    environment: row.environment,
    version: toVersion(row),
    reviewers: JSON.parse(row.reviewers),
    since: toIso(row.since),
    waitTimerMinutes: row.wait_timer_minutes ?? undefined,
    requestedBy: row.requested_by ?? undefined,
    url: row.url ?? undefined,
    details: row.details ? JSON.parse(row.details) : undefined,
  });
}
