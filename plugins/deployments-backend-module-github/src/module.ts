import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { deploymentProvidersExtensionPoint } from '@stagecraft/plugin-deployments-node';
import { GithubDeploymentProvider } from './GithubDeploymentProvider';

/** Adds the GitHub provider to the Stagecraft deployments backend. */
export const deploymentsModuleGithub = createBackendModule({
  pluginId: 'deployments',
  moduleId: 'github',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: deploymentProvidersExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ providers, config, logger }) {
        if (!config.getOptionalString('deployments.github.webhookSecret')) {
          logger.info(
            'deployments.github.webhookSecret is not set: GitHub webhooks are refused and changes arrive by polling only',
          );
        }
        providers.addProvider(
          GithubDeploymentProvider.fromConfig(config, { logger }),
        );
      },
    });
  },
});
