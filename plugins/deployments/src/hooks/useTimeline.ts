import { useLayoutEffect, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import type {
  TimelineQuery,
  TimelineResponse,
  TimelineRow,
} from '@stagecraft/plugin-deployments-common';
import { deploymentsApiRef } from '../api';
import { useCursorPages } from './useCursorPages';

export interface TimelineFilters {
  environment?: string[];
  since?: string;
}

/** How many versions a timeline page holds. */
export const TIMELINE_PAGE_SIZE = 20;

function timelineQuery(
  filters: TimelineFilters,
  pageSize: number,
  cursor?: string,
): TimelineQuery {
  return {
    limit: pageSize,
    cursor,
    environment: filters.environment?.length ? filters.environment : undefined,
    since: filters.since,
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
  ]);
}

/**
 * A first timeline page asked for before the view that shows it exists, so
 * that the request runs alongside others instead of after them. The page
 * serves the first first-page load that follows, if that load asks for the
 * same page; either way it is then dropped, so a reload, a change of filters
 * or a remount after an action asks the backend anew.
 */
export class TimelinePrefetch {
  #entry?: { key: string; page: Promise<TimelineResponse> };

  start(
    entityRef: string,
    query: TimelineQuery,
    load: (query: TimelineQuery) => Promise<TimelineResponse>,
  ) {
    const page = load(query);
    // The view that takes the page reports its failure; a page nobody takes
    // (the environments failed, so no timeline is shown) must not surface
    // as an unhandled rejection.
    page.catch(() => {});
    this.#entry = { key: queryKey(entityRef, query), page };
  }

  take(
    entityRef: string,
    query: TimelineQuery,
  ): Promise<TimelineResponse> | undefined {
    const entry = this.#entry;
    this.#entry = undefined;
    return entry?.key === queryKey(entityRef, query) ? entry.page : undefined;
  }

  clear() {
    this.#entry = undefined;
  }
}

/**
 * Starts loading the first page of the unfiltered timeline now, for a
 * `useTimeline` further down the tree to take when it mounts.
 */
export function useTimelinePrefetch(
  entityRef: string,
  pageSize = TIMELINE_PAGE_SIZE,
): TimelinePrefetch {
  const api = useApi(deploymentsApiRef);
  const [prefetch] = useState(() => new TimelinePrefetch());
  // A layout effect runs before any passive effect of the same commit, so a
  // timeline rendered in that commit (e.g. after a change of entity) still
  // finds this entity's page rather than the previous one's.
  useLayoutEffect(() => {
    prefetch.start(entityRef, timelineQuery({}, pageSize), query =>
      api.getTimeline(entityRef, query),
    );
    return () => prefetch.clear();
  }, [api, entityRef, pageSize, prefetch]);
  return prefetch;
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
  const { since } = filters;
  const paging = useCursorPages(
    cursor => {
      const query = timelineQuery(
        { environment: environmentKey ? environmentKey.split(',') : [], since },
        pageSize,
        cursor,
      );
      const prefetched =
        cursor === undefined ? prefetch?.take(entityRef, query) : undefined;
      return prefetched ?? api.getTimeline(entityRef, query);
    },
    [api, entityRef, environmentKey, since, pageSize, prefetch],
  );
  const rows: TimelineRow[] = paging.pages.flatMap(page => page.rows);
  const environments = paging.pages[0]?.environments ?? [];
  return { ...paging, rows, environments };
}
