import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import {
  DeploymentProvider,
  deploymentProvidersExtensionPoint,
} from '@stagecraft/plugin-deployments-node';
import { deploymentsPermissions } from '@stagecraft/plugin-deployments-common';
import { KnexDeploymentStore } from './database/KnexDeploymentStore';
import { readDeploymentPolicies } from './policy/PromotionPolicy';
import { createRouter } from './http/router';
import { createSkewRouter } from './http/skewRoutes';
import { createMetricsRouter } from './http/metricsRoutes';
import { promotionPathOf } from './environments/promotionPath';
import {
  cachedEntityReads,
  readEntityReadTtl,
} from './entities/entityReadCache';
import { DeploymentSync } from './sync/DeploymentSync';
import { scheduleDeploymentSync } from './sync/scheduleDeploymentSync';
import { scheduleRetention } from './retention/retention';
import { FreezeCalendar } from './policy/freeze/FreezeCalendar';
import { createFreezeRouter } from './policy/freeze/freezeRouter';
import { registerDeploymentActions } from './mcp/registerDeploymentActions';
import { createLiveLedger } from './live/createLiveLedger';
import { addPushProviders, createPushRouter } from './push';

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
        cache: coreServices.cache,
        catalog: catalogServiceRef,
        actionsRegistry: actionsRegistryServiceRef,
        instanceMetadata: coreServices.rootInstanceMetadata,
        signals: signalsServiceRef,
        notifications: notificationService,
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
        cache,
        catalog,
        actionsRegistry,
        instanceMetadata,
        signals,
        notifications,
      }) {
        permissionsRegistry.addPermissions(deploymentsPermissions);
        const pushSources = addPushProviders(config, providers);
        // Every write that changes an entity's ledger is told to open pages
        // (signals) and to people (notifications).
        const { store } = await createLiveLedger({
          store: await KnexDeploymentStore.create({ database, logger }),
          config,
          logger,
          database,
          instanceMetadata,
          signals,
          notifications,
          catalog,
          auth,
          promotionPathOf: entity => promotionPathOf(entity, config),
        });
        const sync = new DeploymentSync({
          store,
          providers,
          catalog,
          auth,
          logger,
        });
        await scheduleDeploymentSync({ scheduler, config, sync });
        await scheduleRetention({ scheduler, config, store, logger });
        // What the routes read of the catalog, kept a few seconds per caller
        // and entity (deployments.entityCache.ttl): a page's reads in a row
        // ask the catalog once.
        const catalogReads = cachedEntityReads(catalog, {
          cache,
          ttlMs: readEntityReadTtl(config),
        });
        httpRouter.use(
          await createRouter({
            logger,
            store,
            providers,
            webhooks: sync,
            catalog: catalogReads,
            httpAuth,
            permissions,
            auditor,
            policies: readDeploymentPolicies(config),
            promotionPathOf: entity => promotionPathOf(entity, config),
          }),
        );
        // The same reads and actions for MCP clients, through the actions registry.
        registerDeploymentActions({
          actionsRegistry,
          logger,
          store,
          providers,
          catalog: catalogReads,
          permissions,
          auditor,
          policies: readDeploymentPolicies(config),
          promotionPathOf: entity => promotionPathOf(entity, config),
        });
        // POST /events: deployments pushed by any CI, with its external access token.
        httpRouter.use(
          await createPushRouter({
            sources: pushSources,
            providers,
            intake: sync,
            store,
            catalog,
            auth,
            httpAuth,
            logger,
            promotionPathOf: entity => promotionPathOf(entity, config),
          }),
        );
        // GET …/skew and /skew: the promotion-skew audit.
        httpRouter.use(
          await createSkewRouter({
            database,
            config,
            catalog: catalogReads,
            httpAuth,
            promotionPathOf: entity => promotionPathOf(entity, config),
          }),
        );
        // GET …/metrics and /metrics?owner=: delivery metrics (DORA).
        httpRouter.use(
          await createMetricsRouter({
            database,
            config,
            catalog: catalogReads,
            httpAuth,
            promotionPathOf: entity => promotionPathOf(entity, config),
          }),
        );
        // GET /freezes: the freeze windows on now and next.
        httpRouter.use(
          await createFreezeRouter({
            freezes: FreezeCalendar.fromConfig(config),
            httpAuth,
            catalog: catalogReads,
            providerWindows: entityRef => store.listProviderWindows(entityRef),
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
