import { PropsWithChildren } from 'react';
import { act, renderHook, waitFor } from '@testing-library/react';
import { TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import type { Entity } from '@backstage/catalog-model';
import { signalApiRef, type SignalApi } from '@backstage/plugin-signals-react';
import { LIVE_POLL_INTERVAL_MS, usePolledData } from './usePolledData';
import { ledgerChannel } from './useLedgerSignal';

type JsonObject = Parameters<Parameters<SignalApi['subscribe']>[1]>[0];

const PAYMENTS = 'component:default/payments-api';
const WORKER = 'component:default/ledger-worker';

/** An in-memory signals bus standing in for the signals plugin's client. */
class FakeSignals implements SignalApi {
  private readonly subscribers = new Map<
    string,
    Set<(message: JsonObject) => void>
  >();

  subscribe<T extends JsonObject>(channel: string, onMessage: (m: T) => void) {
    const set = this.subscribers.get(channel) ?? new Set();
    set.add(onMessage as (message: JsonObject) => void);
    this.subscribers.set(channel, set);
    return {
      unsubscribe: () => set.delete(onMessage as (m: JsonObject) => void),
    };
  }

  emit(entityRef: string) {
    for (const onMessage of this.subscribers.get(ledgerChannel(entityRef)) ??
      []) {
      onMessage({ entityRef, parts: ['deployments'] });
    }
  }

  listeners(entityRef: string) {
    return this.subscribers.get(ledgerChannel(entityRef))?.size ?? 0;
  }
}

function withSignals(signals?: FakeSignals, entity?: Entity) {
  return ({ children }: PropsWithChildren<{}>) => {
    const inner = entity ? (
      <EntityProvider entity={entity}>{children}</EntityProvider>
    ) : (
      children
    );
    if (!signals) {
      return <TestApiProvider apis={[]}>{inner}</TestApiProvider>;
    }
    return (
      <TestApiProvider apis={[[signalApiRef, signals]]}>
        {inner}
      </TestApiProvider>
    );
  };
}

describe('usePolledData with ledger signals', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("refreshes at once on a signal of its entity, and not on another entity's", async () => {
    const signals = new FakeSignals();
    const payments = jest.fn(async () => 'payments');
    const worker = jest.fn(async () => 'worker');
    const wrapper = withSignals(signals);
    renderHook(() => usePolledData(payments, [], { entityRef: PAYMENTS }), {
      wrapper,
    });
    renderHook(() => usePolledData(worker, [], { entityRef: WORKER }), {
      wrapper,
    });
    await waitFor(() => expect(payments).toHaveBeenCalledTimes(1));
    await waitFor(() => expect(worker).toHaveBeenCalledTimes(1));

    act(() => signals.emit(PAYMENTS));
    await waitFor(() => expect(payments).toHaveBeenCalledTimes(2));
    expect(worker).toHaveBeenCalledTimes(1);
  });

  it("follows the page's entity when none is given, and stops listening on unmount", async () => {
    const signals = new FakeSignals();
    const load = jest.fn(async () => 'lanes');
    const entity: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'payments-api', namespace: 'default' },
    };
    const { unmount } = renderHook(() => usePolledData(load, []), {
      wrapper: withSignals(signals, entity),
    });
    await waitFor(() => expect(load).toHaveBeenCalledTimes(1));

    act(() => signals.emit(PAYMENTS));
    await waitFor(() => expect(load).toHaveBeenCalledTimes(2));
    unmount();
    expect(signals.listeners(PAYMENTS)).toBe(0);
  });

  it('polls only as a safety net while signals arrive', async () => {
    const signals = new FakeSignals();
    const load = jest.fn(async () => 'lanes');
    renderHook(
      () =>
        usePolledData(load, [], { entityRef: PAYMENTS, intervalMs: 30_000 }),
      { wrapper: withSignals(signals) },
    );
    await waitFor(() => expect(load).toHaveBeenCalledTimes(1));
    await act(async () => {
      jest.advanceTimersByTime(LIVE_POLL_INTERVAL_MS - 1);
    });
    expect(load).toHaveBeenCalledTimes(1);
    await act(async () => {
      jest.advanceTimersByTime(1);
    });
    await waitFor(() => expect(load).toHaveBeenCalledTimes(2));
  });

  it('keeps polling at its interval when the app has no signals plugin', async () => {
    const load = jest.fn(async () => 'lanes');
    renderHook(
      () =>
        usePolledData(load, [], { entityRef: PAYMENTS, intervalMs: 30_000 }),
      { wrapper: withSignals(undefined) },
    );
    await waitFor(() => expect(load).toHaveBeenCalledTimes(1));
    await act(async () => {
      jest.advanceTimersByTime(60_000);
    });
    await waitFor(() => expect(load).toHaveBeenCalledTimes(3));
  });

  it('does not listen for data that is about no single entity', async () => {
    const signals = new FakeSignals();
    const entity: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'payments-api', namespace: 'default' },
    };
    renderHook(() => usePolledData(async () => [], [], { entityRef: null }), {
      wrapper: withSignals(signals, entity),
    });
    await act(async () => {});
    expect(signals.listeners(PAYMENTS)).toBe(0);
  });
});
