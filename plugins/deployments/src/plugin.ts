import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { DeploymentsClient } from '@stagecraft/plugin-deployments-common';
import { deploymentsApiRef } from './api';
import { loadedNow } from './loadedNow';
import { EntityDeploymentsTab } from './components/EntityDeploymentsContent/EntityDeploymentsTab';
import {
  approvalsRouteRef,
  promotionSkewRouteRef,
  rootRouteRef,
} from './routes';

export const deploymentsPlugin = createPlugin({
  id: 'deployments',
  routes: {
    root: rootRouteRef,
    approvals: approvalsRouteRef,
    promotionSkew: promotionSkewRouteRef,
  },
  apis: [
    createApiFactory({
      api: deploymentsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new DeploymentsClient({ discoveryApi, fetchApi }),
    }),
  ],
});

/** The Deployments tab: environment lanes, changes, timeline, actions and audit. */
export const EntityDeploymentsContent = deploymentsPlugin.provide(
  createRoutableExtension({
    name: 'EntityDeploymentsContent',
    mountPoint: rootRouteRef,
    // A small opener that loads with the plugin sends the tab's request,
    // then loads the tab's own code while the backend answers. It is handed
    // over as already loaded, so it renders (and sends) in the entity page's
    // first pass rather than after a suspended one.
    component: () => loadedNow(EntityDeploymentsTab),
  }),
);

/** Overview card: what runs in each environment. */
export const EntityDeploymentsCard = deploymentsPlugin.provide(
  createComponentExtension({
    name: 'EntityDeploymentsCard',
    component: {
      lazy: () =>
        import('./components/EntityDeploymentsCard').then(
          m => m.EntityDeploymentsCard,
        ),
    },
  }),
);

/** "Waiting for my approval": every pending gate the signed-in user may decide. */
export const DeploymentApprovalsPage = deploymentsPlugin.provide(
  createRoutableExtension({
    name: 'DeploymentApprovalsPage',
    mountPoint: approvalsRouteRef,
    component: () =>
      import('./components/DeploymentApprovalsPage').then(
        m => m.DeploymentApprovalsPage,
      ),
  }),
);

/** The approvals waiting for the signed-in user, as a card (e.g. for a home page). */
export const DeploymentApprovalsCard = deploymentsPlugin.provide(
  createComponentExtension({
    name: 'DeploymentApprovalsCard',
    component: {
      lazy: () =>
        import('./components/DeploymentApprovalsCard').then(
          m => m.DeploymentApprovalsCard,
        ),
    },
  }),
);

/** Promotion skew across the portfolio: deployments that skipped an environment or barely soaked in it, with a CSV download. */
export const PromotionSkewPage = deploymentsPlugin.provide(
  createRoutableExtension({
    name: 'PromotionSkewPage',
    mountPoint: promotionSkewRouteRef,
    component: () =>
      import('./components/PromotionSkewPage').then(m => m.PromotionSkewPage),
  }),
);

/** An entity's promotion-skew findings, as a panel for the Deployments tab. */
export const EntityPromotionSkewPanel = deploymentsPlugin.provide(
  createComponentExtension({
    name: 'EntityPromotionSkewPanel',
    component: {
      lazy: () =>
        import('./components/PromotionSkewPanel').then(
          m => m.PromotionSkewPanel,
        ),
    },
  }),
);

/** An entity's delivery metrics (DORA), as a panel for the Deployments tab. */
export const EntityDeliveryMetricsPanel = deploymentsPlugin.provide(
  createComponentExtension({
    name: 'EntityDeliveryMetricsPanel',
    component: {
      lazy: () =>
        import('./components/DeliveryMetrics').then(
          m => m.EntityDeliveryMetricsPanel,
        ),
    },
  }),
);

/** A group's (or user's) delivery metrics (DORA) over the services it owns, as a card for its page. */
export const EntityDeliveryMetricsCard = deploymentsPlugin.provide(
  createComponentExtension({
    name: 'EntityDeliveryMetricsCard',
    component: {
      lazy: () =>
        import('./components/DeliveryMetrics').then(
          m => m.EntityDeliveryMetricsCard,
        ),
    },
  }),
);
