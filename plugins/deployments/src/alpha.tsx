import {
  ApiBlueprint,
  PageBlueprint,
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
import { isDeploymentsAvailable } from './annotations';
import { approvalsRouteRef, rootRouteRef } from './routes';
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
    loader: () =>
      import('./components/EntityDeploymentsContent').then(m =>
        compatWrapper(<m.EntityDeploymentsContent />),
      ),
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
    deploymentApprovalsPage,
  ],
});
