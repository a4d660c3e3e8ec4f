import type {
  AuditEntry,
  ReleaseEvidence,
} from '@stagecraft/plugin-deployments-common';
import { InputError } from '@backstage/errors';
import { Knex } from 'knex';
import { DbTime, parseTime, toIso } from '../dbTime';

/** Evidence as an action records it: the store gives it its id. */
export type NewReleaseEvidence = Omit<ReleaseEvidence, 'id' | 'schema'> & {
  /** The caller's Idempotency-Key: a second record for the same (actor, key) is never written. */
  idempotencyKey?: string;
};

interface EvidenceRow {
  id: number;
  audit_id: number;
  request_id: string | null;
  entity_ref: string;
  action: string;
  outcome: string;
  environment: string;
  sha: string;
  actor: string;
  idempotency_key: string | null;
  recorded_at: DbTime;
  changes_status: string;
  changes_hash: string | null;
  document: string;
}

export const RELEASE_EVIDENCE_SCHEMA = 'stagecraft.release-evidence/v1';

/** Audit ids are the audit log's integer ids; anything else names no entry. */
export function parseAuditId(auditId: string): number {
  if (!/^[1-9]\d{0,15}$/.test(auditId) || !Number.isSafeInteger(+auditId)) {
    throw new InputError(
      `auditId '${auditId.slice(
        0,
        40,
      )}' is not an audit entry id (a positive integer)`,
    );
  }
  return Number(auditId);
}

/**
 * Release evidence, append-only: records are inserted, never updated or
 * deleted. One record per audit entry and per (actor, Idempotency-Key).
 */
export class KnexReleaseEvidence {
  constructor(private readonly db: Knex) {}

  /**
   * Records the evidence; when the same actor's Idempotency-Key already
   * recorded some (a retry), returns that record and writes nothing.
   */
  async recordReleaseEvidence(
    evidence: NewReleaseEvidence,
  ): Promise<ReleaseEvidence> {
    const { idempotencyKey, ...document } = evidence;
    const auditId = parseAuditId(evidence.auditId);
    const row: Omit<EvidenceRow, 'id'> = {
      audit_id: auditId,
      request_id: evidence.requestId ?? null,
      entity_ref: evidence.entityRef,
      action: evidence.action,
      outcome: evidence.outcome,
      environment: evidence.environment,
      sha: evidence.version.sha,
      actor: evidence.actor,
      idempotency_key: idempotencyKey ?? null,
      recorded_at: parseTime(evidence.recordedAt, 'recordedAt'),
      changes_status: evidence.changes.status,
      changes_hash:
        evidence.changes.status === 'available'
          ? evidence.changes.hash.value
          : null,
      document: JSON.stringify({
        schema: RELEASE_EVIDENCE_SCHEMA,
        ...document,
      }),
    };
    const insert = this.db('release_evidence').insert(row);
    if (idempotencyKey) {
      await insert.onConflict(['actor', 'idempotency_key']).ignore();
    } else {
      await insert;
    }
    const stored = idempotencyKey
      ? await this.db<EvidenceRow>('release_evidence')
          .where({ actor: evidence.actor, idempotency_key: idempotencyKey })
          .first()
      : await this.db<EvidenceRow>('release_evidence')
          .where({ audit_id: auditId })
          .first();
    return toEvidence(stored!);
  }

  /** The evidence of one audit entry of the entity; undefined when it has none (or is another entity's). */
  async getReleaseEvidence(
    entityRef: string,
    auditId: string,
  ): Promise<ReleaseEvidence | undefined> {
    const row = await this.db<EvidenceRow>('release_evidence')
      .where({ audit_id: parseAuditId(auditId), entity_ref: entityRef })
      .first();
    return row ? toEvidence(row) : undefined;
  }

  /** The entries, each with `evidenceId` where it recorded evidence: one indexed lookup per page. */
  async withEvidenceIds(entries: AuditEntry[]): Promise<AuditEntry[]> {
    const ids = entries
      .map(entry => Number(entry.id))
      .filter(Number.isSafeInteger);
    if (ids.length === 0) return entries;
    const rows: Array<Pick<EvidenceRow, 'id' | 'audit_id'>> = await this.db(
      'release_evidence',
    )
      .whereIn('audit_id', ids)
      .select('id', 'audit_id');
    const byAudit = new Map(
      rows.map(row => [String(row.audit_id), String(row.id)]),
    );
    return entries.map(entry => {
      const evidenceId = byAudit.get(entry.id);
      return evidenceId ? { ...entry, evidenceId } : entry;
    });
  }
}

function toEvidence(row: EvidenceRow): ReleaseEvidence {
  const document = JSON.parse(row.document) as Omit<ReleaseEvidence, 'id'>;
  return {
    ...document,
    id: String(row.id),
    // The columns are what the store was asked to link: they win.
    auditId: String(row.audit_id),
    entityRef: row.entity_ref,
    recordedAt: toIso(row.recorded_at),
  };
}
