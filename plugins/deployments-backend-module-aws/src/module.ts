import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { deploymentProvidersExtensionPoint } from '@stagecraft/plugin-deployments-node';
import { AwsDeploymentProvider } from './AwsDeploymentProvider';

/** Adds the AWS provider (CodePipeline, CodeDeploy, CloudFormation/SAM, Lambda) to the Stagecraft deployments backend. */
export const deploymentsModuleAws = createBackendModule({
  pluginId: 'deployments',
  moduleId: 'aws',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: deploymentProvidersExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ providers, config, logger }) {
        const topics =
          config.getOptionalStringArray('deployments.aws.sns.topicArns') ?? [];
        if (topics.length === 0) {
          logger.info(
            'deployments.aws.sns.topicArns is not set: AWS events are refused and changes arrive by polling only',
          );
        }
        if (
          config.getOptionalString('deployments.aws.sns.sandboxCertificateHost')
        ) {
          logger.warn(
            'deployments.aws.sns.sandboxCertificateHost is set: SNS certificates are also accepted from that host. Use this for the sandbox and tests only.',
          );
        }
        providers.addProvider(
          AwsDeploymentProvider.fromConfig(config, { logger }),
        );
      },
    });
  },
});
