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
import { rootRouteRef } from './routes';

export const deploymentsPlugin = createPlugin({
  id: 'deployments',
  routes: { root: rootRouteRef },
  apis: [
    createApiFactory({
      api: deploymentsApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new DeploymentsClient({ discoveryApi, fetchApi }),
    }),
  ],
});

/** The Deployments tab: environment lanes, timeline, diff, actions and audit. */
export const EntityDeploymentsContent = deploymentsPlugin.provide(
  createRoutableExtension({
    name: 'EntityDeploymentsContent',
    mountPoint: rootRouteRef,
    component: () =>
      import('./components/EntityDeploymentsContent').then(
        m => m.EntityDeploymentsContent,
      ),
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
