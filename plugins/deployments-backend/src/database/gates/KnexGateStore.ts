import { InputError } from '@backstage/errors';
import type { GateType } from '@stagecraft/plugin-deployments-common';
import { Knex } from 'knex';
import type { LedgerGate, StoredGate } from '../DeploymentStore';
import { DbTime, isoOrUndefined, parseTime, toIso } from '../dbTime';
import { providerId, splitProviderId } from '../providerId';
import { DEPLOYMENT_BATCH_SIZE, chunk, compact } from '../rowValues';
import { VersionColumns, toVersion, versionColumns } from '../versionColumns';
import { validateVersion } from '../deployments/versionRules';

export interface GateRow extends VersionColumns {
  entity_ref: string;
  provider: string;
  provider_gate_id: string;
  /** '' for a gate carried over from v1, whose target is unknown. */
  target_key: string;
  environment: string;
  reviewers: string;
  since: DbTime;
  gate_type: string | null;
  expires_at: DbTime | null;
  wait_timer_minutes: number | null;
  requested_by: string | null;
  url: string | null;
  details: string | null;
  summary: string | null;
}

/**
 * Open gates of providers (a GitHub environment review, a manual approval),
 * keyed by entity, provider and the provider's gate id, and kept per target.
 * A gate is deleted when it closes; the audit log keeps what was decided.
 */
export class KnexGateStore {
  constructor(private readonly db: Knex) {}

  /**
   * Makes `gates` the complete set of open gates of one target. Gates of the
   * entity's other targets stay; gates stored before targets existed (v1,
   * target '') belong to no target, so the first sync of any replaces them.
   */
  async replaceOpenGates(
    entityRef: string,
    provider: string,
    targetKey: string,
    gates: LedgerGate[],
  ): Promise<void> {
    const rows = gateRows(entityRef, provider, targetKey, gates);
    await this.db.transaction(async tx => {
      const closing = tx('provider_gates')
        .where({ entity_ref: entityRef, provider })
        .whereIn('target_key', [targetKey, '']);
      if (rows.length > 0) {
        closing.whereNotIn(
          'provider_gate_id',
          rows.map(row => row.provider_gate_id),
        );
      }
      await closing.delete();
      await writeGates(tx, rows);
    });
  }

