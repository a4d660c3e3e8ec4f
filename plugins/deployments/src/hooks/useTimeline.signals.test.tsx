import { PropsWithChildren } from 'react';
import { act, renderHook, waitFor } from '@testing-library/react';
import { TestApiProvider } from '@backstage/test-utils';
import { signalApiRef, type SignalApi } from '@backstage/plugin-signals-react';
import type { TimelineResponse } from '@stagecraft/plugin-deployments-common';
import { ENTITY_REF, fakeDeploymentsApi } from '../__testUtils__/fixtures';
import { deploymentsApiRef } from '../api';
import { ledgerChannel } from './useLedgerSignal';
import { useAudit } from './useAudit';
import { useTimeline } from './useTimeline';

type Listener = (message: any) => void;

/** Just enough of the signals client: subscribe, and a way to send. */
function fakeSignals() {
  const listeners = new Map<string, Set<Listener>>();
  const api: SignalApi = {
    subscribe(channel, onMessage) {
      const set = listeners.get(channel) ?? new Set<Listener>();
      set.add(onMessage as Listener);
      listeners.set(channel, set);
      return { unsubscribe: () => set.delete(onMessage as Listener) };
    },
  };
  const emit = (entityRef: string) =>
    listeners
      .get(ledgerChannel(entityRef))
      ?.forEach(listener => listener({ entityRef, parts: ['deployments'] }));
  return { api, emit };
}

const page = (cursor?: string): TimelineResponse => ({
  entityRef: ENTITY_REF,
  environments: ['dev'],
  rows: [],
  nextCursor: cursor,
});

function wrapper(
  api: ReturnType<typeof fakeDeploymentsApi>,
  signals: SignalApi,
) {
  return ({ children }: PropsWithChildren<{}>) => (
    <TestApiProvider
      apis={[
        [deploymentsApiRef, api],
        [signalApiRef, signals],
      ]}
    >
      {children}
    </TestApiProvider>
  );
}

describe('the timeline and audit log follow ledger signals', () => {
  it('reloads the timeline’s first page when the entity’s ledger changes, not on another entity’s', async () => {
    const getTimeline = jest.fn().mockResolvedValue(page('c-2'));
    const signals = fakeSignals();
    renderHook(() => useTimeline(ENTITY_REF, {}), {
      wrapper: wrapper(fakeDeploymentsApi({ getTimeline }), signals.api),
    });
    await waitFor(() => expect(getTimeline).toHaveBeenCalledTimes(1));

    act(() => signals.emit('component:default/ledger-worker'));
    act(() => signals.emit(ENTITY_REF));
    await waitFor(() => expect(getTimeline).toHaveBeenCalledTimes(2));
    expect(getTimeline).toHaveBeenLastCalledWith(ENTITY_REF, { limit: 20 });
  });

  it('leaves a timeline paged further back as it is', async () => {
    const getTimeline = jest.fn().mockResolvedValue(page('c-next'));
    const signals = fakeSignals();
    const { result } = renderHook(() => useTimeline(ENTITY_REF, {}), {
      wrapper: wrapper(fakeDeploymentsApi({ getTimeline }), signals.api),
    });
    await waitFor(() => expect(result.current.hasMore).toBe(true));
    act(() => result.current.loadMore());
    await waitFor(() => expect(result.current.pages).toHaveLength(2));

    act(() => signals.emit(ENTITY_REF));
    await new Promise(resolve => setTimeout(resolve, 50));
    expect(getTimeline).toHaveBeenCalledTimes(2);
    expect(result.current.pages).toHaveLength(2);
  });

  it('reloads the audit log’s first page when the entity’s ledger changes', async () => {
    const getAudit = jest.fn().mockResolvedValue({ entries: [] });
    const signals = fakeSignals();
    renderHook(() => useAudit(ENTITY_REF, {}), {
      wrapper: wrapper(fakeDeploymentsApi({ getAudit }), signals.api),
    });
    await waitFor(() => expect(getAudit).toHaveBeenCalledTimes(1));
    act(() => signals.emit(ENTITY_REF));
    await waitFor(() => expect(getAudit).toHaveBeenCalledTimes(2));
  });
});
