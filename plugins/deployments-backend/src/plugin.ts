import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  DeploymentProvider,
  deploymentProvidersExtensionPoint,
} from '@stagecraft/plugin-deployments-node';
import { deploymentsPermissions } from '@stagecraft/plugin-deployments-common';
import { KnexDeploymentStore } from './database/KnexDeploymentStore';
import { readDeploymentPolicies } from './policy/PromotionPolicy';
import { createRouter } from './http/router';
import { promotionPathOf } from './environments/promotionPath';
import { DeploymentSync } from './sync/DeploymentSync';
import { scheduleDeploymentSync } from './sync/scheduleDeploymentSync';
import { scheduleRetention } from './retention/retention';

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
        config: coreServices.rootConfig,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        catalog: catalogServiceRef,
      },
      async init({
        logger,
        config,
        database,
        scheduler,
        httpRouter,
        httpAuth,
        auth,
        permissions,
        permissionsRegistry,
        auditor,
        catalog,
      }) {
        permissionsRegistry.addPermissions(deploymentsPermissions);
        const store = await KnexDeploymentStore.create({ database, logger });
        const sync = new DeploymentSync({
          store,
          providers,
          catalog,
          auth,
          logger,
        });
        await scheduleDeploymentSync({ scheduler, config, sync });
        await scheduleRetention({ scheduler, config, store, logger });
        httpRouter.use(
          await createRouter({
            logger,
            store,
            providers,
            webhooks: sync,
            catalog,
            httpAuth,
            permissions,
            auditor,
            policies: readDeploymentPolicies(config),
            promotionPathOf: entity => promotionPathOf(entity, config),
          }),
        );
        httpRouter.addAuthPolicy({ path: '/health', allow: 'unauthenticated' });
        // Providers sign their webhooks; Backstage tokens cannot be asked of them.
        httpRouter.addAuthPolicy({
          path: '/webhooks',
          allow: 'unauthenticated',
        });
        logger.info(
          `Deployments plugin started with providers: ${
            [...providers.keys()].join(', ') || 'none'
          }`,
        );
      },
    });
  },
});
