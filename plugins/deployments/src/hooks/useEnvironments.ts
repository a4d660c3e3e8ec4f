import { useEffect, useRef } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import type { EnvironmentsResponse } from '@stagecraft/plugin-deployments-common';
import { deploymentsApiRef } from '../api';
import { usePolledData } from './usePolledData';
import {
  TIMELINE_PAGE_SIZE,
  TimelinePrefetch,
  timelineQuery,
} from './useTimeline';
import { releaseTabOpening, tabQuery, takeTabOpening } from './tabOpening';

export interface UseEnvironmentsOptions {
  /**
   * Ask for the caller's permissions with every answer, and for the
   * timeline's first page with the first one, handing it to this prefetch:
   * the tab then opens with one request to the backend instead of three.
   */
  tab?: { prefetch: TimelinePrefetch; pageSize?: number };
}

/**
 * The environments of an entity, in promotion order, with their current
 * state, pending gates and provider sync status; refreshed while visible.
 */
export function useEnvironments(
  entityRef: string,
  options: UseEnvironmentsOptions = {},
) {
  const api = useApi(deploymentsApiRef);
  const { tab } = options;
  const prefetch = tab?.prefetch;
  const pageSize = tab?.pageSize ?? TIMELINE_PAGE_SIZE;
  // The first answer of the tab is asked for while it first renders, not
  // after it painted: it is the one request the lanes wait for.
  const first = useRef<{
    entityRef: string;
    answer: Promise<EnvironmentsResponse>;
  }>();
  // When the tab's opener sent it already (EntityDeploymentsTab), that one.
  if (prefetch && first.current?.entityRef !== entityRef) {
    const answer =
      takeTabOpening(api, entityRef, pageSize) ??
      api.getEnvironments(entityRef, tabQuery(pageSize));
    // Whoever takes it reports its failure; unclaimed, it must not be unhandled.
    answer.catch(() => {});
    first.current = { entityRef, answer };
  }
  // Mounted with it: a later opening of the tab asks anew.
  useEffect(() => {
    if (prefetch) releaseTabOpening(api, entityRef);
  }, [api, entityRef, prefetch]);
  // The entity whose first answer carried the timeline: later polls do not.
  const timelineSentFor = useRef<string>();
  return usePolledData(async () => {
    if (!prefetch) {
      return api.getEnvironments(entityRef);
    }
    if (timelineSentFor.current !== entityRef && first.current) {
      timelineSentFor.current = entityRef;
      const answer = await first.current.answer;
      if (answer.timeline) {
        prefetch.put(entityRef, timelineQuery({}, pageSize), answer.timeline);
      }
      return answer;
    }
    return api.getEnvironments(entityRef, { include: ['permissions'] });
  }, [api, entityRef, prefetch, pageSize]);
}
