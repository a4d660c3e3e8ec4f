import appBackend from '@backstage/plugin-app-backend';
import authBackend from '@backstage/plugin-auth-backend';
import guestProvider from '@backstage/plugin-auth-backend-module-guest-provider';
import catalogBackend from '@backstage/plugin-catalog-backend';
import permissionBackend from '@backstage/plugin-permission-backend';
import deploymentsBackend from '@stagecraft/plugin-deployments-backend';
import deploymentsModuleAws from '@stagecraft/plugin-deployments-backend-module-aws';
import deploymentsModuleGithub from '@stagecraft/plugin-deployments-backend-module-github';
import permissionPolicy from './permissionPolicy';

/**
 * Every plugin and module of the Stagecraft demo portal, in one list so the
 * smoke test boots exactly what `npm start` runs.
 */
export const backendFeatures = [
  appBackend,
  authBackend,
  guestProvider,
  catalogBackend,
  permissionBackend,
  permissionPolicy,
  deploymentsBackend,
  deploymentsModuleGithub,
  deploymentsModuleAws,
];