  /**
   * Adds or refreshes some gates of one target (a webhook's report): what a
   * report leaves out stays as stored; replays change nothing.
   */
  async openGates(
    entityRef: string,
    provider: string,
    targetKey: string,
    gates: LedgerGate[],
  ): Promise<void> {
    await writeGates(
      this.db,
      gateRows(entityRef, provider, targetKey, gates),
      'merge',
    );
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

  /** Open gates of one entity, or of all entities, oldest first. */
  async listOpenGates(entityRef?: string): Promise<StoredGate[]> {
    const query = this.db<GateRow>('provider_gates').orderBy([
      'since',
      'entity_ref',
      'provider',
      'provider_gate_id',
    ]);
    if (entityRef !== undefined) query.where('entity_ref', entityRef);
    return (await query).map(toGate);
  }

  /** A gate of the entity by Stagecraft id; another entity's gate is not found. */
  async getGate(
    entityRef: string,
    id: string,
  ): Promise<StoredGate | undefined> {
    const key = splitProviderId(id);
    if (!key) return undefined;
    const row: GateRow | undefined = await this.db('provider_gates')
      .where({
        entity_ref: entityRef,
        provider: key.provider,
        provider_gate_id: key.providerId,
      })
      .first();
    return row && toGate(row);
  }
}

/** Validated rows, one per gate id (the last report of a gate wins). */
function gateRows(
  entityRef: string,
  provider: string,
  targetKey: string,
  gates: LedgerGate[],
): GateRow[] {
  if (!targetKey) {
    throw new InputError(
      `Gates of ${entityRef} from '${provider}' need a target key`,
    );
  }
  const rows = new Map<string, GateRow>();
  for (const gate of gates) {
    const what = `gate '${gate.providerGateId}' of ${entityRef} from '${provider}'`;
    if (!gate.providerGateId) {
      throw new InputError(
        `A gate of ${entityRef} from '${provider}' has no id`,
      );
    }
    validateVersion(gate.version, what);
    rows.set(gate.providerGateId, {
      entity_ref: entityRef,
      provider,
      provider_gate_id: gate.providerGateId,
      target_key: targetKey,
      environment: gate.environment,
      ...versionColumns(gate.version),
      reviewers: JSON.stringify(gate.reviewers),
      since: parseTime(gate.since, `since of ${what}`),
      gate_type: gate.type ?? null,
      expires_at: gate.expiresAt
        ? parseTime(gate.expiresAt, `expiresAt of ${what}`)
        : null,
      wait_timer_minutes: gate.waitTimerMinutes ?? null,
      requested_by: gate.requestedBy ?? null,
      url: gate.url ?? null,
      details: gate.details ? JSON.stringify(gate.details) : null,
      summary: gate.summary ?? null,
    });
  }
  return [...rows.values()];
}

/**
 * Writes gates. A sync's snapshot (`replace`) is the provider's whole word
 * on them; a webhook's report (`merge`) may know less (GitHub's job event
 * names no reviewers), so what it leaves out stays, and the earliest
 * `since` wins: the stored gate is the same whatever order reports came in.
 */
async function writeGates(
  db: Knex,
  rows: GateRow[],
  mode: 'replace' | 'merge' = 'replace',
) {
  const keep = (column: string) =>
    db.raw(`COALESCE(excluded.${column}, provider_gates.${column})`);
  const merged = {
    reviewers: db.raw(
      "CASE WHEN excluded.reviewers = '[]' THEN provider_gates.reviewers ELSE excluded.reviewers END",
    ),
    since: db.raw(
      'CASE WHEN excluded.since < provider_gates.since THEN excluded.since ELSE provider_gates.since END',
    ),
    gate_type: keep('gate_type'),
    expires_at: keep('expires_at'),
    wait_timer_minutes: keep('wait_timer_minutes'),
    requested_by: keep('requested_by'),
    url: keep('url'),
    details: keep('details'),
    summary: keep('summary'),
  };
  const key = ['entity_ref', 'provider', 'provider_gate_id'];
  for (const batch of chunk(rows, DEPLOYMENT_BATCH_SIZE)) {
    const upsert = db('provider_gates').insert(batch).onConflict(key);
    if (mode === 'replace') {
      await upsert.merge();
      continue;
    }
    // The rest (environment, version, target) is the report's, as on replace.
    const reported = Object.fromEntries(
      Object.keys(batch[0])
        .filter(column => !key.includes(column) && !(column in merged))
        .map(column => [column, db.raw(`excluded.${column}`)]),
    );
    await upsert.merge({ ...reported, ...merged });
  }
}

/** A row of `provider_gates` (as the driver or a JSON aggregate gives it) as a stored gate. */
export function toGate(row: GateRow): StoredGate {
  return compact({
    id: providerId(row.provider, row.provider_gate_id),
    kind: 'provider' as const,
    provider: row.provider,
    entityRef: row.entity_ref,
    environment: row.environment,
    version: toVersion(row),
    reviewers: JSON.parse(row.reviewers),
    since: toIso(row.since),
    type: (row.gate_type ?? undefined) as GateType | undefined,
    expiresAt: isoOrUndefined(row.expires_at),
    waitTimerMinutes: row.wait_timer_minutes ?? undefined,
    requestedBy: row.requested_by ?? undefined,
    url: row.url ?? undefined,
    details: row.details ? JSON.parse(row.details) : undefined,
    summary: row.summary ?? undefined,
    targetKey: row.target_key || undefined,
  });
}
