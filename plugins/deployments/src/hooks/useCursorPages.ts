import {
  DependencyList,
  useCallback,
  useEffect,
  useRef,
  useState,
} from 'react';

export interface CursorPages<P> {
  /** The pages loaded so far, oldest request first. */
  pages: P[];
  loading: boolean;
  /** The error of the last request; the pages already loaded stay. */
  error?: Error;
  /** True while the server has said there is a next page. */
  hasMore: boolean;
  loadMore: () => void;
  reload: () => void;
}

/**
 * Pages through a list the server cuts with an opaque cursor. A change of
 * `deps` (the filters) starts again from the first page and drops answers
 * to the old filters that arrive late. A `first` page already at hand is
 * shown from the first render, and not asked for.
 */
export function useCursorPages<P extends { nextCursor?: string }>(
  load: (cursor: string | undefined) => Promise<P>,
  deps: DependencyList,
  options: { first?: () => P | undefined; onFirstShown?: () => void } = {},
): CursorPages<P> {
  const [first] = useState(options.first);
  const [pages, setPages] = useState<P[]>(first ? [first] : []);
  const [loading, setLoading] = useState(!first);
  // The first load is the page at hand, once.
  const firstServed = useRef(!first);
  const onFirstShown = useRef(options.onFirstShown);
  const [error, setError] = useState<Error>();
  const generation = useRef(0);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const stableLoad = useCallback(load, deps);

  const fetchPage = useCallback(
    async (cursor: string | undefined) => {
      const current = ++generation.current;
      setLoading(true);
      setError(undefined);
      try {
        const page = await stableLoad(cursor);
        if (current !== generation.current) return;
        setPages(previous => (cursor ? [...previous, page] : [page]));
      } catch (e) {
        if (current !== generation.current) return;
        setError(e as Error);
      } finally {
        if (current === generation.current) setLoading(false);
      }
    },
    [stableLoad],
  );

  useEffect(() => {
    const requests = generation;
    if (!firstServed.current) {
      firstServed.current = true;
      onFirstShown.current?.();
    } else {
      setPages([]);
      fetchPage(undefined);
    }
    return () => {
      requests.current++;
    };
  }, [fetchPage]);

  const nextCursor = pages.at(-1)?.nextCursor;
  return {
    pages,
    loading,
    error,
    hasMore: Boolean(nextCursor),
    loadMore: () => {
      if (nextCursor && !loading) fetchPage(nextCursor);
    },
    reload: () => fetchPage(undefined),
  };
}
