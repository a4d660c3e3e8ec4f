import { useApi } from '@backstage/core-plugin-api';
import type {
  TimelineOutcome,
  TimelineQuery,
  TimelineResponse,
  TimelineRow,
} from '@stagecraft/plugin-deployments-common';
import { deploymentsApiRef } from '../api';
import { useCursorPages } from './useCursorPages';
import { useLedgerSignal } from './useLedgerSignal';
import { TAB_TIMELINE_PAGE_SIZE } from './tabOpening';

export interface TimelineFilters {
  environment?: string[];
  since?: string;
  /** Only versions rolled back or failing verification. */
  outcome?: TimelineOutcome;
}

/** How many versions a timeline page holds. */
export const TIMELINE_PAGE_SIZE = TAB_TIMELINE_PAGE_SIZE;

export function timelineQuery(
  filters: TimelineFilters,
  pageSize: number,
  cursor?: string,
): TimelineQuery {
  return {
    limit: pageSize,
    cursor,
    environment: filters.environment?.length ? filters.environment : undefined,
    since: filters.since,
    outcome: filters.outcome ? [filters.outcome] : undefined,
  };
}

function queryKey(entityRef: string, query: TimelineQuery): string {
  return JSON.stringify([
    entityRef,
    query.limit,
    query.cursor,
    query.environment,
    query.since,
    query.until,
    query.outcome,
  ]);
}

/**
 * A first timeline page that arrived before the view that shows it exists
 * (inside the environments answer), so that the view need not ask for it.
 * The page serves the first first-page load that follows, if that load asks
 * for the same page; either way it is then dropped, so a reload, a change of
 * filters or a remount after an action asks the backend anew.
 */
export class TimelinePrefetch {
  #entry?: { key: string; page: TimelineResponse };

  /** Holds a first page that has already arrived (e.g. inside another answer). */
  put(entityRef: string, query: TimelineQuery, page: TimelineResponse) {
    this.#entry = { key: queryKey(entityRef, query), page };
  }

  take(
    entityRef: string,
    query: TimelineQuery,
  ): Promise<TimelineResponse> | undefined {
    const page = this.peek(entityRef, query);
    this.#entry = undefined;
    return page ? Promise.resolve(page) : undefined;
  }

  /** The page held for this query, left in place (a render may be thrown away): `clear` once it is shown. */
  peek(entityRef: string, query: TimelineQuery): TimelineResponse | undefined {
    const entry = this.#entry;
    return entry?.key === queryKey(entityRef, query) ? entry.page : undefined;
  }

  clear() {
    this.#entry = undefined;
  }
}

/**
 * The promotion timeline, newest version first, one page at a time. With a
 * `prefetch`, the first page comes from it when it holds that page.
 */
export function useTimeline(
  entityRef: string,
  filters: TimelineFilters,
  options: { pageSize?: number; prefetch?: TimelinePrefetch } = {},
) {
  const { pageSize = TIMELINE_PAGE_SIZE, prefetch } = options;
  const api = useApi(deploymentsApiRef);
  const environmentKey = filters.environment?.join(',') ?? '';
  const { since, outcome } = filters;
  const paging = useCursorPages(
    cursor => {
      const query = timelineQuery(
        {
          environment: environmentKey ? environmentKey.split(',') : [],
          since,
          outcome,
        },
        pageSize,
        cursor,
      );
      const prefetched =
        cursor === undefined ? prefetch?.take(entityRef, query) : undefined;
      return prefetched ?? api.getTimeline(entityRef, query);
    },
    [api, entityRef, environmentKey, since, outcome, pageSize, prefetch],
    {
      // Held already: the rows render with the lanes, in the same commit.
      first: () =>
        prefetch?.peek(
          entityRef,
          timelineQuery(
            {
              environment: environmentKey ? environmentKey.split(',') : [],
              since,
              outcome,
            },
            pageSize,
          ),
        ),
      onFirstShown: () => prefetch?.clear(),
    },
  );
  // A change of the entity's ledger reloads the first page, unless the
  // user has paged further back: that view is left as it is.
  const pagesShown = paging.pages.length;
  useLedgerSignal(entityRef, () => {
    if (pagesShown <= 1) paging.reload();
  });
  const rows: TimelineRow[] = paging.pages.flatMap(page => page.rows);
  const environments = paging.pages[0]?.environments ?? [];
  return { ...paging, rows, environments };
}
