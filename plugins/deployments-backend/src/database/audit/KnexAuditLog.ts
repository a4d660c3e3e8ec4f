import type { AuditEntry } from '@stagecraft/plugin-deployments-common';
import { Knex } from 'knex';
import type { AuditFilters } from '../DeploymentStore';
import { DbTime, parseTime, toIso, toMillis } from '../dbTime';
import { createPageCursorCodec } from '../pageCursor';
import { MAX_ERROR_LENGTH, compact, validLimit } from '../rowValues';
import { toVersion, versionColumns } from '../versionColumns';

const auditCursor = createPageCursorCodec(
  'audit',
  (value): value is { at: number; id: number } =>
    typeof value === 'object' &&
    value !== null &&
    Number.isSafeInteger((value as any).at) &&
    Number.isSafeInteger((value as any).id),
);

interface AuditRow {
  id: number;
  at: DbTime;
  entity_ref: string;
  action: string;
  outcome: string;
  actor: string;
  provider_identity: string | null;
  environment: string;
  sha: string | null;
  tag: string | null;
  message: string | null;
  version_url: string | null;
  artifact: string | null;
  commit_unknown: boolean | number;
  comment: string | null;
  request_id: string | null;
  detail: string | null;
}

/** The append-only audit log of portal actions: nothing here updates a row. */
export class KnexAuditLog {
  constructor(private readonly db: Knex) {}

  async appendAudit(
    entry: Omit<AuditEntry, 'id' | 'at'> & { at?: string },
  ): Promise<AuditEntry> {
    const row: Omit<AuditRow, 'id'> = {
      at: entry.at ? parseTime(entry.at, 'at') : new Date(),
      entity_ref: entry.entityRef,
      action: entry.action,
      outcome: entry.outcome,
      actor: entry.actor,
      provider_identity: entry.providerIdentity ?? null,
      environment: entry.environment,
      ...(entry.version
        ? versionColumns(entry.version)
        : {
            sha: null,
            tag: null,
            message: null,
            version_url: null,
            artifact: null,
            commit_unknown: false,
          }),
      comment: entry.comment ?? null,
      request_id: entry.requestId ?? null,
      detail: entry.detail?.slice(0, MAX_ERROR_LENGTH) ?? null,
    };
    const [inserted] = await this.db('audit_log').insert(row).returning(['id']);
    return toAuditEntry({ ...row, id: Number(inserted.id) });
  }

  async listAudit(
    entityRef: string,
    filters: AuditFilters,
    page: { limit: number; cursor?: string },
  ): Promise<{ entries: AuditEntry[]; nextCursor?: string }> {
    const limit = validLimit(page.limit);
    const query = this.db<AuditRow>('audit_log').where('entity_ref', entityRef);
    if (filters.environment?.length) {
      query.whereIn('environment', filters.environment);
    }
    if (filters.action?.length) query.whereIn('action', filters.action);
    if (filters.outcome?.length) query.whereIn('outcome', filters.outcome);
    if (filters.actor) query.where('actor', filters.actor);
    if (filters.since) {
      query.where('at', '>=', parseTime(filters.since, 'since'));
    }
    if (filters.until) {
      query.where('at', '<=', parseTime(filters.until, 'until'));
    }
    if (page.cursor) {
      const after = auditCursor.decode(page.cursor);
      const at = new Date(after.at);
      query.where(inner =>
        inner
          .where('at', '<', at)
          .orWhere(tie => tie.where('at', '=', at).where('id', '<', after.id)),
      );
    }
    const rows: AuditRow[] = await query
      .orderBy([
        { column: 'at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(limit + 1);
    const entries = rows.slice(0, limit);
    const last = entries[entries.length - 1];
    return compact({
      entries: entries.map(toAuditEntry),
      nextCursor:
        rows.length > limit && last
          ? auditCursor.encode({ at: toMillis(last.at)!, id: Number(last.id) })
          : undefined,
    });
  }
}

function toAuditEntry(row: AuditRow): AuditEntry {
  return compact({
    id: String(row.id),
    at: toIso(row.at),
    entityRef: row.entity_ref,
    action: row.action as AuditEntry['action'],
    outcome: row.outcome as AuditEntry['outcome'],
    actor: row.actor,
    providerIdentity: row.provider_identity ?? undefined,
    environment: row.environment,
    version: row.sha ? toVersion({ ...row, sha: row.sha }) : undefined,
    comment: row.comment ?? undefined,
    requestId: row.request_id ?? undefined,
    detail: row.detail ?? undefined,
  });
}
