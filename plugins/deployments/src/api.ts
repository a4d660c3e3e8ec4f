import { createApiRef } from '@backstage/core-plugin-api';
import type { DeploymentsApi } from '@stagecraft/plugin-deployments-common';

export type { DeploymentsApi };

/** The deployments REST client, as a Backstage utility API. */
export const deploymentsApiRef = createApiRef<DeploymentsApi>({
  id: 'plugin.deployments.service',
});
