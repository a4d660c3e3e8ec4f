/**
 * AWS provider for the Stagecraft deployments backend: CodePipeline,
 * CodeDeploy, CloudFormation/SAM stacks and Lambda aliases.
 *
 * @packageDocumentation
 */
export { deploymentsModuleAws as default } from './module';
export {
  AwsDeploymentProvider,
  type AwsDeploymentProviderOptions,
} from './AwsDeploymentProvider';
export {
  AwsClientFactory,
  type AwsClientFactoryOptions,
  type AwsClients,
} from './client/AwsClientFactory';
export {
  AWS_CODEPIPELINE_ARN_ANNOTATION,
  AWS_PIPELINE_STAGES_ANNOTATION,
  AWS_STACKS_ANNOTATION,
  AWS_ACCOUNT_ID_ANNOTATION,
  AWS_REGION_ANNOTATION,
} from './binding/annotations';
export { GIT_SHA_KEY } from './sync/stack/stackVersion';
export { readAwsProviderSettings, type AwsProviderSettings } from './settings';
export { SnsMessageVerifier } from './webhooks/verifySnsMessage';
