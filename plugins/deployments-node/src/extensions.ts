import { createExtensionPoint } from '@backstage/backend-plugin-api';
import type { DeploymentProvider } from './provider';

/**
 * Lets backend modules add deployment providers to the deployments plugin.
 *
 * @public
 */
export interface DeploymentProvidersExtensionPoint {
  addProvider(...providers: DeploymentProvider[]): void;
}

/**
 * Extension point of the deployments backend. A module registers with it:
 *
 * ```ts
 * createBackendModule({
 *   pluginId: 'deployments',
 *   moduleId: 'gitlab',
 *   register(reg) {
 *     reg.registerInit({
 *       deps: { providers: deploymentProvidersExtensionPoint },
 *       async init({ providers }) { providers.addProvider(new GitlabProvider()); },
 *     });
 *   },
 * });
 * ```
 *
 * @public
 */
export const deploymentProvidersExtensionPoint =
  createExtensionPoint<DeploymentProvidersExtensionPoint>({
    id: 'deployments.providers',
  });
