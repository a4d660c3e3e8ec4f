import { useApi } from '@backstage/core-plugin-api';
import type {
  AuditEntry,
  AuditOutcome,
  DeploymentActionType,
} from '@stagecraft/plugin-deployments-common';
import { deploymentsApiRef } from '../api';
import { useCursorPages } from './useCursorPages';
import { useLedgerSignal } from './useLedgerSignal';

export interface AuditFilters {
  environment?: string;
  action?: DeploymentActionType;
  outcome?: AuditOutcome;
  actor?: string;
  since?: string;
}

/** The filters as the API takes them (empty ones left out). */
export function auditQuery(filters: AuditFilters) {
  return {
    environment: filters.environment ? [filters.environment] : undefined,
    action: filters.action ? [filters.action] : undefined,
    outcome: filters.outcome ? [filters.outcome] : undefined,
    actor: filters.actor?.trim() || undefined,
    since: filters.since,
  };
}

/** The audit log of one entity, newest first, one page at a time. */
export function useAudit(
  entityRef: string,
  filters: AuditFilters,
  pageSize = 25,
) {
  const api = useApi(deploymentsApiRef);
  const { environment, action, outcome, actor, since } = filters;
  const paging = useCursorPages(
    cursor =>
      api.getAudit(entityRef, {
        ...auditQuery({ environment, action, outcome, actor, since }),
        limit: pageSize,
        cursor,
      }),
    [api, entityRef, environment, action, outcome, actor, since, pageSize],
  );
  // A portal action lands in the audit log: a ledger signal reloads the
  // first page, unless the user has paged further back.
  const pagesShown = paging.pages.length;
  useLedgerSignal(entityRef, () => {
    if (pagesShown <= 1) paging.reload();
  });
  const entries: AuditEntry[] = paging.pages.flatMap(page => page.entries);
  return { ...paging, entries };
}
