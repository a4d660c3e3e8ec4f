import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  DeploymentProvider,
  deploymentProvidersExtensionPoint,
} from '@stagecraft/plugin-deployments-node';
import { deploymentsModuleAws } from './module';

describe('deploymentsModuleAws', () => {
  it('adds the AWS provider to the deployments plugin', async () => {
    const added: DeploymentProvider[] = [];
    const deployments = createBackendPlugin({
      pluginId: 'deployments',
      register(reg) {
        reg.registerExtensionPoint(deploymentProvidersExtensionPoint, {
          addProvider: (...providers) => added.push(...providers),
        });
        reg.registerInit({ deps: {}, async init() {} });
      },
    });

    await startTestBackend({
      features: [
        deployments,
        deploymentsModuleAws,
        mockServices.rootConfig.factory({
          data: {
            aws: { mainAccount: {} },
            deployments: { aws: { defaultRegion: 'eu-west-1' } },
          },
        }),
      ],
    });

    expect(added.map(p => p.id)).toEqual(['aws']);
    expect(typeof added[0].review).toBe('function');
    expect(added[0]).not.toHaveProperty('compare');
  });
});
