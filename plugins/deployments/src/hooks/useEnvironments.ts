import { useRef } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { deploymentsApiRef } from '../api';
import { usePolledData } from './usePolledData';
import {
  TIMELINE_PAGE_SIZE,
  TimelinePrefetch,
  timelineQuery,
} from './useTimeline';

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
  // The entity whose first answer carried the timeline: later polls do not.
  const timelineSentFor = useRef<string>();
  return usePolledData(async () => {
    if (!prefetch) {
      return api.getEnvironments(entityRef);
    }
    const withTimeline = timelineSentFor.current !== entityRef;
    timelineSentFor.current = entityRef;
    const answer = await api.getEnvironments(entityRef, {
      include: withTimeline ? ['permissions', 'timeline'] : ['permissions'],
      timelineLimit: withTimeline ? pageSize : undefined,
    });
    if (withTimeline && answer.timeline) {
      prefetch.put(entityRef, timelineQuery({}, pageSize), answer.timeline);
    }
    return answer;
  }, [api, entityRef, prefetch, pageSize]);
}
