import appBackend from '@backstage/plugin-app-backend';
import authBackend from '@backstage/plugin-auth-backend';
import guestProvider from '@backstage/plugin-auth-backend-module-guest-provider';
import catalogBackend from '@backstage/plugin-catalog-backend';
import mcpActionsBackend from '@backstage/plugin-mcp-actions-backend';
import notificationsBackend from '@backstage/plugin-notifications-backend';
import permissionBackend from '@backstage/plugin-permission-backend';
import signalsBackend from '@backstage/plugin-signals-backend';
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
  // Live updates of open Deployments tabs, and notifications of gates,
  // decisions and failures (both optional for the deployments plugin).
  signalsBackend,
  notificationsBackend,
  deploymentsBackend,
  deploymentsModuleGithub,
  deploymentsModuleAws,
  // The actions of the plugins in backend.actions.pluginSources as MCP tools,
  // at /api/mcp-actions/v1 (see docs/actions.md).
  mcpActionsBackend,
];

/**
 * The same list for `startTestBackend`, without the signals backend: the
 * test backend's HTTP router (backend-test-utils 1.11 on backend-defaults
 * 0.18) has no `addWebSocketHandler`, which signals needs. The portal itself
 * (`npm start`, the e2e and reliability suites) runs the full list.
 */
export const testBackendFeatures = backendFeatures.filter(
  feature => feature !== signalsBackend,
);
