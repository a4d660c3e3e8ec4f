import {
  DependencyList,
  useCallback,
  useEffect,
  useRef,
  useState,
} from 'react';

/** How often an open Deployments view asks for fresh data. */
export const DEFAULT_POLL_INTERVAL_MS = 30_000;

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

/**
 * Loads a value and refreshes it every `intervalMs` while the page is
 * visible. A hidden tab is not polled (nobody looks at it, and the backend
 * should not pay for it); it refreshes as soon as it becomes visible again.
 * A failed refresh keeps the previous value so the view can say it is stale
 * instead of going blank.
 */
export function usePolledData<T>(
  load: () => Promise<T>,
  deps: DependencyList,
  options: { intervalMs?: number } = {},
): PolledData<T> {
  const intervalMs = options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS;
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
