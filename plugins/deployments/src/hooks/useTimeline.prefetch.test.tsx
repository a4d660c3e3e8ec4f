import { PropsWithChildren } from 'react';
import { renderHook } from '@testing-library/react';
import { TestApiProvider } from '@backstage/test-utils';
import { signalApiRef, type SignalApi } from '@backstage/plugin-signals-react';
import type { TimelineResponse } from '@stagecraft/plugin-deployments-common';
import {
  aTimelineRow,
  ENTITY_REF,
  fakeDeploymentsApi,
} from '../__testUtils__/fixtures';
import { deploymentsApiRef } from '../api';
import { TimelinePrefetch, timelineQuery, useTimeline } from './useTimeline';

const signals: SignalApi = {
  subscribe: () => ({ unsubscribe: () => {} }),
};

const held: TimelineResponse = {
  entityRef: ENTITY_REF,
  environments: ['dev', 'staging', 'production'],
  rows: [aTimelineRow('a1', 'v3', {})],
  nextCursor: 'c-2',
};

function render(prefetch: TimelinePrefetch) {
  const getTimeline = jest.fn().mockResolvedValue(held);
  const api = fakeDeploymentsApi({ getTimeline });
  const wrapper = ({ children }: PropsWithChildren<{}>) => (
    <TestApiProvider
      apis={[
        [deploymentsApiRef, api],
        [signalApiRef, signals],
      ]}
    >
      {children}
    </TestApiProvider>
  );
  const hook = renderHook(() => useTimeline(ENTITY_REF, {}, { prefetch }), {
    wrapper,
  });
  return { ...hook, getTimeline };
}

describe('useTimeline with a first page already at hand', () => {
  it('shows its rows from the first render, asks nothing, and drops the page once shown', () => {
    const prefetch = new TimelinePrefetch();
    prefetch.put(ENTITY_REF, timelineQuery({}, 20), held);

    const { result, getTimeline } = render(prefetch);

    expect(result.current.loading).toBe(false);
    expect(result.current.rows.map(row => row.version.sha)).toEqual(['a1']);
    expect(result.current.hasMore).toBe(true);
    expect(getTimeline).not.toHaveBeenCalled();
    expect(prefetch.peek(ENTITY_REF, timelineQuery({}, 20))).toBeUndefined();
  });

  it('asks the backend when the page held is for another query', () => {
    const prefetch = new TimelinePrefetch();
    prefetch.put(ENTITY_REF, timelineQuery({}, 50), held);

    const { result, getTimeline } = render(prefetch);

    expect(result.current.loading).toBe(true);
    expect(getTimeline).toHaveBeenCalledTimes(1);
  });
});
