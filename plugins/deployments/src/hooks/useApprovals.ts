import { useApi } from '@backstage/core-plugin-api';
import { deploymentsApiRef } from '../api';
import { usePolledData } from './usePolledData';

/** Pending gates, across entities, that the signed-in user may decide; refreshed while visible. */
export function useApprovals() {
  const api = useApi(deploymentsApiRef);
  return usePolledData(() => api.getApprovals(), [api]);
}
