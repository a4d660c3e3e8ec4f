import { useApi } from '@backstage/core-plugin-api';
import useAsync from 'react-use/esm/useAsync';
import { deploymentsApiRef } from '../api';

/**
 * The change diff between two environments or versions: what `to` has that
 * `from` lacks. Nothing is fetched until both sides are known.
 */
export function useDiff(entityRef: string, from?: string, to?: string) {
  const api = useApi(deploymentsApiRef);
  return useAsync(async () => {
    if (!from || !to) return undefined;
    return api.getDiff(entityRef, { from, to });
  }, [api, entityRef, from, to]);
}
