import {
  ApiBlueprint,
  PageBlueprint,
  createFrontendModule,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import {
  compatWrapper,
  convertLegacyRouteRef,
} from '@backstage/core-compat-api';
import { DeploymentsClient } from '@stagecraft/plugin-deployments-common';
import { deploymentsApiRef } from './api';
import {
  createIsDeploymentsAvailable,
  isDeploymentsAvailable,
  type DeploymentsAvailabilityOptions,
} from './annotations';
import { approvalsRouteRef, rootRouteRef } from './routes';
import { loadedNow } from './loadedNow';
import { EntityDeploymentsTab } from './components/EntityDeploymentsContent/EntityDeploymentsTab';
import CheckCircleOutlineIcon from '@material-ui/icons/CheckCircleOutline';

const deploymentsApi = ApiBlueprint.make({
  params: define =>
    define({
      api: deploymentsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new DeploymentsClient({ discoveryApi, fetchApi }),
    }),
});

const deploymentsEntityContent = EntityContentBlueprint.make({
  params: {
    path: 'deployments',
    title: 'Deployments',
    filter: isDeploymentsAvailable,
    routeRef: convertLegacyRouteRef(rootRouteRef),
    // The opener sends the tab's request, then loads the tab's own code. It
    // is handed over as already loaded (not as a promise, which the
    // extension's React.lazy would suspend on for one pass).
    loader: () => loadedNow(compatWrapper(<EntityDeploymentsTab />)),
  },
});

const deploymentsEntityCard = EntityCardBlueprint.make({
  name: 'deployments',
  params: {
    filter: isDeploymentsAvailable,
    loader: () =>
      import('./components/EntityDeploymentsCard').then(m =>
        compatWrapper(<m.EntityDeploymentsCard />),
      ),
  },
});

const deliveryMetricsCard = EntityCardBlueprint.make({
  name: 'delivery-metrics',
  params: {
    // A group's (or user's) page: the figures over what it owns.
    filter: entity => ['group', 'user'].includes(entity.kind.toLowerCase()),
    loader: () =>
      import('./components/DeliveryMetrics').then(m =>
        compatWrapper(<m.EntityDeliveryMetricsCard />),
      ),
  },
});

const deploymentApprovalsPage = PageBlueprint.make({
  name: 'approvals',
  params: {
    path: '/deployments/approvals',
    // A page with a title and icon is also the sidebar's entry to it.
    title: 'Approvals',
    icon: <CheckCircleOutlineIcon />,
    routeRef: convertLegacyRouteRef(approvalsRouteRef),
    loader: () =>
      import('./components/DeploymentApprovalsPage').then(m =>
        compatWrapper(<m.DeploymentApprovalsPage />),
      ),
  },
});

/** The deployments plugin for Backstage's new frontend system. */
export default createFrontendPlugin({
  pluginId: 'deployments',
  routes: {
    root: convertLegacyRouteRef(rootRouteRef),
    approvals: convertLegacyRouteRef(approvalsRouteRef),
  },
  extensions: [
    deploymentsApi,
    deploymentsEntityContent,
    deploymentsEntityCard,
    deliveryMetricsCard,
    deploymentApprovalsPage,
  ],
});

/**
 * Offers the Deployments tab and card also for the entities of third-party
 * providers, by their annotations; the known providers' annotations still
 * count. Install it beside the plugin:
 * `createApp({ features: [deploymentsPlugin, createDeploymentsAvailabilityModule({ annotations: ['argocd/app-name'] })] })`.
 */
export function createDeploymentsAvailabilityModule(
  options: DeploymentsAvailabilityOptions,
) {
  const filter = createIsDeploymentsAvailable(options);
  return createFrontendModule({
    pluginId: 'deployments',
    extensions: [
      deploymentsEntityContent.override({ params: { filter } }),
      deploymentsEntityCard.override({ params: { filter } }),
    ],
  });
}

export {
  createIsDeploymentsAvailable,
  isDeploymentsAvailable,
  type DeploymentsAvailabilityOptions,
};
