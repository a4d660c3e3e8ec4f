import { ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  ListDeploymentsCommand,
  StopDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import { ConflictError } from '@backstage/errors';
import type { ProviderActionResult } from '@stagecraft/plugin-deployments-node';
import type { AwsClients } from '../client/AwsClientFactory';
import { toActionError } from '../client/awsErrors';

const DEPLOYMENT_ID = /^d-[A-Z0-9]{9}$/;

/**
 * Stops the CodeDeploy deployment of a stack rollout, asking CodeDeploy to
 * shift traffic back to the previous version when `rollback` is set. The
 * rollout id names the deployment (`…/<d-XXXXXXXXX>`); a rollout that got
 * its id before CodeDeploy started is matched to the group's running
 * deployment.
 */
export async function stopStackDeployment(options: {
  clients: AwsClients;
  stackName: string;
  providerDeploymentId: string;
  rollback: boolean;
}): Promise<ProviderActionResult> {
  const { clients } = options;
  const activity = `stopping the rollout ${options.providerDeploymentId}`;
  try {
    let deploymentId = options.providerDeploymentId.split('/').pop();
    if (!deploymentId || !DEPLOYMENT_ID.test(deploymentId)) {
      deploymentId = await runningDeploymentOf(clients, options.stackName);
    }
    if (!deploymentId) {
      throw new ConflictError(
        `Stack ${options.stackName} has no CodeDeploy deployment in progress to stop`,
      );
    }
    await clients.codedeploy.send(
      new StopDeploymentCommand({
        deploymentId,
        autoRollbackEnabled: options.rollback,
      }),
    );
    return { identity: clients.identity, reference: deploymentId };
  } catch (error) {
    if (error instanceof ConflictError) throw error;
    throw toActionError(error, activity);
  }
}

async function runningDeploymentOf(
  clients: AwsClients,
  stackName: string,
): Promise<string | undefined> {
  const resources = await clients.cloudformation.send(
    new ListStackResourcesCommand({ StackName: stackName }),
  );
  const of = (type: string) =>
    resources.StackResourceSummaries?.find(r => r.ResourceType === type)
      ?.PhysicalResourceId;
  const applicationName = of('AWS::CodeDeploy::Application');
  const deploymentGroupName = of('AWS::CodeDeploy::DeploymentGroup');
  if (!applicationName || !deploymentGroupName) return undefined;
  const running = await clients.codedeploy.send(
    new ListDeploymentsCommand({
      applicationName,
      deploymentGroupName,
      includeOnlyStatuses: [
        'Created',
        'Queued',
        'InProgress',
        'Baking',
        'Ready',
      ],
    }),
  );
  return running.deployments?.[0];
}
