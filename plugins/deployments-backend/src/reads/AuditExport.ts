import { stringify } from 'csv-stringify/sync';
import type { AuditEntry } from '@stagecraft/plugin-deployments-common';
import type {
  AuditFilters,
  DeploymentStore,
} from '../database/DeploymentStore';

/** The most rows one CSV export holds; narrower filters export the rest. */
export const MAX_EXPORT_ROWS = 10_000;
const EXPORT_PAGE_SIZE = 500;

const COLUMNS: Array<[string, (entry: AuditEntry) => string | undefined]> = [
  ['at', e => e.at],
  ['entity', e => e.entityRef],
  ['environment', e => e.environment],
  ['action', e => e.action],
  ['outcome', e => e.outcome],
  ['actor', e => e.actor],
  ['provider_identity', e => e.providerIdentity],
  ['version_sha', e => e.version?.sha],
  ['version_tag', e => e.version?.tag],
  ['comment', e => e.comment],
  ['request_id', e => e.requestId],
  ['detail', e => e.detail],
];

/**
 * Spreadsheets run cells that start with = + - @ as formulas; comments are
 * user input, so such cells are prefixed with a quote.
 */
function inert(value: string | undefined): string {
  if (!value) {
    return '';
  }
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** Every audit entry that matches the filters, as CSV, newest first. */
export async function auditCsv(options: {
  store: DeploymentStore;
  entityRef: string;
  filters: AuditFilters;
}): Promise<{ csv: string; truncated: boolean }> {
  const entries: AuditEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await options.store.listAudit(
      options.entityRef,
      options.filters,
      { limit: EXPORT_PAGE_SIZE, cursor },
    );
    entries.push(...page.entries);
    cursor = page.nextCursor;
  } while (cursor && entries.length < MAX_EXPORT_ROWS);

  const rows = entries
    .slice(0, MAX_EXPORT_ROWS)
    .map(entry => COLUMNS.map(([, read]) => inert(read(entry))));
  return {
    csv: stringify(rows, {
      header: true,
      columns: COLUMNS.map(([name]) => name),
    }),
    truncated: Boolean(cursor) || entries.length > MAX_EXPORT_ROWS,
  };
}
