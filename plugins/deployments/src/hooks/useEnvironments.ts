import { useApi } from '@backstage/core-plugin-api';
import { deploymentsApiRef } from '../api';
import { usePolledData } from './usePolledData';

/**
 * The environments of an entity, in promotion order, with their current
 * state, pending gates and provider sync status; refreshed while visible.
 */
export function useEnvironments(entityRef: string) {
  const api = useApi(deploymentsApiRef);
  return usePolledData(() => api.getEnvironments(entityRef), [api, entityRef]);
}
