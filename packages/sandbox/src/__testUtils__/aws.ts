import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { SandboxServer } from '../server';

/** The real SDK v3 clients, each pointed at its sandbox endpoint (any credentials do). */
export function awsClients(server: SandboxServer) {
  const config = (service: string) => ({
    region: 'eu-west-1',
    endpoint: `${server.url}/aws/${service}`,
    credentials: {
      accessKeyId: 'AKIDSANDBOX',
      secretAccessKey: 'sandbox-secret',
    },
    maxAttempts: 1,
  });
  return {
    codepipeline: new CodePipelineClient(config('codepipeline')),
    codedeploy: new CodeDeployClient(config('codedeploy')),
    cloudformation: new CloudFormationClient(config('cloudformation')),
    lambda: new LambdaClient(config('lambda')),
    cloudwatch: new CloudWatchClient(config('cloudwatch')),
    tagging: new ResourceGroupsTaggingAPIClient(config('tagging')),
  };
}

/** The error an SDK call raises (fails the test when the call succeeds). */
export async function rejection(call: Promise<unknown>): Promise<any> {
  try {
    await call;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the call to fail');
}
