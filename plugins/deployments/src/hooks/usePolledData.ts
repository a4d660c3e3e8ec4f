import {
  DependencyList,
  useCallback,
  useEffect,
  useRef,
  useState,
} from 'react';
import { useLedgerSignal, usePageEntityRef } from './useLedgerSignal';

/** How often an open Deployments view asks for fresh data. */
export const DEFAULT_POLL_INTERVAL_MS = 30_000;

/**
 * How often a view that receives the entity's signals still asks: a safety
 * net for a signal lost while the connection was down.
 */
export const LIVE_POLL_INTERVAL_MS = 5 * 60_000;

export interface PolledData<T> {
  /** The last value that loaded; kept while a refresh runs and when a refresh fails. */
  value?: T;
  /** The error of the last attempt, cleared by the next success. */
  error?: Error;
  /** True while the first load (or a reload after a change of inputs) runs. */
  loading: boolean;
  /** When `value` was last loaded. */
  loadedAt?: Date;
  refresh: () => void;
}

function documentIsHidden(): boolean {
  return (
    typeof document !== 'undefined' && document.visibilityState === 'hidden'
  );
}

export interface PolledDataOptions {
  /** @defaultValue {@link DEFAULT_POLL_INTERVAL_MS} */
  intervalMs?: number;
  /**
   * The entity the data is about; its ledger signals refresh the data at
   * once. Defaults to the entity of the page (the tab, the card); `null`
   * for data that is about no single entity.
   */
  entityRef?: string | null;
  /** The interval while signals arrive. @defaultValue {@link LIVE_POLL_INTERVAL_MS} */
  liveIntervalMs?: number;
}

/**
 * Loads a value and refreshes it when the backend signals a change of the
 * entity it is about, and every `intervalMs` while the page is visible.
 * With the signals plugin in the app, polling slows to `liveIntervalMs`, a
 * safety net; without it, polling is how the view stays fresh. A hidden tab
 * is neither polled nor refreshed by signals (nobody looks at it, and the
 * backend should not pay for it); it refreshes as soon as it becomes visible
 * again. A failed refresh keeps the previous value so the view can say it is
 * stale instead of going blank.
 */
export function usePolledData<T>(
  load: () => Promise<T>,
  deps: DependencyList,
  options: PolledDataOptions = {},
): PolledData<T> {
  const pageEntityRef = usePageEntityRef();
  const entityRef =
    options.entityRef === null ? undefined : options.entityRef ?? pageEntityRef;
  const [state, setState] = useState<Omit<PolledData<T>, 'refresh'>>({
    loading: true,
  });
  const latestRequest = useRef(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const stableLoad = useCallback(load, deps);

  const refresh = useCallback(() => {
    const request = ++latestRequest.current;
    stableLoad().then(
      value => {
        if (request !== latestRequest.current) return;
        setState({ value, loading: false, loadedAt: new Date() });
      },
      error => {
        if (request !== latestRequest.current) return;
        setState(previous => ({ ...previous, error, loading: false }));
      },
    );
  }, [stableLoad]);

  const live = useLedgerSignal(entityRef, () => {
    if (!documentIsHidden()) refresh();
  });
  const intervalMs = live
    ? options.liveIntervalMs ?? LIVE_POLL_INTERVAL_MS
    : options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS;

  useEffect(() => {
    const requests = latestRequest;
    setState({ loading: true });
    refresh();
    return () => {
      // Answers that arrive after unmount or a change of inputs are dropped.
      requests.current++;
    };
  }, [refresh]);

  useEffect(() => {
    const timer = setInterval(() => {
      if (!documentIsHidden()) refresh();
    }, intervalMs);
    const onVisibilityChange = () => {
      if (!documentIsHidden()) refresh();
    };
    document.addEventListener('visibilitychange', onVisibilityChange);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisibilityChange);
    };
  }, [refresh, intervalMs]);

  return { ...state, refresh };
}
