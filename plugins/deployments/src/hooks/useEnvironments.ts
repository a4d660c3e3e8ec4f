import { useApi } from '@backstage/core-plugin-api';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { deploymentsApiRef } from '../api';

/** The environments of an entity, in promotion order, with their current state. */
export function useEnvironments(entityRef: string) {
  const api = useApi(deploymentsApiRef);
  return useAsyncRetry(() => api.getEnvironments(entityRef), [api, entityRef]);
}
