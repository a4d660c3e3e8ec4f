import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  DeploymentProvider,
  deploymentProvidersExtensionPoint,
} from '@stagecraft/plugin-deployments-node';
import { deploymentsPermissions } from '@stagecraft/plugin-deployments-common';
import { createRouter } from './service/router';

/** The deployments backend plugin: ledger, sync, REST API, permissions, policies and audit. */
export const deploymentsPlugin = createBackendPlugin({
  pluginId: 'deployments',
  register(env) {
    const providers = new Map<string, DeploymentProvider>();
    env.registerExtensionPoint(deploymentProvidersExtensionPoint, {
      addProvider(...added) {
        for (const provider of added) {
          if (providers.has(provider.id)) {
            throw new Error(
              `Deployment provider '${provider.id}' is already registered`,
            );
          }
          providers.set(provider.id, provider);
        }
      },
    });

    env.registerInit({
      deps: {
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        permissionsRegistry: coreServices.permissionsRegistry,
      },
      async init({ logger, httpRouter, permissionsRegistry }) {
        permissionsRegistry.addPermissions(deploymentsPermissions);
        httpRouter.use(await createRouter({ logger }));
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        logger.info(
          `Deployments plugin started with providers: ${
            [...providers.keys()].join(', ') || 'none'
          }`,
        );
      },
    });
  },
});
