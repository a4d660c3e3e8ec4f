import { Navigate, Route } from 'react-router-dom';
import {
  CatalogEntityPage,
  CatalogIndexPage,
  catalogPlugin,
} from '@backstage/plugin-catalog';
import { orgPlugin } from '@backstage/plugin-org';
import {
  AlertDisplay,
  OAuthRequestDialog,
  SignInPage,
} from '@backstage/core-components';
import { createApp } from '@backstage/app-defaults';
import { AppRouter, FlatRoutes } from '@backstage/core-app-api';
import { apis } from './apis';
import { entityPage } from './components/catalog/EntityPage';
import { Root } from './components/Root';
import {
  DeploymentApprovalsPage,
  DeploymentsTabPrefetch,
  PromotionSkewPage,
} from '@stagecraft/plugin-deployments';
import { NotificationsPage } from '@backstage/plugin-notifications';
import { signalsPlugin } from '@backstage/plugin-signals';

const app = createApp({
  apis,
  // Signals has no page: listed so its client (signalApiRef) is installed.
  plugins: [signalsPlugin],
  bindRoutes({ bind }) {
    bind(orgPlugin.externalRoutes, {
      catalogIndex: catalogPlugin.routes.catalogIndex,
    });
  },
  components: {
    // The demo portal signs everyone in as the guest user, without a click.
    SignInPage: props => <SignInPage {...props} auto providers={['guest']} />,
  },
});

export const routes = (
  <FlatRoutes>
    <Route path="/" element={<Navigate to="catalog" />} />
    <Route path="/catalog" element={<CatalogIndexPage />} />
    <Route
      path="/catalog/:namespace/:kind/:name"
      element={<CatalogEntityPage />}
    >
      {entityPage}
    </Route>
    <Route
      path="/deployments/approvals"
      element={<DeploymentApprovalsPage />}
    />
    <Route path="/deployments/skew" element={<PromotionSkewPage />} />
    <Route path="/notifications" element={<NotificationsPage />} />
  </FlatRoutes>
);

export default app.createRoot(
  <>
    <AlertDisplay />
    <OAuthRequestDialog />
    <AppRouter>
      {/* Opening an entity's Deployments tab asks for it beside the entity. */}
      <DeploymentsTabPrefetch />
      <Root>{routes}</Root>
    </AppRouter>
  </>,
);
