import { createRouteRef } from '@backstage/core-plugin-api';

/** The Deployments tab of an entity page. */
export const rootRouteRef = createRouteRef({ id: 'deployments' });

/** The "Waiting for my approval" page. */
export const approvalsRouteRef = createRouteRef({
  id: 'deployments:approvals',
});

/** The portfolio's promotion-skew audit page. */
export const promotionSkewRouteRef = createRouteRef({
  id: 'deployments:promotion-skew',
});
