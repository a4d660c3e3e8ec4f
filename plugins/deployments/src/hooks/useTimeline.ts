import { useApi } from '@backstage/core-plugin-api';
import type { TimelineRow } from '@stagecraft/plugin-deployments-common';
import { deploymentsApiRef } from '../api';
import { useCursorPages } from './useCursorPages';

export interface TimelineFilters {
  environment?: string[];
  since?: string;
}

/** The promotion timeline, newest version first, one page at a time. */
export function useTimeline(
  entityRef: string,
  filters: TimelineFilters,
  pageSize = 20,
) {
  const api = useApi(deploymentsApiRef);
  const environmentKey = filters.environment?.join(',') ?? '';
  const { since } = filters;
  const paging = useCursorPages(
    cursor =>
      api.getTimeline(entityRef, {
        limit: pageSize,
        cursor,
        environment: environmentKey ? environmentKey.split(',') : undefined,
        since,
      }),
    [api, entityRef, environmentKey, since, pageSize],
  );
  const rows: TimelineRow[] = paging.pages.flatMap(page => page.rows);
  const environments = paging.pages[0]?.environments ?? [];
  return { ...paging, rows, environments };
}
